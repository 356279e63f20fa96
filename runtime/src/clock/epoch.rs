//! Thread slots and epochs: the two halves of a FastTrack timestamp.
//!
//! Every running thread (or goroutine) owns a [`Slot`] and counts its own
//! [`Epoch`]s; the pair `(slot, epoch)` stamps each access. A slot outlives the
//! threads that use it: when a thread ends its slot may be handed to a later
//! thread, which continues counting epochs where the previous owner stopped
//! (see `clock::slots` for why that keeps every verdict exact).

use core::fmt;

/// Number of bits of a slot index inside a shadow cell.
pub const SLOT_BITS: u32 = 15;
/// Number of slots: the most threads that can be alive at once.
pub const MAX_SLOTS: usize = 1 << SLOT_BITS;
/// Number of bits of an epoch inside a shadow cell.
pub const EPOCH_BITS: u32 = 38;

/// Index of a thread slot, `0..MAX_SLOTS`.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Slot(u16);

impl Slot {
    /// The slot with index `index`.
    ///
    /// # Panics
    /// If `index >= MAX_SLOTS` (a runtime bug, never user input).
    #[inline]
    pub const fn new(index: usize) -> Slot {
        assert!(index < MAX_SLOTS);
        Slot(index as u16)
    }

    /// The slot's index, usable for indexing vector clocks.
    #[inline]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}", self.0)
    }
}

/// A logical time of one slot. Epoch 0 means "nothing": every slot's first
/// owner starts at epoch 1, so a zeroed vector clock knows no access.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Epoch(u64);

impl Epoch {
    /// The epoch before anything happened.
    pub const ZERO: Epoch = Epoch(0);
    /// The largest epoch a shadow cell can hold.
    pub const MAX: Epoch = Epoch((1 << EPOCH_BITS) - 1);

    /// The epoch with value `value`.
    ///
    /// # Panics
    /// If `value` exceeds [`Epoch::MAX`] (a runtime bug).
    #[inline]
    pub const fn new(value: u64) -> Epoch {
        assert!(value <= Self::MAX.0);
        Epoch(value)
    }

    /// The raw counter value.
    #[inline]
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The next epoch, or `None` when the counter is exhausted (the thread
    /// must then move to a fresh slot).
    #[inline]
    pub const fn next(self) -> Option<Epoch> {
        if self.0 < Self::MAX.0 {
            Some(Epoch(self.0 + 1))
        } else {
            None
        }
    }
}

impl fmt::Debug for Epoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "e{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_counts_up_to_its_maximum() {
        assert_eq!(Epoch::ZERO.next(), Some(Epoch::new(1)));
        assert_eq!(Epoch::MAX.next(), None);
        assert!(Epoch::new(3) < Epoch::new(4));
    }

    #[test]
    fn slots_cover_the_whole_index_range() {
        assert_eq!(Slot::new(MAX_SLOTS - 1).index(), MAX_SLOTS - 1);
        assert!(std::panic::catch_unwind(|| Slot::new(MAX_SLOTS)).is_err());
    }
}
