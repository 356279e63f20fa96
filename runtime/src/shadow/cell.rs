//! One shadow cell: a record of one access to (some bytes of) one aligned
//! 8-byte application word, packed into 64 bits.
//!
//! ```text
//!  63                          26 25             11   10     9      8    7        0
//! +------------------------------+-----------------+-----+------+----+----------+
//! |            epoch             |       slot      |FREED|ATOMIC|READ| byte mask|
//! +------------------------------+-----------------+-----+------+----+----------+
//! ```
//!
//! The byte mask says which bytes of the word the access touched (bit `i` =
//! byte `i`); it is never zero for a real access, so the all-zero cell means
//! "empty". Offset and size are the mask's trailing zeros and population.

use crate::clock::epoch::{EPOCH_BITS, SLOT_BITS};
use crate::clock::{Epoch, Slot};

/// The byte-mask bits of a cell.
pub const MASK: u64 = 0xff;
/// Flag: the access was a read (clear: a write).
pub const READ: u64 = 1 << 8;
/// Flag: the access was atomic.
pub const ATOMIC: u64 = 1 << 9;
/// Flag: the bytes were freed by this access (a `free`, counted as a write).
pub const FREED: u64 = 1 << 10;
const SLOT_SHIFT: u32 = 11;
const EPOCH_SHIFT: u32 = SLOT_SHIFT + SLOT_BITS;
const SLOT_MASK: u64 = (1 << SLOT_BITS) - 1;

const _: () = assert!(EPOCH_SHIFT + EPOCH_BITS == 64, "a cell is exactly 64 bits");

/// What kind of access a cell records.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AccessKind(u64);

impl AccessKind {
    /// A plain write.
    pub const WRITE: AccessKind = AccessKind(0);
    /// A plain read.
    pub const READ: AccessKind = AccessKind(READ);
    /// An atomic write (or read-modify-write).
    pub const ATOMIC_WRITE: AccessKind = AccessKind(ATOMIC);
    /// An atomic read.
    pub const ATOMIC_READ: AccessKind = AccessKind(READ | ATOMIC);
    /// The memory was freed: a write that later accesses race with.
    pub const FREE: AccessKind = AccessKind(FREED);
    /// Every kind (for tests that go through them all).
    pub const ALL: [AccessKind; 5] = [
        AccessKind::WRITE,
        AccessKind::READ,
        AccessKind::ATOMIC_WRITE,
        AccessKind::ATOMIC_READ,
        AccessKind::FREE,
    ];

    /// Builds a kind from its two independent properties.
    #[inline]
    pub const fn new(is_read: bool, is_atomic: bool) -> AccessKind {
        AccessKind((if is_read { READ } else { 0 }) | (if is_atomic { ATOMIC } else { 0 }))
    }

    /// The flag bits as they appear in a cell.
    #[inline]
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// Whether this kind reads.
    #[inline]
    pub const fn is_read(self) -> bool {
        self.0 & READ != 0
    }

    /// Whether this kind is atomic.
    #[inline]
    pub const fn is_atomic(self) -> bool {
        self.0 & ATOMIC != 0
    }

    /// Whether this kind is a free.
    #[inline]
    pub const fn is_free(self) -> bool {
        self.0 & FREED != 0
    }
}

/// The byte mask of an access of `size` bytes at `offset` inside a word.
///
/// # Panics
/// In debug builds, if the bytes do not fit in the word or `size` is zero.
#[inline]
pub const fn byte_mask(offset: usize, size: usize) -> u8 {
    debug_assert!(size >= 1 && offset + size <= 8);
    ((((1u16 << size) - 1) as u8) as u32).wrapping_shl(offset as u32) as u8
}

/// The part of a cell that depends only on the thread: slot and epoch,
/// precomputed so the hot path builds a cell with one `or`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Stamp(u64);

impl Stamp {
    /// The raw bits (slot and epoch fields; the others zero).
    #[inline(always)]
    pub const fn raw(self) -> u64 {
        self.0
    }

    /// The stamp of accesses by `slot` at `epoch`.
    #[inline]
    pub const fn new(slot: Slot, epoch: Epoch) -> Stamp {
        Stamp(((slot.index() as u64) << SLOT_SHIFT) | (epoch.get() << EPOCH_SHIFT))
    }

    /// The cell recording an access with this stamp.
    #[inline]
    pub const fn cell(self, mask: u8, kind: AccessKind) -> Cell {
        Cell(self.0 | kind.0 | mask as u64)
    }

    /// The slot part.
    pub const fn slot(self) -> Slot {
        Cell(self.0).slot()
    }

    /// The epoch part.
    pub const fn epoch(self) -> Epoch {
        Cell(self.0).epoch()
    }
}

/// A shadow cell. See the module documentation for the bit layout.
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Cell(u64);

impl Cell {
    /// The empty cell: no access recorded.
    pub const EMPTY: Cell = Cell(0);

    /// The mark of a word on which a race was reported: its accesses are no
    /// longer checked until its memory is reset (a read that frees never
    /// happens, so no access produces this value).
    pub const REPORTED: Cell = Cell(MASK | READ | FREED);

    /// The mark of a word on which a race on bytes `mask` was reported:
    /// accesses within those bytes are no longer checked until the memory is
    /// reset, accesses to other bytes still are. [`Cell::REPORTED`] is the
    /// mark of the whole word.
    #[inline]
    pub const fn reported(mask: u8) -> Cell {
        Cell(READ | FREED | mask as u64)
    }

    /// Whether this is a reported mark ([`Cell::reported`]), for any bytes.
    #[inline(always)]
    pub const fn is_reported(self) -> bool {
        self.0 & (READ | FREED) == READ | FREED
    }

    /// A cell with every field given explicitly (tests and reports; the hot
    /// path uses [`Stamp::cell`]).
    pub const fn new(
        slot: Slot,
        epoch: Epoch,
        offset: usize,
        size: usize,
        kind: AccessKind,
    ) -> Cell {
        Stamp::new(slot, epoch).cell(byte_mask(offset, size), kind)
    }

    /// Reinterprets raw shadow bits.
    #[inline]
    pub const fn from_raw(raw: u64) -> Cell {
        Cell(raw)
    }

    /// The raw shadow bits.
    #[inline]
    pub const fn raw(self) -> u64 {
        self.0
    }

    /// Whether no access is recorded here.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.0 & MASK == 0
    }

    /// The bytes of the word the access touched.
    #[inline]
    pub const fn mask(self) -> u8 {
        self.0 as u8
    }

    /// Offset of the first byte touched inside the word.
    pub const fn offset(self) -> usize {
        self.mask().trailing_zeros() as usize
    }

    /// Number of bytes touched.
    pub const fn size(self) -> usize {
        self.mask().count_ones() as usize
    }

    /// This cell with its byte mask replaced.
    #[inline]
    pub const fn with_mask(self, mask: u8) -> Cell {
        Cell((self.0 & !MASK) | mask as u64)
    }

    /// The access kind (read/write, atomic, free).
    #[inline]
    pub const fn kind(self) -> AccessKind {
        AccessKind(self.0 & (READ | ATOMIC | FREED))
    }

    /// Whether the access was a read.
    #[inline]
    pub const fn is_read(self) -> bool {
        self.0 & READ != 0
    }

    /// Whether the access was atomic.
    #[inline]
    pub const fn is_atomic(self) -> bool {
        self.0 & ATOMIC != 0
    }

    /// Whether the cell records a free.
    #[inline]
    pub const fn is_freed(self) -> bool {
        self.0 & FREED != 0
    }

    /// The slot of the accessing thread.
    #[inline]
    pub const fn slot(self) -> Slot {
        Slot::new(((self.0 >> SLOT_SHIFT) & SLOT_MASK) as usize)
    }

    /// The epoch of the access.
    #[inline]
    pub const fn epoch(self) -> Epoch {
        Epoch::new(self.0 >> EPOCH_SHIFT)
    }

    /// Whether `self` and `other` come from the same slot (same thread
    /// history), compared without unpacking.
    #[inline]
    pub const fn same_slot(self, other: Cell) -> bool {
        (self.0 ^ other.0) >> SLOT_SHIFT & SLOT_MASK == 0
    }

    /// Whether `self` makes `older` (an earlier access by the same slot)
    /// redundant: every access of another thread that would race with
    /// `older` also races with `self`, so `older` can be overwritten.
    ///
    /// That holds when `self` touches at least `older`'s bytes, is a write or
    /// `older` was a read, and is plain or `older` was atomic (an atomic
    /// access races with fewer accesses than a plain one). A free never
    /// dominates nor is dominated: it is replaced only by a reset.
    #[inline(always)]
    pub const fn dominates(self, older: Cell) -> bool {
        // Bytes of `older` that `self` misses; a read or atomic `self` over
        // a write or plain `older`; a free on either side.
        let missed = older.0 & !self.0 & MASK;
        let weaker = self.0 & !older.0 & (READ | ATOMIC);
        let freed = (self.0 | older.0) & FREED;
        missed | weaker | freed == 0
    }

    /// Whether `self` is the access `older` made again in a later epoch:
    /// the same slot, kind and bytes, only the epoch differs (or not even
    /// that). See `shadow::check::slow_word` for why such an access needs
    /// no look at the word's other cells.
    #[inline(always)]
    pub const fn renews(self, older: Cell) -> bool {
        (self.0 ^ older.0) & ((1 << EPOCH_SHIFT) - 1) == 0
    }

    /// Whether `self` and `other` come from the same slot and epoch.
    #[inline(always)]
    pub const fn same_epoch(self, other: Cell) -> bool {
        (self.0 ^ other.0) >> SLOT_SHIFT == 0
    }

    /// Whether the two accesses would race if unordered: they share a byte,
    /// and are not both reads nor both atomic.
    #[inline(always)]
    pub const fn conflicts(self, other: Cell) -> bool {
        let both = self.0 & other.0;
        both & MASK != 0 && both & (READ | ATOMIC) == 0
    }
}

/// [`Cell::dominates`] and [`Cell::conflicts`] of one access against many
/// cells, each as one mask test with masks computed once.
#[derive(Copy, Clone, Debug)]
pub struct Probe {
    /// The access's read and atomic flags: a dominated cell has them too.
    need: u64,
    /// Bits a dominated cell must have as in `need`: those flags, the
    /// bytes the access misses, and the freed flag.
    dom_mask: u64,
    /// The access's bytes.
    bytes: u64,
}

impl Probe {
    /// The probe of access `cur` (not a free).
    #[inline(always)]
    pub const fn new(cur: Cell) -> Probe {
        let need = cur.0 & (READ | ATOMIC);
        Probe {
            need,
            dom_mask: need | (!cur.0 & MASK) | FREED,
            bytes: cur.0 & MASK,
        }
    }

    /// `cur.dominates(c)`.
    #[inline(always)]
    pub const fn dominated(&self, c: Cell) -> bool {
        (c.0 ^ self.need) & self.dom_mask == 0
    }

    /// `c.conflicts(cur)`.
    #[inline(always)]
    pub const fn conflicts(&self, c: Cell) -> bool {
        c.0 & self.bytes != 0 && c.0 & self.need == 0
    }
}

impl core::fmt::Debug for Cell {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.is_empty() {
            return write!(f, "Cell(empty)");
        }
        write!(
            f,
            "Cell({:?} {:?} {}{} off={} size={})",
            self.slot(),
            self.epoch(),
            if self.is_freed() {
                "free"
            } else if self.is_read() {
                "read"
            } else {
                "write"
            },
            if self.is_atomic() { " atomic" } else { "" },
            self.offset(),
            self.size(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::MAX_SLOTS;

    #[test]
    fn every_field_round_trips() {
        let kinds = AccessKind::ALL;
        for &slot in &[0, 1, 77, MAX_SLOTS - 1] {
            for &epoch in &[1, 2, 1 << 20, Epoch::MAX.get()] {
                for offset in 0..8 {
                    for size in [1, 2, 4, 8] {
                        if offset + size > 8 {
                            continue;
                        }
                        for &kind in &kinds {
                            let c =
                                Cell::new(Slot::new(slot), Epoch::new(epoch), offset, size, kind);
                            assert!(!c.is_empty());
                            assert_eq!(c.slot(), Slot::new(slot));
                            assert_eq!(c.epoch(), Epoch::new(epoch));
                            assert_eq!(c.offset(), offset);
                            assert_eq!(c.size(), size);
                            assert_eq!(c.kind(), kind);
                            assert_eq!(c.is_read(), kind.is_read());
                            assert_eq!(c.is_atomic(), kind.is_atomic());
                            assert_eq!(c.is_freed(), kind.is_free());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn byte_masks_cover_exactly_the_accessed_bytes() {
        assert_eq!(byte_mask(0, 8), 0xff);
        assert_eq!(byte_mask(0, 1), 0b1);
        assert_eq!(byte_mask(3, 1), 0b1000);
        assert_eq!(byte_mask(4, 4), 0xf0);
        assert_eq!(byte_mask(6, 2), 0xc0);
        assert_eq!(byte_mask(7, 1), 0x80);
    }

    #[test]
    fn empty_cell_is_all_zero() {
        assert!(Cell::EMPTY.is_empty());
        assert_eq!(Cell::EMPTY.raw(), 0);
    }

    #[test]
    fn stamp_builds_the_same_cell_as_new() {
        let (slot, epoch) = (Slot::new(5), Epoch::new(9));
        let stamp = Stamp::new(slot, epoch);
        assert_eq!(stamp.slot(), slot);
        assert_eq!(stamp.epoch(), epoch);
        assert_eq!(
            stamp.cell(byte_mask(2, 2), AccessKind::READ),
            Cell::new(slot, epoch, 2, 2, AccessKind::READ)
        );
    }

    #[test]
    fn same_slot_ignores_everything_but_the_slot() {
        let a = Cell::new(Slot::new(3), Epoch::new(1), 0, 1, AccessKind::READ);
        let b = Cell::new(Slot::new(3), Epoch::new(99), 4, 4, AccessKind::ATOMIC_WRITE);
        let c = Cell::new(Slot::new(4), Epoch::new(1), 0, 1, AccessKind::READ);
        assert!(a.same_slot(b));
        assert!(!a.same_slot(c));
    }

    #[test]
    fn reported_marks_are_no_access() {
        assert!(Cell::REPORTED.is_reported());
        assert_eq!(Cell::reported(0xff), Cell::REPORTED);
        let m = Cell::reported(0x0f);
        assert!(m.is_reported() && m.mask() == 0x0f && !m.is_empty());
        let kinds = AccessKind::ALL;
        for kind in kinds {
            let c = Stamp::new(Slot::new(3), Epoch::new(9)).cell(0xff, kind);
            assert!(!c.is_reported(), "{c:?}");
        }
    }

    /// The bitwise helpers agree with their definitions on every pair of
    /// cells over a few slots, epochs, masks and kinds.
    #[test]
    fn bitwise_predicates_match_their_definitions() {
        let kinds = AccessKind::ALL;
        let mut cells = Vec::new();
        for slot in [0, 1, MAX_SLOTS - 1] {
            for epoch in [1, 2, Epoch::MAX.get()] {
                for mask in [0x01u8, 0x0f, 0xf0, 0x3c, 0xff, 0x80] {
                    for &kind in &kinds {
                        cells.push(Stamp::new(Slot::new(slot), Epoch::new(epoch)).cell(mask, kind));
                    }
                }
            }
        }
        for &a in &cells {
            for &b in &cells {
                let covers = b.mask() & !a.mask() == 0;
                let kind_ok = (!a.is_read() || b.is_read()) && (!a.is_atomic() || b.is_atomic());
                assert_eq!(
                    a.dominates(b),
                    covers && kind_ok && !a.is_freed() && !b.is_freed(),
                    "{a:?} dominates {b:?}"
                );
                assert_eq!(
                    a.same_epoch(b),
                    a.slot() == b.slot() && a.epoch() == b.epoch()
                );
                if !a.is_freed() {
                    let p = Probe::new(a);
                    assert_eq!(
                        p.dominated(b),
                        a.dominates(b),
                        "probe {a:?} dominates {b:?}"
                    );
                    assert_eq!(
                        p.conflicts(b),
                        b.conflicts(a),
                        "probe {a:?} conflicts {b:?}"
                    );
                }
                assert_eq!(
                    a.conflicts(b),
                    a.mask() & b.mask() != 0
                        && !(a.is_read() && b.is_read())
                        && !(a.is_atomic() && b.is_atomic())
                );
            }
        }
    }

    #[test]
    fn domination_follows_the_race_sets() {
        let (s, e) = (Slot::new(1), Epoch::new(1));
        let w8 = Cell::new(s, e, 0, 8, AccessKind::WRITE);
        let r8 = Cell::new(s, e, 0, 8, AccessKind::READ);
        let r4 = Cell::new(s, e, 0, 4, AccessKind::READ);
        let ar8 = Cell::new(s, e, 0, 8, AccessKind::ATOMIC_READ);
        let aw8 = Cell::new(s, e, 0, 8, AccessKind::ATOMIC_WRITE);
        let free = Cell::new(s, e, 0, 8, AccessKind::FREE);
        assert!(w8.dominates(r8) && w8.dominates(r4) && w8.dominates(aw8) && w8.dominates(ar8));
        assert!(!r8.dominates(w8), "a read does not replace a write");
        assert!(
            r8.dominates(r4) && !r4.dominates(r8),
            "bytes must be covered"
        );
        assert!(
            !ar8.dominates(r8),
            "an atomic read races with fewer accesses than a plain one"
        );
        assert!(r8.dominates(ar8));
        assert!(aw8.dominates(ar8) && !aw8.dominates(w8));
        assert!(!w8.dominates(free) && !free.dominates(w8));
    }
}
