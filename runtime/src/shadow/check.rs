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

use core::sync::atomic::Ordering::{Relaxed, Release};

use super::cell::{AccessKind, Cell, MASK, Probe, READ, byte_mask};
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
    } else if size != 0 && size <= SPAN_MAX && addr <= usize::MAX - SPAN_MAX {
        access_span(thr, addr, size, kind, pc);
    } else {
        // Also no bytes at all (a `memcpy` of nothing): counted, then done.
        access_range(thr, addr, size, kind, pc);
    }
}

/// The largest access [`access_span`] takes.
const SPAN_MAX: usize = 16;

/// An access of at most [`SPAN_MAX`] bytes that crosses a word boundary:
/// an unaligned load or store, a 16-byte one, or a small `memcpy` the
/// compiler reports as a range (gcc turns the `memcpy` idiom of unaligned
/// loads into `__tsan_read_range(p, 8)`: a third of zstd's hook calls).
/// The common case, every word a repeat, is answered by the words' primary
/// cells, as [`access_word`] answers it for one word.
#[inline(always)]
fn access_span(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    debug_assert!(size > 8 - (addr & 7) && size <= SPAN_MAX);
    let first = addr & !7;
    let last = (addr + size - 1) & !7;
    // The first word from `addr` on, the last one up to the access's end,
    // and (16 bytes, unaligned) a whole word between them.
    let head = thr.stamp.cell(0xff << (addr & 7), kind);
    let tail = thr.stamp.cell(0xff >> (7 - ((addr + size - 1) & 7)), kind);
    let repeat = covers(thr.shadow.primary_of(first).load(Relaxed), head)
        && covers(thr.shadow.primary_of(last).load(Relaxed), tail)
        && (last - first == 8
            || covers(
                thr.shadow.primary_of(first + 8).load(Relaxed),
                thr.stamp.cell(0xff, kind),
            ));
    if repeat {
        if thr.count_hooks {
            thr.counts.ranges += 1;
        }
        return;
    }
    access_span_slow(thr, addr, size, kind, pc);
}

/// [`access_span`] when a word is not a repeat in its primary cell: each
/// word checked as [`slow_word`] checks one, without the set-up of
/// [`access_range`], which takes over the whole access when a word needs
/// the general rule (a possible race: reported once for the access, as a
/// range is; the words recorded here are repeats for it).
#[inline(never)]
fn access_span_slow(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    if thr.ignore_accesses != 0 {
        return;
    }
    let end = addr + size;
    let mut stored = false;
    let mut a = addr;
    while a < end {
        let word_end = (a & !7) + 8;
        let cur = thr
            .stamp
            .cell(byte_mask(a & 7, word_end.min(end) - a), kind);
        let primary = thr.shadow.primary_of(a).load(Relaxed);
        if !covers(primary, cur)
            && let Some(word) = thr.shadow.word(a)
        {
            let shared = word.is_shared();
            // As in `slow_word`: the other thread's cell in front, ours the
            // next one.
            let done = (shared && covers(word.cell(1).load(Relaxed), cur))
                || quick_store_word(thr, word, cur, primary, shared, &mut stored);
            if !done {
                if stored {
                    thr.trace_access(addr, size, kind, pc);
                }
                return access_range(thr, addr, size, kind, pc);
            }
        }
        a = word_end;
    }
    thr.counts.ranges += 1;
    if stored {
        trace_stored(thr, addr, size, kind, pc);
    }
}

/// Counts a word access while hooks are counted (`stats=1`).
#[inline(always)]
fn count_access(thr: &mut ThreadState, kind: AccessKind) {
    if thr.count_hooks {
        if kind.is_atomic() {
            thr.counts.atomics += 1;
        } else {
            thr.counts.accesses += 1;
        }
    }
}

/// An access that an interceptor called from `caller_pc` makes at `pc` for
/// the program (a lock reading its own word, `memcpy` its buffers): checked
/// as [`access`] would with the interceptor's frame on the stack. A repeat
/// in one word costs what [`access_word`]'s does; a stored access is one
/// history event (`Event::CalledAccess`: no entry and exit events, and the
/// caller's next access stays near the previous one in the history); the
/// frame goes on the shadow stack only for the general rule, which may
/// report (a lock's read used to cost 148 instructions a call,
/// docs/PERFORMANCE.md §29).
#[inline(always)]
pub fn called_access(
    thr: &mut ThreadState,
    addr: usize,
    size: usize,
    kind: AccessKind,
    caller_pc: u64,
    pc: u64,
) {
    if size != 0 && (addr & 7) + size <= 8 {
        count_access(thr, kind);
        let cur = thr.stamp.cell(byte_mask(addr & 7, size), kind);
        let primary = thr.shadow.primary_of(addr).load(Relaxed);
        if covers(primary, cur) {
            return;
        }
        return called_access_word(thr, addr, size, cur, (caller_pc, pc), primary);
    }
    called_access_range(thr, addr, size, kind, caller_pc, pc);
}

/// [`called_access`] of one word that is not a repeat of the primary cell.
#[inline(never)]
fn called_access_word(
    thr: &mut ThreadState,
    addr: usize,
    size: usize,
    cur: Cell,
    (caller_pc, pc): (u64, u64),
    primary: u64,
) {
    if thr.ignore_accesses != 0 {
        return;
    }
    let Some(word) = thr.shadow.word(addr) else {
        return;
    };
    let mut stored = false;
    if quick_store_word(thr, word, cur, primary, word.is_shared(), &mut stored) {
        if stored {
            thr.trace_called_access(caller_pc, addr, size, cur.kind(), pc);
        }
        return;
    }
    thr.func_entry(caller_pc);
    slow_word_general(thr, addr, size, cur.kind(), pc);
    thr.func_exit();
}

/// [`called_access`] of more than one word, or none.
#[inline(never)]
fn called_access_range(
    thr: &mut ThreadState,
    addr: usize,
    size: usize,
    kind: AccessKind,
    caller_pc: u64,
    pc: u64,
) {
    thr.func_entry(caller_pc);
    access(thr, addr, size, kind, pc);
    thr.func_exit();
}

/// An access of 1 to 8 bytes that stays inside one aligned word.
#[inline(always)]
pub fn access_word(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    debug_assert!(size >= 1 && (addr & 7) + size <= 8);
    count_access(thr, kind);
    let cur = thr.stamp.cell(byte_mask(addr & 7, size), kind);
    // The primary cell first, whatever the address (see
    // `Shadow::primary_of`); ignored accesses are let through here too: a
    // repeat would be skipped anyway, `slow_word` drops the others.
    let primary = thr.shadow.primary_of(addr).load(Relaxed);
    if covers(primary, cur) {
        return;
    }
    // Few arguments, all in registers: the call becomes a tail jump and
    // the fast path above needs no stack frame. The access's cell and the
    // primary cell go along (not computed and loaded again).
    slow_word(thr, addr, size, cur, pc, primary);
}

/// The slow path of [`access_word`] for the hand-written fast paths of
/// `abi::fast`, which found the primary cell `primary` not covering `cur`.
#[inline(always)]
pub fn slow_word_after_fast_path(
    thr: &mut ThreadState,
    addr: usize,
    size: usize,
    cur: Cell,
    pc: u64,
    primary: u64,
) {
    slow_word(thr, addr, size, cur, pc, primary);
}

/// Whether cell `c` records `cur` already: same thread, epoch and kind
/// (a write stands for a read), and at least its bytes.
#[inline(always)]
fn covers(c: u64, cur: Cell) -> bool {
    // Same slot, epoch and kind (a write standing for a read: the READ bit
    // may differ then), and every byte of `cur` in `c`: the bits where the
    // two differ are neither outside the byte mask (but READ for a read)
    // nor bytes of `cur`. One xor and one mask test, the mask a constant
    // for a given size and offset, `c` left intact for the slow path.
    let loose = if cur.is_read() { READ } else { 0 };
    let m = !(MASK | loose) | (cur.raw() & MASK);
    (c ^ cur.raw()) & m == 0
}

/// Whether `cur` is already recorded for this word in this epoch: a cell of
/// the same thread, epoch and kind covers its bytes (a read is also covered
/// by a write).
#[inline(always)]
fn repeats(word: WordShadow, cur: Cell) -> bool {
    repeats_in(word, cur, || word.is_shared())
}

/// [`repeats`], with the word's shared bit given (looked up only if needed).
#[inline(always)]
fn repeats_in(word: WordShadow, cur: Cell, shared: impl FnOnce() -> bool) -> bool {
    covers(word.primary().load(Relaxed), cur) || shared() && repeats_secondary(word, cur)
}

/// Whether one of the word's secondary cells records `cur` already.
#[inline(always)]
fn repeats_secondary(word: WordShadow, cur: Cell) -> bool {
    for k in 1..CELLS {
        let c = word.cell(k).load(Relaxed);
        if c == 0 {
            return false;
        }
        if covers(c, cur) {
            return true;
        }
    }
    false
}

/// Records an access that is not a repeat, in the common cases: no cell of
/// the word races with it (each is the thread's own, happens-before it, or
/// cannot conflict with it: both reads, both atomic, other bytes) and no own
/// cell of this epoch covers the access. Then it decides as
/// [`check_and_store`] does, in fewer instructions: `cur` replaces the first
/// cell it makes redundant (and a second one is dropped), else merges with
/// an own cell of this epoch and kind, else takes the first empty cell,
/// opens the secondary cells, or evicts one; in a shared word it is stored
/// in front (`store_in_front`). Returns `false`, having stored nothing, when
/// the word needs the general rule (a possible race, a covering cell, a
/// reported word).
#[inline(always)]
fn quick_store(thr: &mut ThreadState, word: WordShadow, cur: Cell, shared: bool) -> bool {
    if shared {
        return quick_store_shared(thr, word, cur) == Quick::Stored;
    }
    quick_store_unshared(thr, word, cur)
}

/// What [`quick_store_shared`] did.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Quick {
    /// Nothing: the word needs the general rule.
    General,
    /// Stored a cell.
    Stored,
    /// Nothing: a secondary cell records the access already (a repeat).
    Repeat,
}

/// [`quick_store`] for a word whose only cell is its primary one.
#[inline(always)]
fn quick_store_unshared(thr: &mut ThreadState, word: WordShadow, cur: Cell) -> bool {
    quick_store_primary(thr, word, cur, Cell::from_raw(word.primary().load(Relaxed)))
}

/// [`quick_store_unshared`], the primary cell `c` already loaded.
#[inline(always)]
fn quick_store_primary(thr: &mut ThreadState, word: WordShadow, cur: Cell, c: Cell) -> bool {
    let mut cell = cur;
    let replace = if c.is_empty() {
        true
    } else if c.is_reported() {
        return false;
    } else if c.same_slot(cur) {
        if c.same_epoch(cur) {
            if c.dominates(cur) {
                return false;
            }
            if !cur.dominates(c) && c.kind() == cur.kind() {
                cell = cur.with_mask(cur.mask() | c.mask());
                true
            } else {
                cur.dominates(c)
            }
        } else {
            cur.dominates(c)
        }
    } else if c.epoch() > thr.clock.get(c.slot()) {
        // Not ordered before us: a race unless the two cannot conflict
        // (both reads, both atomic, other bytes); then both cells stay.
        if c.conflicts(cur) {
            return false;
        }
        false
    } else {
        cur.dominates(c)
    };
    thr.dirty = true;
    if replace {
        word.primary().store(cell.raw(), Relaxed);
    } else {
        // The word gets its second user: open its secondary cells (the bit
        // set before a cell is written, so no reader misses the cell), the
        // new access in front (`store_in_front`).
        word.mark_shared();
        store_in_front(word, 1, cur, c);
    }
    true
}

/// [`quick_store`] for a word whose secondary cells are open; also tells a
/// repeat recorded in a secondary cell (the primary one was looked at
/// before, or is looked at here).
#[inline(never)]
fn quick_store_shared(thr: &mut ThreadState, word: WordShadow, cur: Cell) -> Quick {
    quick_store_shared_inline(thr, word, cur)
}

/// [`quick_store_shared`], inlined into [`slow_word_shared`].
#[inline(always)]
fn quick_store_shared_inline(thr: &mut ThreadState, word: WordShadow, cur: Cell) -> Quick {
    let (mut redundant, mut mergeable, mut empty) = (CELLS, CELLS, CELLS);
    // A second cell `cur` makes redundant, dropped too: otherwise a thread
    // that reads and then writes a word in each epoch leaves its older
    // writes behind (a read does not make a write redundant; the write
    // replaces the first redundant cell, which is the read in front) and the
    // word fills up with them.
    let mut redundant2 = CELLS;
    let mut merge_mask = 0;
    // `cur.dominates(c)` and `c.conflicts(cur)` with their masks computed once.
    let probe = Probe::new(cur);
    let dominated = |c: Cell| probe.dominated(c);
    let conflicts = |c: Cell| probe.conflicts(c);
    const _: () = assert!(CELLS == 4);
    // Unrolled by hand, with constant cell numbers: the compiler keeps
    // everything in registers (a loop over the cells it does not).
    let first = Cell::from_raw(word.primary().load(Relaxed));
    if first.same_epoch(cur)
        && !first.dominates(cur)
        && (first.kind() == cur.kind() || dominated(first))
    {
        return extend_own_front(thr, word, cur, first);
    }
    'cells: {
        macro_rules! visit {
            ($i:literal) => {
                let c = if $i == 0 {
                    first
                } else {
                    Cell::from_raw(word.cell($i).load(Relaxed))
                };
                if c.is_empty() {
                    empty = $i;
                    break 'cells;
                }
                if c.is_reported() {
                    return Quick::General;
                }
                if c.same_slot(cur) {
                    if c.same_epoch(cur) {
                        if c.dominates(cur) {
                            // A repeat (`covers`: with the same epoch and
                            // the bytes, the same kind or a write for a
                            // read), else the general rule.
                            return if c.kind().bits() | READ == cur.kind().bits() | READ {
                                Quick::Repeat
                            } else {
                                Quick::General
                            };
                        }
                        if dominated(c) {
                            if redundant == CELLS {
                                redundant = $i;
                            } else if redundant2 == CELLS {
                                redundant2 = $i;
                            }
                        } else if mergeable == CELLS && c.kind() == cur.kind() {
                            mergeable = $i;
                            merge_mask = c.mask();
                        }
                    } else if redundant2 == CELLS && dominated(c) {
                        if redundant == CELLS {
                            redundant = $i;
                        } else {
                            redundant2 = $i;
                        }
                    }
                } else {
                    // Another thread's: whether it happens-before us only
                    // matters if it could race, or could be replaced.
                    let conflicts = conflicts(c);
                    let replaceable = redundant2 == CELLS && dominated(c);
                    if conflicts || replaceable {
                        if c.epoch() > thr.clock.get(c.slot()) {
                            // Not ordered before us: a race if they conflict.
                            if conflicts {
                                return Quick::General;
                            }
                        } else if replaceable {
                            if redundant == CELLS {
                                redundant = $i;
                            } else {
                                redundant2 = $i;
                            }
                        }
                    }
                }
            };
        }
        visit!(0);
        visit!(1);
        visit!(2);
        visit!(3);
    }
    let (index, cell) = if redundant < CELLS {
        (redundant, cur)
    } else if mergeable < CELLS {
        (mergeable, cur.with_mask(cur.mask() | merge_mask))
    } else if empty < CELLS {
        (empty, cur)
    } else {
        // All cells hold other accesses: evict one, round-robin.
        thr.evictions = thr.evictions.wrapping_add(1);
        (thr.evictions as usize % CELLS, cur)
    };
    thr.dirty = true;
    store_in_front(word, index, cell, first);
    if redundant2 < CELLS {
        // `redundant < redundant2`, so the cell is still where it was
        // found.
        let last = if empty < CELLS { empty - 1 } else { CELLS - 1 };
        remove_secondary(word, redundant2, last);
    }
    Quick::Stored
}

/// [`quick_store_shared`] when the word's primary cell `front` is ours, of
/// this epoch, and `cur` extends it (same kind, more bytes) or supersedes
/// it (dominates it): the front cell becomes the union of the two, or
/// `cur`, and stays in front. The other cells are checked for a race with
/// it (our own never race; the bytes of `front` were checked before, and
/// are again: one probe for both); an older cell of ours that it makes
/// redundant is dropped, the last cell taking its place, as the full
/// visit drops a second redundant cell (else a thread that reads and then
/// writes a word in each epoch fills it with its older writes). Which
/// other threads' cells it would make redundant is not looked for (the
/// full visit would put it in the place of such a cell and keep `front`
/// too: more cells kept for the word, the same verdicts).
///
/// The common case of words whose bytes a thread touches one field at a
/// time, or reads and then writes, in each epoch.
#[inline(always)]
fn extend_own_front(thr: &mut ThreadState, word: WordShadow, cur: Cell, front: Cell) -> Quick {
    let cell = if front.kind() == cur.kind() {
        cur.with_mask(cur.mask() | front.mask())
    } else {
        cur
    };
    let probe = Probe::new(cell);
    let (mut redundant, mut end) = (CELLS, CELLS);
    const _: () = assert!(CELLS == 4);
    for k in 1..CELLS {
        let c = Cell::from_raw(word.cell(k).load(Relaxed));
        if c.is_empty() {
            end = k;
            break;
        }
        if c.is_reported() {
            return Quick::General;
        }
        if c.same_slot(cur) {
            if redundant == CELLS && probe.dominated(c) {
                redundant = k;
            }
        } else if probe.conflicts(c) && c.epoch() > thr.clock.get(c.slot()) {
            return Quick::General;
        }
    }
    thr.dirty = true;
    word.primary().store(cell.raw(), Relaxed);
    if redundant < CELLS {
        remove_secondary(word, redundant, end - 1);
    }
    Quick::Stored
}

/// Removes secondary cell `index` of `word`, whose last occupied cell is
/// `last`: the last cell takes its place (cells stay without gaps),
/// written there before its old place is cleared (see `store_in_front`
/// for what a concurrent check sees).
#[inline(always)]
fn remove_secondary(word: WordShadow, index: usize, last: usize) {
    debug_assert!(0 < index && index <= last && last < CELLS);
    if last != index {
        let moved = word.cell(last).load(Relaxed);
        word.cell(index).store(moved, Relaxed);
    }
    word.cell(last).store(0, Release);
}

/// Stores `cell`, which takes the place of cell `index` of `word`, as the
/// word's primary cell, the cell it displaces (`primary`, as loaded) going
/// to `index`: the thread that stored last finds its repeats with the
/// primary cell, the fast paths' only load (the common pattern is a word
/// written by one thread and then read by another, which would otherwise
/// miss the primary cell on every read).
///
/// The displaced cell is written first, and the primary cell with release
/// order, so that neither the compiler nor the CPU makes the second store
/// visible before the first: on x86-64 (loads seen in order too) a
/// concurrent check finds the displaced cell at one place or the other.
/// The checks' loads are relaxed, as ThreadSanitizer's are: on a weakly
/// ordered CPU a check racing with this store may miss the displaced cell
/// for that moment, as any check may miss a cell that two threads store
/// into one word at once.
///
/// One exception: an atomic write next to an atomic primary cell just
/// takes place `index` ([`stays_behind`]).
#[inline(always)]
fn store_in_front(word: WordShadow, index: usize, cell: Cell, primary: Cell) {
    if index != 0 {
        if stays_behind(cell, primary) {
            word.cell(index).store(cell.raw(), Relaxed);
            return;
        }
        word.cell(index).store(primary.raw(), Relaxed);
    }
    word.primary().store(cell.raw(), Release);
}

/// Whether `cell`, about to be stored into a secondary place of a word
/// whose primary cell is `primary`, stays there rather than going in front:
/// an atomic write next to an atomic primary cell (threads adding to one
/// counter, taking turns at a flag).
///
/// Stored in front, every such access writes two of the word's cells, and
/// so two cache lines that the other threads at the variable read next:
/// the atomics workload's adds took 10% longer (docs/PERFORMANCE.md §29).
/// The primary cell was then not checked against `cell`, as `renew`
/// assumes of the cells behind it; it need not be: atomic accesses never
/// race with each other, and what renews an atomic primary cell has its
/// kind, atomic. (Loads stay going in front: a thread spinning on a flag
/// that another one writes finds its repeats in the primary cell.)
#[inline(always)]
fn stays_behind(cell: Cell, primary: Cell) -> bool {
    cell.is_atomic() && !cell.is_read() && primary.is_atomic()
}

/// Records `cur` in `word`, whose primary cell `primary` does not cover it,
/// by the quick rules (shared or not, as `shared` says; inlined). Returns
/// whether that decided the word: a cell stored (then `stored` is set) or a
/// repeat found in a secondary cell; `false` when the word needs the
/// general rule.
#[inline(always)]
fn quick_store_word(
    thr: &mut ThreadState,
    word: WordShadow,
    cur: Cell,
    primary: u64,
    shared: bool,
    stored: &mut bool,
) -> bool {
    if cur.renews(Cell::from_raw(primary)) {
        renew(thr, word, cur);
        *stored = true;
        return true;
    }
    // As in `slow_word`: a shared word whose secondary cells are empty is
    // decided as an unshared one.
    if shared && word.cell(1).load(Relaxed) != 0 {
        match quick_store_shared_inline(thr, word, cur) {
            Quick::Stored => {
                *stored = true;
                true
            }
            Quick::Repeat => true,
            Quick::General => false,
        }
    } else {
        let ok = quick_store_primary(thr, word, cur, Cell::from_raw(primary));
        *stored |= ok;
        ok
    }
}

/// The check of an access that is not a repeat: the common cases
/// ([`quick_store`]) without a stack frame, everything else in
/// [`slow_word_general`].
#[inline(never)]
fn slow_word(thr: &mut ThreadState, addr: usize, size: usize, cur: Cell, pc: u64, primary: u64) {
    if thr.ignore_accesses != 0 {
        return;
    }
    let Some(word) = thr.shadow.word(addr) else {
        return;
    };
    if cur.renews(Cell::from_raw(primary)) {
        renew(thr, word, cur);
        return trace_stored_apart(thr, addr, size, cur.kind(), pc);
    }
    // The primary cell did not cover the access (`access_word`). Only tail
    // calls from here: this function needs no stack frame, and each
    // callee saves only the registers its own path uses.
    if word.is_shared() {
        // Repeats are common on shared words: the primary cell is another
        // thread's, ours is the next one. Looked for first, without a call
        // (`quick_store_shared` finds repeats in the other cells).
        let behind = word.cell(1).load(Relaxed);
        if covers(behind, cur) {
            return;
        }
        if behind == 0 {
            // Secondary cells are filled in order: the primary cell is the
            // word's only one, as in a word never shared. Threads that take
            // turns at a word leave it so (each replaces the other's cell,
            // which happens before it, and drops its own older one), and
            // each first access in a turn would otherwise go through the
            // visit of all four cells (sqlite_mt, prodcons).
            return slow_word_unshared(thr, word, size, cur, pc, primary);
        }
        return slow_word_shared(thr, word, size, cur, pc);
    }
    slow_word_unshared(thr, word, size, cur, pc, primary)
}

/// Records `cur`, which renews the word's primary cell (`Cell::renews`:
/// the same thread's access of the same kind to the same bytes in an
/// earlier epoch), by replacing that cell, without a look at the others.
///
/// That decides as the full rule would because the newest cell of a word
/// is its primary one (every rule stores in front, see `store_in_front`,
/// except next to a reported mark, which is no thread's cell, and an
/// atomic write next to an atomic primary cell, which conflicts neither
/// with that cell nor with `cur`, atomic too): the word's
/// other cells were all there when the primary cell was stored, and were
/// checked against it then. Each that conflicts with it, and so with
/// `cur` (same kind, same bytes), happened before it, and so before `cur`
/// (a thread's clock only grows); one that did not would have been
/// reported, leaving the reported mark in front. The cells that do not
/// conflict with it do not conflict with `cur` either. This is the common
/// case in a word shared by threads that take turns: each thread's first
/// access in a turn finds the other's cell in front (the full rule), its
/// accesses in its later epochs (every lock release starts one) find their
/// own.
///
/// What it gives up: two threads storing into one word at the same moment
/// can leave a cell in a secondary place that the other's primary cell was
/// not checked against (a lost update, as ThreadSanitizer's cells have
/// too). Such accesses race; each thread checked its own against the cells
/// it saw, and this rule does not look again at later accesses with the
/// same kind and bytes.
#[inline(always)]
fn renew(thr: &mut ThreadState, word: WordShadow, cur: Cell) {
    thr.dirty = true;
    word.primary().store(cur.raw(), Relaxed);
}

/// [`slow_word`] for a word whose only cell is its primary one, `primary`
/// (never shared, or shared with its secondary cells empty).
#[inline(never)]
fn slow_word_unshared(
    thr: &mut ThreadState,
    word: WordShadow,
    size: usize,
    cur: Cell,
    pc: u64,
    primary: u64,
) {
    let (addr, kind) = (word.app_addr(), cur.kind());
    if !quick_store_primary(thr, word, cur, Cell::from_raw(primary)) {
        return slow_word_general(thr, addr, size, kind, pc);
    }
    trace_stored_apart(thr, addr, size, kind, pc);
}

/// [`slow_word`] for a word whose secondary cells are open.
#[inline(never)]
fn slow_word_shared(thr: &mut ThreadState, word: WordShadow, size: usize, cur: Cell, pc: u64) {
    let (addr, kind) = (word.app_addr(), cur.kind());
    match quick_store_shared_inline(thr, word, cur) {
        Quick::Stored => trace_stored_apart(thr, addr, size, kind, pc),
        Quick::Repeat => {}
        Quick::General => slow_word_general(thr, addr, size, kind, pc),
    }
}

/// [`trace_stored`], tail-called by the slow paths: out of line, the
/// quick rule before it keeps fewer values live (in `slow_word_shared`,
/// callgrind: mutex_counter -1.6%, prodcons -2%).
#[inline(never)]
fn trace_stored_apart(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    trace_stored(thr, addr, size, kind, pc);
}

/// Records a stored access in the history, which needs the accesses whose
/// cells it may be asked about.
#[inline(always)]
fn trace_stored(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
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
        mark_reported(word, cur.mask());
    }
}

/// After a report of a race on bytes `bytes` of `word`, accesses within
/// those bytes are no longer checked until the memory is reset: one report
/// per racy location, not one per access (a loop racing on an array would
/// otherwise report, and pay for, every iteration). What the word's cells
/// say about its other bytes is kept: a neighbouring variable in the same
/// word must still have its own races found.
fn mark_reported(word: WordShadow, bytes: u8) {
    let primary = Cell::from_raw(word.primary().load(Relaxed));
    let done = if primary.is_reported() {
        primary.mask() | bytes
    } else {
        bytes
    };
    if done == 0xff {
        word.primary().store(Cell::REPORTED.raw(), Relaxed);
        if word.is_shared() {
            super::memory::clear_secondary(word);
        }
        return;
    }
    // The cells, less the reported bytes, move to the secondary cells
    // (the primary one holds the mark); at most three survive.
    let mut kept = [Cell::EMPTY; CELLS - 1];
    let mut n = 0;
    let mut keep = |c: Cell| {
        let c = c.with_mask(c.mask() & !done);
        if !c.is_empty() && n < kept.len() {
            kept[n] = c;
            n += 1;
        }
    };
    if !primary.is_reported() {
        keep(primary);
    }
    let shared = word.is_shared();
    if shared {
        for i in 1..CELLS {
            let c = Cell::from_raw(word.cell(i).load(Relaxed));
            if c.is_empty() {
                break;
            }
            keep(c);
        }
    }
    if n > 0 && !shared {
        // As when a word gets its second user: the bit before the cells.
        word.mark_shared();
    }
    if n > 0 || shared {
        for (i, c) in kept.iter().enumerate() {
            word.cell(i + 1).store(c.raw(), Relaxed);
        }
    }
    word.primary().store(Cell::reported(done).raw(), Relaxed);
}

/// An access of any number of bytes; a race is reported once per call.
pub fn access_range(thr: &mut ThreadState, addr: usize, size: usize, kind: AccessKind, pc: u64) {
    thr.counts.ranges += 1;
    if size == 0 || thr.ignore_accesses != 0 {
        return;
    }
    let end = addr.saturating_add(size);
    let mut reported = false;
    let mut stored = false;
    let mut a = addr;
    while a < end {
        if a & 7 == 0 && end - a >= RUN_MIN {
            // Whole words, up to the end of their 512-byte block.
            let run_end = (end & !7).min((a | 511) + 1);
            let (stop, any) = range_run(thr, a, run_end, kind);
            stored |= any;
            a = stop;
            if a == run_end {
                continue;
            }
        }
        let word_end = (a & !7).saturating_add(8);
        let n = word_end.min(end) - a;
        if let Some(word) = thr.shadow.word(a) {
            let cur = thr.stamp.cell(byte_mask(a & 7, n), kind);
            if !repeats(word, cur) {
                if quick_store(thr, word, cur, word.is_shared()) {
                    stored = true;
                    a = word_end;
                    continue;
                }
                let (race, any) = check_and_store(thr, word, cur);
                stored |= any;
                if let Some(old) = race {
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
                    mark_reported(word, cur.mask());
                }
            }
        }
        a = word_end;
    }
    if stored {
        // The history needs the accesses whose cells it may be asked about
        // (a range whose every word was a repeat added none).
        thr.trace_access(addr, size, kind, pc);
    }
}

/// Aligned stretches of at least this many bytes go through [`range_run`].
const RUN_MIN: usize = 64;

/// Whole words `[a, run_end)` of one 512-byte block (one word of the
/// shared bitmap, loaded once), as long as each is a repeat or
/// [`quick_store`] records it. Returns where it stopped (`run_end`, or the
/// first word that needs the general rule) and whether it stored a cell.
#[inline(always)]
fn range_run(thr: &mut ThreadState, a: usize, run_end: usize, kind: AccessKind) -> (usize, bool) {
    let Some(first) = thr.shadow.word(a) else {
        return (a, false);
    };
    let count = (run_end - a) / 8;
    let shared = first.shared_bits() >> ((a >> 3) & 63);
    let cur = thr.stamp.cell(0xff, kind);
    let mut stored = false;
    let mut i = 0;
    while i < count {
        let word = first.offset(i);
        let shared = (shared >> i) & 1 != 0;
        let primary = word.primary().load(Relaxed);
        if !covers(primary, cur) {
            // Inlined: a run of shared words (a page two threads copy) pays
            // for no call.
            if !quick_store_word(thr, word, cur, primary, shared, &mut stored) {
                break;
            }
        }
        i += 1;
    }
    (a + 8 * i, stored)
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
    let probe = thr.stamp.cell(0xff, AccessKind::WRITE);
    let freed = thr.stamp.cell(0xff, AccessKind::FREE);
    let mut reported = false;
    let mut a = start;
    while a < end {
        let Some(first) = thr.shadow.word(a) else {
            a += 8;
            continue;
        };
        // The words of this 512-byte block: one load of their shared bits;
        // a word whose only cell is ours, ordered before us, or the
        // reported mark cannot race with the free (what `scan` would find).
        let count = ((end - a).div_ceil(8)).min(64 - ((a >> 3) & 63));
        let shared = first.shared_bits() >> ((a >> 3) & 63);
        for i in 0..count {
            let word = first.offset(i);
            if (shared >> i) & 1 == 0 {
                let c = Cell::from_raw(word.primary().load(Relaxed));
                if c.is_empty() || c.same_slot(probe) || c.epoch() <= thr.clock.get(c.slot()) {
                    word.primary().store(freed.raw(), Relaxed);
                    continue;
                }
            }
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
                            word: a + 8 * i,
                            old,
                        },
                    );
                }
            }
            // One freed cell replaces everything recorded for the word.
            word.primary().store(freed.raw(), Relaxed);
            if word.is_shared() {
                super::memory::clear_secondary(word);
            }
        }
        a += 8 * count;
    }
}

/// No cell index.
const NONE: u8 = u8::MAX;

/// What the check of a word found (a few scalars, so it stays in registers).
#[derive(Copy, Clone)]
struct Scan {
    shared: bool,
    /// The primary cell as loaded (raw).
    first: u64,
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
/// constant cell numbers (a secondary cell's address is a constant offset
/// from its block's); secondary cells are filled in order, so the first
/// empty one ends them.
#[inline(always)]
fn scan(thr: &ThreadState, word: WordShadow, cur: Cell) -> Scan {
    let shared = word.is_shared();
    let c = Cell::from_raw(word.primary().load(Relaxed));
    let mut s = Scan {
        shared,
        first: c.raw(),
        race: 0,
        covered: false,
        redundant: NONE,
        mergeable: NONE,
        merge_mask: 0,
        empty: NONE,
    };
    if c.is_reported() {
        // Bytes a race was reported on are no longer checked; an access
        // touching others is checked against the word's other cells.
        if cur.mask() & !c.mask() == 0 {
            s.covered = true;
            return s;
        }
    } else if c.is_empty() {
        s.empty = 0;
        return s;
    } else {
        s.visit(thr, cur, 0, c);
    }
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
    let first = Cell::from_raw(s.first);
    if first.is_reported() {
        // The mark stays in front (it is looked for only there).
        word.cell(index as usize).store(cell.raw(), Relaxed);
    } else {
        // The newest cell in front, as the quick rules keep it (`renew`
        // relies on it).
        store_in_front(word, index as usize, cell, first);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::test_rng::Rng;
    use crate::clock::{Epoch, Slot, VectorClock};
    use crate::shadow::Shadow;
    use crate::shadow::cell::Stamp;
    use crate::thread::{ThreadState, Tid};

    /// One recorded access of the exact model: slot, epoch, kind.
    type Past = (Slot, Epoch, AccessKind);

    /// Applies `cur` to its word as the access paths do (repeat, renewal,
    /// quick rules, else the general rule; a race marks the word instead
    /// of being reported) and checks each shortcut against the full rule:
    /// whenever one decides, `scan` finds no race either. Returns whether
    /// the access raced and which path decided it.
    fn apply(thr: &mut ThreadState, addr: usize, cur: Cell) -> (bool, &'static str) {
        let word = thr.shadow.word(addr).expect("the test buffer has shadow");
        let primary = word.primary().load(Relaxed);
        let full = scan(thr, word, cur).race();
        let shortcut = if covers(primary, cur) {
            "repeat"
        } else if cur.renews(Cell::from_raw(primary)) {
            renew(thr, word, cur);
            "renewal"
        } else if quick_store_word(thr, word, cur, primary, word.is_shared(), &mut false) {
            "quick"
        } else {
            let (race, _) = check_and_store(thr, word, cur);
            if race.is_some() {
                mark_reported(word, cur.mask());
            }
            return (race.is_some(), "general");
        };
        assert!(
            full.is_none(),
            "the {shortcut} path let {cur:?} pass, the full rule races it with {full:?}"
        );
        (false, shortcut)
    }

    /// Moves `thr` to its next epoch (as a release does).
    fn next_epoch(thr: &mut ThreadState) {
        let epoch = Epoch::new(thr.epoch().get() + 1);
        thr.stamp = Stamp::new(thr.slot(), epoch);
        thr.clock.set(thr.slot(), epoch);
        thr.dirty = false;
    }

    /// Random histories of three threads on two words, with releases and
    /// acquires between them, run through the access paths in one real
    /// order: every shortcut agrees with the full rule at the moment it
    /// decides (`apply`), and every race found is one in the exact model
    /// (all accesses of each byte kept, compared by vector clocks): the
    /// cells may forget an access, never invent an order or a conflict.
    #[test]
    fn shortcuts_agree_with_the_full_rule_and_races_are_real() {
        let shadow = Shadow::init().expect("shadow");
        let buf = vec![0u64; 2].into_boxed_slice();
        let base = buf.as_ptr() as usize;
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut paths = std::collections::BTreeMap::<&str, usize>::new();
        for _ in 0..3000 {
            shadow.reset(base, base + 16);
            let mut threads: Vec<ThreadState> = (1..=3)
                .map(|i| {
                    let slot = Slot::new(i);
                    ThreadState::new(
                        shadow,
                        Tid(i as u32),
                        slot,
                        Epoch::new(1),
                        VectorClock::new(),
                    )
                })
                .collect();
            let mut model: Vec<Vec<Past>> = vec![Vec::new(); 16];
            // The threads mostly take turns (a lock handed on: release,
            // acquire), with a few accesses out of turn: races, or not.
            let mut owner = 0;
            for _ in 0..120 {
                let r = rng.next() % 128;
                if r < 8 {
                    let next = (owner + 1 + (rng.next() % 2) as usize) % 3;
                    let released = threads[owner].clock.clone();
                    threads[next].clock.join(&released);
                    next_epoch(&mut threads[owner]);
                    owner = next;
                    continue;
                }
                if r < 14 {
                    // A release nobody acquires (yet): only a new epoch.
                    next_epoch(&mut threads[owner]);
                    continue;
                }
                let t = if r < 18 {
                    (rng.next() % 3) as usize
                } else {
                    owner
                };
                // Word 0 is always accessed whole, word 1 in parts too.
                let w = (rng.next() % 2) as usize;
                let (offset, size) = if w == 0 {
                    (0, 8)
                } else {
                    [(0, 8), (0, 4), (4, 4), (2, 2)][(rng.next() % 4) as usize]
                };
                let kind = match rng.next() % 16 {
                    0 => AccessKind::ATOMIC_READ,
                    1 => AccessKind::ATOMIC_WRITE,
                    2..=6 => AccessKind::WRITE,
                    _ => AccessKind::READ,
                };
                let addr = base + 8 * w + offset;
                let thr = &mut threads[t];
                let cur = thr.stamp.cell(byte_mask(offset, size), kind);
                let (raced, path) = apply(thr, addr, cur);
                *paths.entry(path).or_default() += 1;
                if raced {
                    *paths.entry("race").or_default() += 1;
                }
                let bytes = addr - base..addr - base + size;
                let exact = bytes.clone().any(|b| {
                    model[b].iter().any(|&(slot, epoch, k)| {
                        slot != thr.slot()
                            && epoch > thr.clock.get(slot)
                            && !(k.is_read() && kind.is_read())
                            && !(k.is_atomic() && kind.is_atomic())
                    })
                });
                assert!(
                    !raced || exact,
                    "{cur:?} at byte {}: a race the model does not have",
                    addr - base
                );
                for b in bytes {
                    model[b].push((thr.slot(), thr.epoch(), kind));
                }
            }
        }
        // Every path was taken, the renewal often.
        for path in ["repeat", "renewal", "quick", "general"] {
            assert!(paths.get(path).copied().unwrap_or(0) > 100, "{paths:?}");
        }
    }

    /// `covers` against its definition: same slot, epoch and kind (a write
    /// of the epoch covers a read), and a superset of the bytes.
    #[test]
    fn covers_is_its_definition() {
        let kinds = AccessKind::ALL;
        let mut cells = vec![0u64, Cell::REPORTED.raw()];
        for slot in [0, 1, 5] {
            for epoch in [1, 2, Epoch::MAX.get()] {
                for mask in [0x01u8, 0x0f, 0xf0, 0x3c, 0xff, 0x80, 0x06] {
                    for &kind in &kinds {
                        cells.push(
                            Stamp::new(Slot::new(slot), Epoch::new(epoch))
                                .cell(mask, kind)
                                .raw(),
                        );
                    }
                }
            }
        }
        for &c in &cells {
            for &cur in &cells {
                let cur = Cell::from_raw(cur);
                if cur.is_empty() || cur.is_freed() {
                    continue;
                }
                let loose = if cur.is_read() { READ } else { 0 };
                let c2 = c | loose;
                let expected = (c2 ^ cur.raw()) & !MASK == 0 && cur.raw() & !c2 & MASK == 0;
                assert_eq!(
                    covers(c, cur),
                    expected,
                    "{:?} covers {cur:?}",
                    Cell::from_raw(c)
                );
            }
        }
    }
}
