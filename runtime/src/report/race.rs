//! From a conflicting pair of accesses found by the access check to a
//! printed report.

use super::model::{AccessDesc, Location, RaceReport, ReportKind, ThreadDesc};
use super::{Verdict, tsan_text};
use crate::runtime::{self, Runtime, World};
use crate::shadow::cell::{AccessKind, Cell};
use crate::thread::trace::{Target, restore};
use crate::thread::{ThreadState, Tid};

pub use super::json::format as json;
pub use tsan_text::format as tsan_text;

/// A conflict the access check found: the new access and the old cell.
#[derive(Copy, Clone, Debug)]
pub struct Conflict {
    /// First byte of the new access.
    pub addr: usize,
    /// Its size.
    pub size: usize,
    /// Its kind.
    pub kind: AccessKind,
    /// Its pc.
    pub pc: u64,
    /// The word whose shadow held `old`.
    pub word: usize,
    /// The cell of the earlier, unordered access.
    pub old: Cell,
}

/// Reports a race found by `thr`'s access.
#[cold]
#[inline(never)]
pub fn report_race(thr: &ThreadState, c: Conflict) {
    let Some(rt) = runtime::get() else { return };
    // Reports allocate, symbolize, lock: none of it may re-enter the runtime.
    let _guard = crate::thread::current::Guard::enter();
    // Cheap before restoring stacks and symbolizing: an address already reported.
    let (addr, size) = clamp_to_word(c.addr, c.size, c.word);
    if rt.options.suppress_equal_addresses && rt.reports.seen_range(addr, size) {
        return;
    }
    if rt.reports.benign.covers(c.addr, c.size) {
        return;
    }
    let report = build(rt, thr, &c);
    if rt.suppressed(&report) {
        return;
    }
    let verdict = rt
        .reports
        .emit(&report, rt.world, &rt.symbolizer, &rt.options);
    if verdict == Verdict::Reported && rt.options.halt_on_error {
        rt.exit_now();
    }
}

fn build(rt: &Runtime, thr: &ThreadState, c: &Conflict) -> RaceReport {
    let mut stack = thr.stack.clone();
    stack.push(c.pc);
    let (addr, size) = clamp_to_word(c.addr, c.size, c.word);
    let current = AccessDesc {
        tid: Some(thr.tid),
        is_write: !c.kind.is_read(),
        is_atomic: c.kind.is_atomic(),
        is_free: c.kind.is_free(),
        addr,
        size,
        stack: Some(stack),
    };
    let old = c.old;
    // The bytes of the word both accesses touch. A cell may stand for
    // several accesses of one thread in one epoch (their bytes merged):
    // look for the one that touched these bytes, and report it as recorded.
    let racing = old.mask() & bytes_in_word(c.addr, c.size, c.word);
    let racing = if racing == 0 { old.mask() } else { racing };
    let target = Target {
        epoch: old.epoch().get(),
        word: c.word,
        mask: racing,
        kind: old.kind(),
    };
    let restored = rt
        .slots
        .ring(old.slot())
        .and_then(|ring| restore(ring, &target));
    let prev_tid = match &restored {
        Some(r) => Some(Tid(r.tid as u32)),
        None => rt.slots.owner_at(old.slot(), old.epoch()),
    };
    // An access spanning words (a range: memcpy, strcpy, a free) is
    // described by its part in the racing word, as ThreadSanitizer does.
    let (prev_addr, prev_size) = match &restored {
        Some(r) => clamp_to_word(r.addr, r.size, c.word),
        None => (
            c.word + racing.trailing_zeros() as usize,
            contiguous_len(racing),
        ),
    };
    let previous = AccessDesc {
        tid: prev_tid,
        is_write: !old.is_read(),
        is_atomic: old.is_atomic(),
        is_free: old.is_freed(),
        addr: prev_addr,
        size: prev_size,
        stack: restored.map(|r| r.stack),
    };
    let location = rt.locate(c.addr);
    // The threads the report names: both accessors, and the one that
    // allocated the block or owns the stack (as ThreadSanitizer lists them).
    let location_tid = match &location {
        Some(Location::Heap { tid, .. } | Location::Stack { tid } | Location::Tls { tid }) => {
            Some(*tid)
        }
        _ => None,
    };
    let mut threads = Vec::new();
    for tid in [Some(thr.tid), prev_tid, location_tid]
        .into_iter()
        .flatten()
    {
        if threads.iter().any(|t: &ThreadDesc| t.tid == tid) {
            continue;
        }
        if let Some(info) = rt.threads.info(tid) {
            threads.push(ThreadDesc {
                tid,
                running: info.running,
                os_tid: info.os_tid,
                parent: info.parent,
                creation: rt.stacks.get(info.creation),
                name: info.name.map(String::from),
            });
        }
    }
    let kind = match (old.is_freed(), thr.vptr_access) {
        (true, true) => ReportKind::VptrUseAfterFree,
        (true, false) => ReportKind::UseAfterFree,
        (false, true) => ReportKind::VptrRace,
        (false, false) => ReportKind::DataRace,
    };
    RaceReport {
        kind,
        current,
        previous,
        location,
        threads,
        main_tid: rt.main_tid(),
    }
}

/// The byte mask, within the word at `word`, of the access `[addr, addr+size)`.
fn bytes_in_word(addr: usize, size: usize, word: usize) -> u8 {
    let (start, end) = (addr.max(word), addr.saturating_add(size).min(word + 8));
    if start >= end {
        0
    } else {
        crate::shadow::cell::byte_mask(start - word, end - start)
    }
}

/// The part of `[addr, addr+size)` inside the word at `word`.
fn clamp_to_word(addr: usize, size: usize, word: usize) -> (usize, usize) {
    let (start, end) = (addr.max(word), addr.saturating_add(size).min(word + 8));
    if start >= end {
        (word, 8)
    } else {
        (start, end - start)
    }
}

/// The length of the run of set bits starting at the lowest one.
fn contiguous_len(mask: u8) -> usize {
    ((mask >> mask.trailing_zeros()) as u32).trailing_ones() as usize
}

impl Runtime {
    /// Where `addr` is: a heap block, a global variable, or a thread's
    /// stack, when known.
    pub fn locate(&self, addr: usize) -> Option<Location> {
        if let Some((start, b)) = self.heap.containing(addr) {
            return Some(Location::Heap {
                start,
                size: b.size,
                tid: b.tid,
                stack: self.stacks.get(b.stack),
            });
        }
        if let Some(data) = self.symbolizer.data(addr) {
            return match (self.world, data.heap) {
                // Go describes heap objects without an allocation stack;
                // its own race detector prints nothing for them either.
                (World::Go, true) => None,
                _ => Some(Location::Global(data)),
            };
        }
        // A thread's TLS block sits inside its stack mapping (glibc puts it
        // at the top): look for it first.
        if let Some(tid) = self.threads.tls_owner(addr) {
            return Some(Location::Tls { tid });
        }
        self.threads
            .stack_owner(addr)
            .map(|tid| Location::Stack { tid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn racing_bytes_are_computed_inside_the_word() {
        assert_eq!(bytes_in_word(0x1004, 4, 0x1000), 0xf0);
        assert_eq!(bytes_in_word(0x0ffc, 8, 0x1000), 0x0f);
        assert_eq!(bytes_in_word(0x2000, 4, 0x1000), 0);
        assert_eq!(clamp_to_word(0x0ff0, 64, 0x1000), (0x1000, 8));
        assert_eq!(contiguous_len(0b0111_0000), 3);
        assert_eq!(contiguous_len(0xff), 8);
    }
}
