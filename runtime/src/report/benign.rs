//! Memory the program declared racy on purpose (`AnnotateBenignRaceSized`):
//! a race on it is not reported. The list lives only as long as the memory
//! does: freeing or unmapping it forgets the declaration, so a block that is
//! reused does not hide the races of its next owner.

use core::sync::atomic::{AtomicBool, Ordering};

use crate::platform::lock::{ForkHold, Mutex};

/// The ranges `[start, end)` declared benign.
#[derive(Default)]
pub struct BenignRanges {
    ranges: Mutex<Vec<(usize, usize)>>,
    /// Whether `ranges` may be non-empty: frees look at this flag only,
    /// so programs that never annotate pay one load per free.
    any: AtomicBool,
}

impl BenignRanges {
    /// No range declared.
    pub fn new() -> BenignRanges {
        BenignRanges::default()
    }

    /// Declares `[addr, addr+size)` benign (a size of 0 counts as 1 byte, as
    /// `AnnotateBenignRace` passes none).
    pub fn add(&self, addr: usize, size: usize) {
        let end = addr.saturating_add(size.max(1));
        let mut ranges = self.ranges.lock();
        if !ranges.contains(&(addr, end)) {
            ranges.push((addr, end));
        }
        self.any.store(true, Ordering::Release);
    }

    /// Whether any byte of `[addr, addr+size)` was declared benign.
    pub fn covers(&self, addr: usize, size: usize) -> bool {
        if !self.any.load(Ordering::Acquire) {
            return false;
        }
        let end = addr.saturating_add(size.max(1));
        self.ranges
            .lock()
            .iter()
            .any(|&(lo, hi)| lo < end && addr < hi)
    }

    /// `[addr, addr+size)` was freed or unmapped: declarations inside it end.
    pub fn forget(&self, addr: usize, size: usize) {
        if !self.any.load(Ordering::Acquire) {
            return;
        }
        let end = addr.saturating_add(size);
        let mut ranges = self.ranges.lock();
        ranges.retain(|&(lo, hi)| !(addr <= lo && hi <= end));
        if ranges.is_empty() {
            self.any.store(false, Ordering::Release);
        }
    }

    /// Holds the lock across `fork`.
    pub(crate) fn hold_for_fork(&'static self, hold: &mut ForkHold) {
        hold.hold(self.ranges.lock());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_ranges_cover_overlaps_only() {
        let b = BenignRanges::new();
        assert!(!b.covers(0x1000, 8));
        b.add(0x1000, 16);
        assert!(b.covers(0x1000, 1));
        assert!(b.covers(0x100f, 4));
        assert!(b.covers(0x0ff8, 9));
        assert!(!b.covers(0x0ff8, 8));
        assert!(!b.covers(0x1010, 8));
        // A zero size is one byte.
        b.add(0x2000, 0);
        assert!(b.covers(0x2000, 1) && !b.covers(0x2001, 1));
    }

    #[test]
    fn freeing_the_memory_ends_the_declaration() {
        let b = BenignRanges::new();
        b.add(0x1000, 16);
        b.add(0x3000, 8);
        // A free of a block around the first range forgets it only.
        b.forget(0x0ff0, 0x40);
        assert!(!b.covers(0x1000, 16));
        assert!(b.covers(0x3000, 8));
        b.forget(0x3000, 8);
        assert!(!b.covers(0x3000, 8));
        assert!(!b.any.load(Ordering::Relaxed));
    }
}
