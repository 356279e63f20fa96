//! Which synchronization objects' clocks a thread has already acquired, as
//! they are now: an acquire of an object whose clock has not changed since
//! the thread last acquired it adds nothing, and is skipped without taking
//! the object's lock.
//!
//! Every plain acquire goes through it (`Runtime::acquire`, acquire loads).
//! The point is spinning: a thread waiting for a flag loads it with acquire
//! semantics again and again, and each load took the flag's object lock for
//! reading, an atomic read-modify-write on the cache line the releasing
//! thread needs to write (atomics' ping-pong phase spent 45% of its time
//! there).
//!
//! Every object has a version, raised under its write lock before anything
//! in it changes (`sync::table`), and never reset, also not when its arena
//! entry is reused for another object: an entry's index and version name
//! one state of one clock. The thread remembers, in a small direct-mapped
//! table, the version of each entry it last joined.

/// Entries remembered (direct-mapped by entry index).
const WAYS: usize = 8;

/// The versions of the objects a thread last acquired.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// `(entry index, version)`; index 0 is no entry.
    ways: [(u32, u64); WAYS],
}

impl Seen {
    /// Nothing seen.
    pub const fn new() -> Seen {
        Seen {
            ways: [(0, 0); WAYS],
        }
    }

    /// Whether the clock of entry `index` at `version` was joined already.
    #[inline]
    pub fn has(&self, index: u32, version: u64) -> bool {
        self.ways[index as usize % WAYS] == (index, version)
    }

    /// The clock of entry `index` at `version` has been joined.
    #[inline]
    pub fn record(&mut self, index: u32, version: u64) {
        self.ways[index as usize % WAYS] = (index, version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_version_per_way() {
        let mut s = Seen::new();
        assert!(!s.has(1, 0), "nothing is seen at first");
        s.record(1, 5);
        assert!(s.has(1, 5));
        assert!(!s.has(1, 6), "a newer version is not seen");
        s.record(1 + WAYS as u32, 2);
        assert!(!s.has(1, 5), "same way, another entry: forgotten");
        assert!(s.has(1 + WAYS as u32, 2));
    }
}
