//! Counts of hook calls (`stats=1`): how much work instrumentation asked
//! of the runtime. Each thread counts in its own state (plain additions in
//! a cache line the hook touches anyway); counts move to the process
//! totals when the thread ends, and are printed at exit.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// One thread's counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Memory accesses of up to 16 bytes (reads and writes).
    pub accesses: u64,
    /// Range accesses (memcpy, packed fields, Go ranges).
    pub ranges: u64,
    /// Function entries.
    pub func_entries: u64,
    /// Atomic operations and fences.
    pub atomics: u64,
    /// Other synchronization (locks, acquire/release, thread events).
    pub syncs: u64,
}

impl Counts {
    /// All hook calls (an entry is counted with its exit).
    pub fn total(&self) -> u64 {
        self.accesses + self.ranges + 2 * self.func_entries + self.atomics + self.syncs
    }
}

/// Process totals of finished threads.
#[derive(Default)]
pub struct Totals {
    accesses: AtomicU64,
    ranges: AtomicU64,
    func_entries: AtomicU64,
    atomics: AtomicU64,
    syncs: AtomicU64,
}

impl Totals {
    /// Adds a finished thread's counts.
    pub fn add(&self, c: &Counts) {
        self.accesses.fetch_add(c.accesses, Relaxed);
        self.ranges.fetch_add(c.ranges, Relaxed);
        self.func_entries.fetch_add(c.func_entries, Relaxed);
        self.atomics.fetch_add(c.atomics, Relaxed);
        self.syncs.fetch_add(c.syncs, Relaxed);
    }

    /// The totals so far.
    pub fn get(&self) -> Counts {
        Counts {
            accesses: self.accesses.load(Relaxed),
            ranges: self.ranges.load(Relaxed),
            func_entries: self.func_entries.load(Relaxed),
            atomics: self.atomics.load(Relaxed),
            syncs: self.syncs.load(Relaxed),
        }
    }
}

/// The line printed at exit.
pub fn format(c: &Counts) -> String {
    format!(
        "hbsan: stats: {} hook calls: {} memory accesses, {} range accesses, {} function entries (and as many exits), {} atomic operations, {} other synchronization\n",
        c.total(),
        c.accesses,
        c.ranges,
        c.func_entries,
        c.atomics,
        c.syncs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up() {
        let t = Totals::default();
        let c = Counts {
            accesses: 5,
            ranges: 1,
            func_entries: 2,
            atomics: 3,
            syncs: 4,
        };
        t.add(&c);
        t.add(&c);
        assert_eq!(t.get().accesses, 10);
        assert_eq!(t.get().total(), 2 * (5 + 1 + 4 + 3 + 4));
        assert!(format(&c).contains("17 hook calls"));
    }
}
