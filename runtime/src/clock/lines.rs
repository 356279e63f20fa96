//! The entries of a [`VectorClock`](super::VectorClock), in cache lines of
//! their own.
//!
//! A thread writes its clock at every release (its own entry moves on) and
//! reads it at every check of another thread's cell. In an ordinary vector
//! the entries share their first and last cache lines with whatever the
//! allocator put next to them, and a thread's clock is cloned by the thread
//! that creates it: two threads started one after the other had their
//! clocks side by side, in one line, and every epoch of one thread cost the
//! other a cache miss at its next happens-before check. Here the entries are
//! stored in whole, aligned lines that nothing else uses.

use super::epoch::Epoch;

/// Entries per cache line.
const PER_LINE: usize = 8;

/// One cache line of entries.
#[repr(C, align(64))]
#[derive(Copy, Clone)]
struct Line([Epoch; PER_LINE]);

const _: () = assert!(core::mem::size_of::<Line>() == PER_LINE * core::mem::size_of::<Epoch>());

const ZERO_LINE: Line = Line([Epoch::ZERO; PER_LINE]);

/// A growable array of epochs in whole cache lines. The entries from
/// `len` on, up to the end of the last line, are always zero.
#[derive(Clone, Default)]
pub(super) struct LineVec {
    lines: Vec<Line>,
    len: usize,
}

impl LineVec {
    /// No entries, no allocation.
    pub(super) const fn new() -> LineVec {
        LineVec {
            lines: Vec::new(),
            len: 0,
        }
    }

    /// Number of entries.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The entries.
    #[inline]
    pub(super) fn as_slice(&self) -> &[Epoch] {
        // SAFETY: the lines are contiguous (`Vec`), each `repr(C)` with its
        // array at offset 0 and no padding (size asserted above), so the
        // vector's memory is `lines.len() * PER_LINE` initialized epochs,
        // of which `len` is at most the count (kept by `resize`). The slice
        // borrows `self`.
        unsafe { core::slice::from_raw_parts(self.lines.as_ptr().cast::<Epoch>(), self.len) }
    }

    /// The entries, mutable.
    #[inline]
    pub(super) fn as_mut_slice(&mut self) -> &mut [Epoch] {
        // SAFETY: as in `as_slice`; the slice borrows `self` mutably.
        unsafe {
            core::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<Epoch>(), self.len)
        }
    }

    /// Makes the length `n`: new entries are zero, dropped entries are
    /// zeroed (the memory past the length stays zero).
    #[inline]
    pub(super) fn resize(&mut self, n: usize) {
        if n > self.len {
            let lines = n.div_ceil(PER_LINE);
            if lines > self.lines.len() {
                self.lines.resize(lines, ZERO_LINE);
            }
        } else {
            for e in &mut self.as_mut_slice()[n..] {
                *e = Epoch::ZERO;
            }
        }
        self.len = n;
    }
}

impl PartialEq for LineVec {
    fn eq(&self, other: &LineVec) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for LineVec {}

impl core::hash::Hash for LineVec {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_grow_and_shrink_with_zeros_behind() {
        let mut v = LineVec::new();
        assert!(v.as_slice().is_empty());
        v.resize(3);
        assert_eq!(v.as_slice(), &[Epoch::ZERO; 3]);
        v.as_mut_slice()[2] = Epoch::new(7);
        v.resize(11);
        assert_eq!(v.as_slice()[2], Epoch::new(7));
        assert!(v.as_slice()[3..].iter().all(|&e| e == Epoch::ZERO));
        v.as_mut_slice()[10] = Epoch::new(9);
        v.resize(2);
        v.resize(11);
        assert!(
            v.as_slice()[2..].iter().all(|&e| e == Epoch::ZERO),
            "dropped entries come back as zero"
        );
        assert_eq!(v.lines.len(), 2);
        assert_eq!(v.lines.as_ptr() as usize % 64, 0, "whole cache lines");
    }

    #[test]
    fn equality_and_hash_see_the_entries_only() {
        use std::hash::{BuildHasher, RandomState};
        let (mut a, mut b) = (LineVec::new(), LineVec::new());
        a.resize(9);
        a.resize(1);
        b.resize(1);
        assert!(a == b, "capacity does not count");
        let s = RandomState::new();
        assert_eq!(s.hash_one(&a), s.hash_one(&b));
        b.as_mut_slice()[0] = Epoch::new(1);
        assert!(a != b);
    }
}
