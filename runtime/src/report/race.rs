//! From a conflicting pair of accesses found by the access check to a
//! printed report.

use super::model::{AccessDesc, Location, RaceReport, ThreadDesc};
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
    let current = AccessDesc {
        tid: Some(thr.tid),
        is_write: !c.kind.is_read(),
        is_atomic: c.kind.is_atomic(),
        is_free: c.kind.is_free(),
        addr: c.addr,
        size: c.size,
        stack: Some(stack),
    };
    let old = c.old;
    let target = Target {
        epoch: old.epoch().get(),
        word: c.word,
        mask: old.mask(),
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
    let previous = AccessDesc {
        tid: prev_tid,
        is_write: !old.is_read(),
        is_atomic: old.is_atomic(),
        is_free: old.is_freed(),
        addr: c.word + old.offset(),
        size: old.size(),
        stack: restored.map(|r| r.stack),
    };
    let mut threads = Vec::new();
    for tid in [Some(thr.tid), prev_tid].into_iter().flatten() {
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
            });
        }
    }
    RaceReport {
        current,
        previous,
        location: rt.locate(c.addr),
        threads,
        main_tid: rt.main_tid(),
    }
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
        self.threads
            .stack_owner(addr)
            .map(|tid| Location::Stack { tid })
    }
}
