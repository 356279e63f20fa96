//! The clock of a synchronization object, kept next to the object's lock.
//!
//! Every release or acquire on an object touches its lock and its clock.
//! Were the clock a [`VectorClock`], its entries would be a heap allocation
//! of their own: one more cache line per operation, and for an object that
//! threads take turns at (a contended mutex, an atomic counter) one more
//! line that moves between their caches at every turn. Programs mostly run
//! a few threads at once, so up to [`INLINE`] entries are stored inside the
//! object, which `sync::table` lays out to share one cache line with the
//! lock, the object's address and its version; longer clocks go to the heap.
//!
//! Like a [`VectorClock`] the entries are trimmed (no trailing zero), which
//! every operation here preserves given trimmed thread clocks.

use super::epoch::{Epoch, Slot};
use super::vector_clock::{ClockEntries, VectorClock};

/// Entries stored inside the object: slots 0 to 2, the main thread and two
/// others (slots are handed out lowest first).
pub const INLINE: usize = 3;

/// A synchronization object's clock. `Default` knows nothing.
///
/// `repr(C)`: the length and the inline entries come first, in the cache
/// line `sync::table` puts them in; the spilled entries' vector is only read
/// for clocks longer than [`INLINE`].
#[repr(C)]
pub struct SyncClock {
    /// Number of entries. Up to [`INLINE`] they are in `inline` (whose
    /// entries past `len` are zero); beyond, all of them are in `spill`.
    len: u32,
    inline: [Epoch; INLINE],
    spill: Vec<Epoch>,
}

impl Default for SyncClock {
    fn default() -> SyncClock {
        SyncClock::new()
    }
}

impl ClockEntries for SyncClock {
    #[inline]
    fn entries(&self) -> &[Epoch] {
        let len = self.len as usize;
        if len <= INLINE {
            &self.inline[..len]
        } else {
            &self.spill
        }
    }
}

impl SyncClock {
    /// Bytes from the start of the clock to the end of its inline entries:
    /// what a release or acquire of a short clock reads or writes.
    pub const HOT_BYTES: usize = core::mem::offset_of!(SyncClock, spill);

    /// The clock that knows nothing.
    pub const fn new() -> SyncClock {
        SyncClock {
            len: 0,
            inline: [Epoch::ZERO; INLINE],
            spill: Vec::new(),
        }
    }

    /// Number of entries up to the highest non-zero one.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the clock knows nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The epoch of `slot` this clock knows.
    pub fn get(&self, slot: Slot) -> Epoch {
        self.entries()
            .get(slot.index())
            .copied()
            .unwrap_or(Epoch::ZERO)
    }

    /// Sets the entry of `slot` to `epoch` (for tests and diagnostics: the
    /// runtime only joins and assigns, and this goes through a
    /// `VectorClock`).
    pub fn set(&mut self, slot: Slot, epoch: Epoch) {
        let mut c = self.to_vector_clock();
        c.set(slot, epoch);
        self.assign(&c);
    }

    /// The same clock as a [`VectorClock`].
    pub fn to_vector_clock(&self) -> VectorClock {
        let mut c = VectorClock::new();
        c.join(self);
        c
    }

    /// The entries, mutable, after making room for `n` of them (new ones
    /// zero; the caller keeps the clock trimmed).
    #[inline]
    pub(super) fn grown(&mut self, n: usize) -> &mut [Epoch] {
        let len = self.len as usize;
        if n > len {
            if n > INLINE {
                if len <= INLINE {
                    self.spill.clear();
                    self.spill.extend(self.inline[..len].iter().copied());
                    self.inline = [Epoch::ZERO; INLINE];
                }
                self.spill.resize(n, Epoch::ZERO);
            }
            self.len = n as u32;
        }
        if self.len as usize <= INLINE {
            &mut self.inline[..n.max(len)]
        } else {
            &mut self.spill
        }
    }

    /// `self := self ⊔ other` (a release that merges: the release sequence
    /// of a read-modify-write, a reader's unlock, `WaitGroup.Done`).
    #[inline]
    pub fn join(&mut self, other: &VectorClock) {
        let theirs = other.entries();
        let mine = self.grown(theirs.len());
        for (m, &t) in mine.iter_mut().zip(theirs) {
            if t > *m {
                *m = t;
            }
        }
    }

    /// `self := other` (a release that replaces: an unlock, a release
    /// store).
    ///
    /// Entry by entry, not by a slice copy: the copy would be a call to
    /// `memcpy`, which in a native program is an interceptor.
    #[inline]
    pub fn assign(&mut self, other: &VectorClock) {
        let theirs = other.entries();
        let n = theirs.len();
        if n <= INLINE {
            // A fixed trip count: unrolled, and the entries past `n` zeroed.
            for (i, m) in self.inline.iter_mut().enumerate() {
                *m = theirs.get(i).copied().unwrap_or(Epoch::ZERO);
            }
            if self.len as usize > INLINE {
                // Only then: the vector is on the entry's second line.
                self.spill.clear();
            }
            self.len = n as u32;
            return;
        }
        if self.len as usize <= INLINE {
            self.inline = [Epoch::ZERO; INLINE];
            self.spill.clear();
        }
        self.spill.resize(n, Epoch::ZERO);
        for (m, &t) in self.spill.iter_mut().zip(theirs) {
            if *m != t {
                *m = t;
            }
        }
        self.len = n as u32;
    }

    /// `thr := thr ⊔ self; self := thr` in one pass: an acquire-release
    /// (a read-modify-write that acquires and releases takes the object's
    /// clock and leaves its own, which then covers it).
    #[inline]
    pub fn join_both(&mut self, thr: &mut VectorClock) {
        let n = self.len().max(thr.len());
        let theirs = thr.grown(n);
        let mine = self.grown(n);
        for (a, b) in theirs.iter_mut().zip(mine.iter_mut()) {
            if *a < *b {
                *a = *b;
            } else if *b < *a {
                *b = *a;
            }
        }
    }

    /// `self := thr; thr := thr ⊔ (old self)` in one pass: the thread
    /// leaves its own clock and takes what was there (Go's channel-slot
    /// hand-off, `Runtime::release_store_acquire`).
    #[inline]
    pub fn exchange_join(&mut self, thr: &mut VectorClock) {
        let n = self.len().max(thr.len());
        let thr_len = thr.len();
        let theirs = thr.grown(n);
        let mine = self.grown(n);
        for (a, b) in theirs.iter_mut().zip(mine.iter_mut()) {
            let old = *b;
            *b = *a;
            if *a < old {
                *a = old;
            }
        }
        // `self` now holds the thread's old clock, whose entries past its
        // old length are zero: trim them.
        self.truncate(thr_len);
    }

    /// Drops the entries from `n` on (all of them zero).
    fn truncate(&mut self, n: usize) {
        let len = self.len as usize;
        if n >= len {
            return;
        }
        if len > INLINE {
            self.spill.truncate(n);
            if n <= INLINE {
                for (i, m) in self.inline.iter_mut().enumerate() {
                    *m = self.spill.get(i).copied().unwrap_or(Epoch::ZERO);
                }
                self.spill.clear();
            }
        } else {
            for e in &mut self.inline[n..len] {
                *e = Epoch::ZERO;
            }
        }
        self.len = n as u32;
    }

    /// Forgets everything, keeping the allocation.
    pub fn clear(&mut self) {
        self.truncate(0);
    }
}

impl core::fmt::Debug for SyncClock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.to_vector_clock().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::clock::test_rng::Rng;

    /// A clock of up to 8 slots: every move between the inline entries and
    /// the heap is exercised.
    fn vc(rng: &mut Rng) -> VectorClock {
        rng.clock(8, 6)
    }

    /// A random synchronization clock and the vector clock it holds.
    fn sync_clock(rng: &mut Rng) -> (SyncClock, VectorClock) {
        let v = vc(rng);
        let mut s = SyncClock::new();
        // Through a different clock first, so that leftovers would show.
        s.assign(&vc(rng));
        s.assign(&v);
        (s, v)
    }

    fn joined(a: &VectorClock, b: &VectorClock) -> VectorClock {
        let mut j = a.clone();
        j.join(b);
        j
    }

    /// The representation's invariants, and that it holds `v`.
    fn check(s: &SyncClock, v: &VectorClock) {
        assert_eq!(s.to_vector_clock(), *v);
        assert_eq!(s.len(), v.len(), "trimmed like the vector clock");
        if s.len() <= INLINE {
            assert!(s.inline[s.len()..].iter().all(|&e| e == Epoch::ZERO));
            assert!(s.spill.is_empty());
        } else {
            assert_eq!(s.spill.len(), s.len());
        }
    }

    #[test]
    fn assign_and_join_agree_with_vector_clocks() {
        let mut rng = Rng(3);
        for _ in 0..5000 {
            let (mut s, v) = sync_clock(&mut rng);
            check(&s, &v);
            let other = vc(&mut rng);
            s.join(&other);
            check(&s, &joined(&v, &other));
            s.assign(&other);
            check(&s, &other);
        }
    }

    #[test]
    fn join_both_leaves_both_at_the_join() {
        let mut rng = Rng(5);
        for _ in 0..5000 {
            let (mut s, v) = sync_clock(&mut rng);
            let mut thr = vc(&mut rng);
            let j = joined(&v, &thr);
            s.join_both(&mut thr);
            assert_eq!(thr, j);
            check(&s, &j);
        }
    }

    #[test]
    fn exchange_join_swaps_then_joins() {
        let mut rng = Rng(9);
        for _ in 0..5000 {
            let (mut s, v) = sync_clock(&mut rng);
            let mut thr = vc(&mut rng);
            let old_thr = thr.clone();
            s.exchange_join(&mut thr);
            assert_eq!(thr, joined(&v, &old_thr));
            check(&s, &old_thr);
        }
    }

    #[test]
    fn clear_and_set_keep_the_invariants() {
        let mut rng = Rng(13);
        for _ in 0..2000 {
            let (mut s, mut v) = sync_clock(&mut rng);
            let slot = Slot::new((rng.next() % 8) as usize);
            let e = Epoch::new(rng.next() % 4);
            s.set(slot, e);
            v.set(slot, e);
            check(&s, &v);
            assert_eq!(s.get(slot), e);
            s.clear();
            check(&s, &VectorClock::new());
        }
    }
}
