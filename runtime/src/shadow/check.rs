//! The access check: the FastTrack rule applied to a word's shadow cells,
//! run on every instrumented load and store.
//!
//! An access races with a recorded one when they touch a common byte, come
//! from different slots, are not both reads, are not both atomic, and the
//! recorded epoch is not known to the accessing thread (`cell.epoch >
//! clock[cell.slot]`). After the check the access is recorded, replacing a
//! cell it makes redundant when there is one.
//!
//! The common case, a thread touching the same bytes again in the same
//! epoch, is answered by the word's primary cell alone: one load, one
//! compare. See `shadow::layout` for where the cells live.

use core::sync::atomic::Ordering::Relaxed;

use super::cell::{AccessKind, Cell, MASK, READ, byte_mask};
use super::layout::CELLS;
use super::memory::WordShadow;
use crate::report::race::{Conflict, report_race};
use crate::thread::ThreadState;

/// Frees check and poison at most this many bytes of a block (a free is a
/// write to the block; beyond the first kilobyte, the cost outweighs the
/// races it could find — the next allocation resets the shadow anyway).
pub const FREE_CHECK_LIMIT: usize = 1024;

/// An access of `size` bytes at `addr`, of any size and alignment.
#[inline(always)]
pub fn access(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    if size != 0 && (addr & 7) + size <= 8 {
        access_word(thr, addr, size, kind, pc);
    } else {
        access_range(thr, addr, size, kind, pc);
    }
}

/// An access of 1 to 8 bytes that stays inside one aligned word.
#[inline(always)]
pub fn access_word(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    debug_assert!(size >= 1 && (addr & 7) + size <= 8);
    if kind.is_atomic() {
        thr.counts.atomics += 1;
    } else {
        thr.counts.accesses += 1;
    }
    let Some(word) = thr.shadow.word(addr) else {
        return;
    };
    let cur = thr.stamp.cell(byte_mask(addr & 7, size), kind);
    // Ignored accesses are let through here: a repeat would be skipped
    // anyway; `slow_word` drops the others.
    if repeats(word, cur) {
        return;
    }
    // Few arguments, all in registers: the call becomes a tail jump and
    // the fast path above needs no stack frame.
    slow_word(thr, addr, size, kind, pc);
}

/// Whether an access of at most one word by `thr` is already recorded in
/// its current epoch (then checking it again can find nothing).
#[inline]
pub fn is_recorded(thr: &ThreadState, addr: usize, size: usize, kind: AccessKind) -> bool {
    if size == 0 || (addr & 7) + size > 8 {
        return false;
    }
    match thr.shadow.word(addr) {
        Some(word) => repeats(word, thr.stamp.cell(byte_mask(addr & 7, size), kind)),
        None => true,
    }
}

/// Whether `cur` is already recorded for this word in this epoch: a cell of
/// the same thread, epoch and kind covers its bytes (a read is also covered
/// by a write).
#[inline(always)]
fn repeats(word: WordShadow, cur: Cell) -> bool {
    let loose = if cur.is_read() { READ } else { 0 };
    let covers = |c: u64| {
        let c = c | loose;
        (c ^ cur.raw()) & !MASK == 0 && cur.raw() & !c & MASK == 0
    };
    if covers(word.primary().load(Relaxed)) {
        return true;
    }
    if !word.is_shared() {
        return false;
    }
    for k in 1..CELLS {
        let c = word.cell(k).load(Relaxed);
        if c == 0 {
            return false;
        }
        if covers(c) {
            return true;
        }
    }
    false
}

/// The check of an access that is not a repeat, common cases first: every
/// cell of the word is the thread's own (of an older epoch) or happens-before
/// it, so there is no race, and `cur` takes the place of the first one it
/// makes redundant (or of the first empty cell). That is what
/// [`check_and_store`] decides for such words, in fewer instructions and
/// without a stack frame. Everything else goes to [`slow_word_general`].
#[inline(never)]
fn slow_word(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    if thr.ignore_accesses != 0 {
        return;
    }
    let Some(word) = thr.shadow.word(addr) else {
        return;
    };
    let cur = thr.stamp.cell(byte_mask(addr & 7, size), kind);
    let n = if word.is_shared() { CELLS } else { 1 };
    let mut target = CELLS;
    for i in 0..CELLS {
        if i == n {
            break;
        }
        let c = Cell::from_raw(word.cell(i).load(Relaxed));
        if c.is_empty() {
            target = target.min(i);
            break;
        }
        if c.same_slot(cur) {
            if c.same_epoch(cur) {
                // Covered or mergeable: the general rule decides.
                return slow_word_general(thr, addr, size, kind, pc);
            }
        } else if c.epoch() > thr.clock.get(c.slot()) {
            // Maybe a race.
            return slow_word_general(thr, addr, size, kind, pc);
        }
        if target == CELLS && cur.dominates(c) {
            target = i;
        }
    }
    if target == CELLS {
        // A new cell is needed: open the secondary cells, or evict.
        return slow_word_general(thr, addr, size, kind, pc);
    }
    thr.dirty = true;
    word.cell(target).store(cur.raw(), Relaxed);
    // The history needs the accesses whose cells it may be asked about.
    if !thr
        .trace
        .try_push_access(addr as u64, size as u64, kind, pc)
    {
        thr.trace_access_slow(addr, size, kind, pc);
    }
}

/// [`slow_word`] in general: the full rule, and reports.
#[cold]
#[inline(never)]
fn slow_word_general(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    let Some(word) = thr.shadow.word(addr) else {
        return;
    };
    let cur = thr.stamp.cell(byte_mask(addr & 7, size), kind);
    let (race, stored) = check_and_store(thr, word, cur);
    if stored {
        // The history needs the accesses whose cells it may be asked about.
        thr.trace_access(addr, size, kind, pc);
    }
    if let Some(old) = race {
        report_race(
            thr,
            Conflict {
                addr,
                size,
                kind,
                pc,
                word: addr & !7,
                old,
            },
        );
        mark_reported(word);
    }
}

/// After a report on `word`, its accesses are no longer checked until its
/// memory is reset: one report per racy word, not one per access (a loop
/// racing on an array would otherwise report, and pay for, every iteration).
fn mark_reported(word: WordShadow) {
    word.primary().store(Cell::REPORTED.raw(), Relaxed);
    if word.is_shared() {
        super::memory::clear_secondary(word);
    }
}

/// An access of any number of bytes; a race is reported once per call.
pub fn access_range(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    thr.counts.ranges += 1;
    if size == 0 || thr.ignore_accesses != 0 {
        return;
    }
    thr.trace_access(addr, size, kind, pc);
    let end = addr.saturating_add(size);
    let mut reported = false;
    let mut a = addr;
    while a < end {
        let word_end = (a & !7).saturating_add(8);
        let n = word_end.min(end) - a;
        if let Some(word) = thr.shadow.word(a) {
            let cur = thr.stamp.cell(byte_mask(a & 7, n), kind);
            if !repeats(word, cur) {
                if let (Some(old), _) = check_and_store(thr, word, cur) {
                    if !reported {
                        reported = true;
                        report_race(
                            thr,
                            Conflict {
                                addr,
                                size,
                                kind,
                                pc,
                                word: a & !7,
                                old,
                            },
                        );
                    }
                    mark_reported(word);
                }
            }
        }
        a = word_end;
    }
}

/// `[addr, addr + size)` is freed by `thr`: the free is checked as a write,
/// then the memory is marked freed so that later unordered accesses race
/// with the free.
pub fn free_range(thr: &mut ThreadState, addr: usize, size: usize, pc: u64) {
    let size = size.min(FREE_CHECK_LIMIT);
    if size == 0 || thr.ignore_accesses != 0 {
        return;
    }
    thr.trace_access(addr, size, AccessKind::FREE, pc);
    thr.dirty = true;
    let start = addr & !7;
    let end = addr.saturating_add(size);
    let mut reported = false;
    let mut a = start;
    while a < end {
        if let Some(word) = thr.shadow.word(a) {
            let probe = thr.stamp.cell(0xff, AccessKind::WRITE);
            if let Some(old) = scan(thr, word, probe).race() {
                if !reported {
                    reported = true;
                    report_race(
                        thr,
                        Conflict {
                            addr,
                            size,
                            kind: AccessKind::FREE,
                            pc,
                            word: a,
                            old,
                        },
                    );
                }
            }
            // One freed cell replaces everything recorded for the word.
            word.primary()
                .store(thr.stamp.cell(0xff, AccessKind::FREE).raw(), Relaxed);
            if word.is_shared() {
                super::memory::clear_secondary(word);
            }
        }
        a += 8;
    }
}

/// No cell index.
const NONE: u8 = u8::MAX;

/// What the check of a word found (a few scalars, so it stays in registers).
#[derive(Copy, Clone)]
struct Scan {
    shared: bool,
    /// The first racing cell (raw), 0 if none.
    race: u64,
    /// An own cell of the same epoch that covers the access: nothing to store.
    covered: bool,
    /// A cell the access makes redundant: ours, or another thread's that
    /// happens-before us and that we dominate.
    redundant: u8,
    /// An own cell of the same epoch and kind to merge with, and its bytes.
    mergeable: u8,
    merge_mask: u8,
    /// The first empty cell (secondary cells only counted when shared).
    empty: u8,
}

impl Scan {
    #[inline(always)]
    fn race(&self) -> Option<Cell> {
        (self.race != 0).then_some(Cell::from_raw(self.race))
    }

    /// Applies the rule to cell `i`, which is not empty.
    #[inline(always)]
    fn visit(&mut self, thr: &ThreadState, cur: Cell, i: u8, c: Cell) {
        if c.same_slot(cur) {
            // Our own slot: earlier accesses of this thread, or of a
            // previous owner of the slot, which happens-before us (see
            // `clock::slots`). Never a race.
            let same_epoch = c.same_epoch(cur);
            if same_epoch && c.dominates(cur) {
                self.covered = true;
            } else if self.redundant == NONE && cur.dominates(c) {
                self.redundant = i;
            } else if self.mergeable == NONE && same_epoch && c.kind() == cur.kind() {
                // Same thread, epoch and kind: one cell with both byte
                // masks says exactly what the two would.
                self.mergeable = i;
                self.merge_mask = c.mask();
            }
            return;
        }
        if c.epoch() <= thr.clock.get(c.slot()) {
            // Happens-before us. If we also dominate it, every later
            // access that would race with it races with us: replace it
            // (FastTrack's rule for ordered writes, for any cell).
            if self.redundant == NONE && cur.dominates(c) {
                self.redundant = i;
            }
            return;
        }
        if self.race == 0 && c.conflicts(cur) {
            self.race = c.raw();
        }
    }
}

/// Checks `cur` against the word's cells. The cells are visited with
/// constant plane numbers (their addresses are constant offsets from the
/// primary cell's); secondary cells are filled in order, so the first
/// empty one ends them.
#[inline(always)]
fn scan(thr: &ThreadState, word: WordShadow, cur: Cell) -> Scan {
    let shared = word.is_shared();
    let mut s = Scan {
        shared,
        race: 0,
        covered: false,
        redundant: NONE,
        mergeable: NONE,
        merge_mask: 0,
        empty: NONE,
    };
    let c = Cell::from_raw(word.primary().load(Relaxed));
    if c == Cell::REPORTED {
        s.covered = true;
        return s;
    }
    if c.is_empty() {
        s.empty = 0;
        return s;
    }
    s.visit(thr, cur, 0, c);
    if !shared {
        return s;
    }
    const _: () = assert!(CELLS == 4);
    for i in [1u8, 2, 3] {
        let c = Cell::from_raw(word.cell(i as usize).load(Relaxed));
        if c.is_empty() {
            s.empty = i;
            return s;
        }
        s.visit(thr, cur, i, c);
    }
    s
}

/// Records `cur` as `scan` decided: returns whether a cell was stored.
#[inline(always)]
fn store(thr: &mut ThreadState, word: WordShadow, cur: Cell, s: &Scan) -> bool {
    if s.covered {
        return false;
    }
    thr.dirty = true;
    let (index, cell) = if s.redundant != NONE {
        (s.redundant, cur)
    } else if s.mergeable != NONE {
        (s.mergeable, cur.with_mask(cur.mask() | s.merge_mask))
    } else if s.empty == 0 {
        (0, cur)
    } else if !s.shared {
        // The word gets its second user: open its secondary cells. The bit
        // is set before the cell is written so no reader misses the cell.
        word.mark_shared();
        (1, cur)
    } else if s.empty != NONE {
        (s.empty, cur)
    } else {
        // All cells hold accesses of other threads: evict one, round-robin.
        thr.evictions = thr.evictions.wrapping_add(1);
        ((thr.evictions as usize % CELLS) as u8, cur)
    };
    word.cell(index as usize).store(cell.raw(), Relaxed);
    true
}

/// Checks `cur` against the word's cells and records it. Returns a cell it
/// races with, if any, and whether a cell was stored.
#[inline(always)]
fn check_and_store(thr: &mut ThreadState, word: WordShadow, cur: Cell) -> (Option<Cell>, bool) {
    let s = scan(thr, word, cur);
    let stored = store(thr, word, cur, &s);
    (s.race(), stored)
}
