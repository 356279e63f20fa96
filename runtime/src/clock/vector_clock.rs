//! Vector clocks: for every slot, the newest epoch of that slot known to
//! happen-before a point of the program.
//!
//! The representation is a dense vector indexed by slot, without trailing
//! zero entries: a missing entry and an explicit zero mean the same thing.
//! Keeping the vector trimmed makes equality structural and keeps the cost of
//! a join proportional to the highest slot in use, which stays small because
//! slots are reused lowest-first. The entries are kept in whole cache lines
//! (`clock::lines`): a thread's clock shares none with another thread's data.

use core::cmp::Ordering;

use super::epoch::{Epoch, Slot};
use super::lines::LineVec;

/// A vector clock. `Default` is the clock that knows nothing.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct VectorClock {
    entries: LineVec,
}

/// A clock seen as its entries, indexed by slot, without trailing zeros: a
/// [`VectorClock`] or a synchronization object's
/// [`SyncClock`](super::SyncClock), which a thread's clock can join.
pub trait ClockEntries {
    /// The entries.
    fn entries(&self) -> &[Epoch];
}

impl ClockEntries for VectorClock {
    #[inline]
    fn entries(&self) -> &[Epoch] {
        self.entries.as_slice()
    }
}

impl VectorClock {
    /// The clock that knows nothing (all entries zero).
    pub const fn new() -> VectorClock {
        VectorClock {
            entries: LineVec::new(),
        }
    }

    /// The epoch of `slot` this clock knows.
    #[inline]
    pub fn get(&self, slot: Slot) -> Epoch {
        match self.entries.as_slice().get(slot.index()) {
            Some(&e) => e,
            None => Epoch::ZERO,
        }
    }

    /// Sets the entry of `slot` to `epoch` (which may be lower than before).
    #[inline]
    pub fn set(&mut self, slot: Slot, epoch: Epoch) {
        let i = slot.index();
        if epoch != Epoch::ZERO && i < self.entries.len() {
            // The common case (a thread's own entry moving on): nothing to trim.
            self.entries.as_mut_slice()[i] = epoch;
            return;
        }
        if i >= self.entries.len() {
            if epoch == Epoch::ZERO {
                return;
            }
            self.entries.resize(i + 1);
        }
        self.entries.as_mut_slice()[i] = epoch;
        self.trim();
    }

    /// Raises the entry of `slot` to at least `epoch`.
    pub fn raise(&mut self, slot: Slot, epoch: Epoch) {
        if self.get(slot) < epoch {
            self.set(slot, epoch);
        }
    }

    /// `self := self ⊔ other` (entry-wise maximum). Returns whether `self` changed.
    pub fn join(&mut self, other: &(impl ClockEntries + ?Sized)) -> bool {
        let other = other.entries();
        if other.len() > self.entries.len() {
            self.entries.resize(other.len());
        }
        let mut changed = false;
        for (mine, &theirs) in self.entries.as_mut_slice().iter_mut().zip(other.iter()) {
            if theirs > *mine {
                *mine = theirs;
                changed = true;
            }
        }
        changed
    }

    /// The entries, mutable, after making room for `n` of them (new ones
    /// zero; the caller keeps the clock trimmed).
    #[inline]
    pub(super) fn grown(&mut self, n: usize) -> &mut [Epoch] {
        if n > self.entries.len() {
            self.entries.resize(n);
        }
        self.entries.as_mut_slice()
    }

    /// `self := other`, reusing `self`'s allocation.
    ///
    /// Entry by entry, storing only those that differ: a lock handed back
    /// and forth changes few entries per release, and a plain copy would be
    /// a call to `memcpy`, which in a native program is an interceptor.
    pub fn assign(&mut self, other: &VectorClock) {
        let n = other.entries.len();
        if self.entries.len() != n {
            self.entries.resize(n);
        }
        let theirs = other.entries.as_slice();
        for (mine, &theirs) in self.entries.as_mut_slice().iter_mut().zip(theirs) {
            if *mine != theirs {
                *mine = theirs;
            }
        }
    }

    /// Forgets everything, keeping the allocation.
    pub fn clear(&mut self) {
        self.entries.resize(0);
    }

    /// Whether every entry of `self` is ≤ the same entry of `other`: everything
    /// `self` knows happens-before (or is) what `other` knows.
    pub fn le(&self, other: &VectorClock) -> bool {
        self.entries.len() <= other.entries.len()
            && self
                .entries
                .as_slice()
                .iter()
                .zip(other.entries.as_slice())
                .all(|(a, b)| a <= b)
    }

    /// Number of entries up to the highest non-zero one.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the clock knows nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// The non-zero entries, by slot.
    pub fn iter(&self) -> impl Iterator<Item = (Slot, Epoch)> + '_ {
        self.entries
            .as_slice()
            .iter()
            .enumerate()
            .filter(|(_, e)| **e != Epoch::ZERO)
            .map(|(i, &e)| (Slot::new(i), e))
    }

    fn trim(&mut self) {
        let e = self.entries.as_slice();
        let n = e
            .iter()
            .rposition(|&x| x != Epoch::ZERO)
            .map_or(0, |i| i + 1);
        self.entries.resize(n);
    }
}

impl PartialOrd for VectorClock {
    /// The happens-before partial order: `Less` when `self` is strictly
    /// older, `None` when the clocks are concurrent.
    fn partial_cmp(&self, other: &VectorClock) -> Option<Ordering> {
        match (self.le(other), other.le(self)) {
            (true, true) => Some(Ordering::Equal),
            (true, false) => Some(Ordering::Less),
            (false, true) => Some(Ordering::Greater),
            (false, false) => None,
        }
    }
}

impl core::fmt::Debug for VectorClock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::clock::test_rng::Rng;

    fn joined(a: &VectorClock, b: &VectorClock) -> VectorClock {
        let mut j = a.clone();
        j.join(b);
        j
    }

    #[test]
    fn assign_makes_an_equal_clock_whatever_was_there() {
        let mut rng = Rng(7);
        for _ in 0..2000 {
            let (mut a, b) = (rng.clock(5, 4), rng.clock(5, 4));
            a.assign(&b);
            assert_eq!(a, b);
            assert_eq!(a.len(), b.len());
        }
    }

    #[test]
    fn join_is_commutative_associative_and_idempotent() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2000 {
            let (a, b, c) = (rng.clock(5, 4), rng.clock(5, 4), rng.clock(5, 4));
            assert_eq!(joined(&a, &b), joined(&b, &a));
            assert_eq!(joined(&joined(&a, &b), &c), joined(&a, &joined(&b, &c)));
            assert_eq!(joined(&a, &a), a);
        }
    }

    #[test]
    fn le_is_a_partial_order_and_join_is_its_least_upper_bound() {
        let mut rng = Rng(42);
        for _ in 0..2000 {
            let (a, b, c) = (rng.clock(5, 4), rng.clock(5, 4), rng.clock(5, 4));
            assert!(a.le(&a), "reflexive");
            if a.le(&b) && b.le(&a) {
                assert_eq!(a, b, "antisymmetric");
            }
            if a.le(&b) && b.le(&c) {
                assert!(a.le(&c), "transitive");
            }
            let j = joined(&a, &b);
            assert!(a.le(&j) && b.le(&j), "upper bound");
            if a.le(&c) && b.le(&c) {
                assert!(j.le(&c), "least upper bound");
            }
        }
    }

    #[test]
    fn partial_cmp_matches_le() {
        let mut a = VectorClock::new();
        let mut b = VectorClock::new();
        a.set(Slot::new(0), Epoch::new(2));
        b.set(Slot::new(1), Epoch::new(1));
        assert_eq!(a.partial_cmp(&b), None);
        b.join(&a);
        assert_eq!(a.partial_cmp(&b), Some(Ordering::Less));
        assert_eq!(b.partial_cmp(&a), Some(Ordering::Greater));
    }

    #[test]
    fn missing_entries_are_zero_and_zeros_are_trimmed() {
        let mut a = VectorClock::new();
        a.set(Slot::new(7), Epoch::new(3));
        assert_eq!(a.get(Slot::new(2)), Epoch::ZERO);
        assert_eq!(a.get(Slot::new(100)), Epoch::ZERO);
        a.set(Slot::new(7), Epoch::ZERO);
        assert!(a.is_empty());
        assert_eq!(a, VectorClock::new());
    }
}
