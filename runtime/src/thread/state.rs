//! The state of one running thread or goroutine: everything the hot path
//! touches, in one place.

use core::sync::atomic::AtomicU64;

use super::Tid;
use super::trace::TraceWriter;
use super::trace::event::{SimpleTag, called_access, encode_access, simple_word};
use crate::clock::{Epoch, Slot, VectorClock};
use crate::shadow::Shadow;
use crate::shadow::cell::{AccessKind, Stamp};

/// Value of [`ThreadState::magic`] while the state belongs to a live thread.
pub const ALIVE: u64 = u64::from_le_bytes(*b"hbsan:th");

/// Per-thread state. Owned by one thread at a time: the OS thread in native
/// programs, the goroutine (wherever it runs) in Go programs.
#[repr(C)]
pub struct ThreadState {
    /// [`ALIVE`] while in use, 0 otherwise. First, so that a thread handle
    /// can be validated by reading it before anything else (see `pool`).
    pub(crate) magic: AtomicU64,
    /// Slot and epoch, ready to be or-ed into a cell.
    pub(crate) stamp: Stamp,
    /// Accesses are ignored while non-zero.
    pub(crate) ignore_accesses: u32,
    /// Synchronization is ignored while non-zero.
    pub(crate) ignore_sync: u32,
    /// Whether a cell was stored in the current epoch.
    pub(crate) dirty: bool,
    /// Picks the cell to evict when a word's cells are all occupied.
    pub(crate) evictions: u32,
    /// Set while a vptr hook checks its access (reports then say so).
    pub(crate) vptr_access: bool,
    /// Whether the hot hooks count their calls (`stats=1`). Counting is
    /// conditional because an increment in memory on every access is a
    /// chain of loads and stores through one location: in a loop of
    /// accesses it made each wait ~5 cycles for the previous one's count.
    pub(crate) count_hooks: bool,
    /// Hook calls so far (`stats=1`).
    pub(crate) counts: super::stats::Counts,
    pub(crate) shadow: Shadow,
    pub(crate) trace: TraceWriter,
    /// The shadow call stack: call-site pcs, outermost first.
    pub(crate) stack: Vec<u64>,
    /// What this thread knows: `clock[slot] == epoch`.
    pub(crate) clock: VectorClock,
    pub(crate) tid: Tid,
    /// The clock at the last release fence, published by later relaxed stores.
    pub(crate) fence_release: Option<VectorClock>,
    /// Clocks acquired by relaxed loads, taken on at the next acquire fence.
    pub(crate) fence_acquire: VectorClock,
    /// The synchronization objects whose clocks, as they are now, this
    /// thread has joined (plain acquires skip them, `sync::seen`).
    pub(crate) acquired: crate::sync::seen::Seen,
}

/// The fast paths' fields for fast stamp `stamp` (see [`NO_STATE_FAST`]):
/// the stamp, then the cells of a whole-word read and write built from it
/// (precomputed for the 8-byte hooks: one `xor` less).
const fn fast_fields_of(stamp: u64) -> [u64; 3] {
    [
        stamp,
        stamp | AccessKind::READ.bits() | 0xff,
        stamp | AccessKind::WRITE.bits() | 0xff,
    ]
}

/// What the hand-written fast paths (`abi::fast`) read of the calling
/// thread, kept in a thread-local of their own (`thread::current`): the
/// fast stamp, then the whole-word read and write cells. These are the
/// values of a thread without a state: the stamp 0 and the cells built from
/// it, as while hooks are counted, which no cell matches, so that every
/// access goes to the Rust hooks.
pub(crate) const NO_STATE_FAST: [u64; 3] = fast_fields_of(0);

impl ThreadState {
    /// A state for thread `tid`, which owns `slot` from `epoch` and knows `clock`.
    pub(crate) fn new(
        shadow: Shadow,
        tid: Tid,
        slot: Slot,
        epoch: Epoch,
        mut clock: VectorClock,
    ) -> ThreadState {
        clock.set(slot, epoch);
        ThreadState {
            magic: AtomicU64::new(ALIVE),
            stamp: Stamp::new(slot, epoch),
            ignore_accesses: 0,
            ignore_sync: 0,
            dirty: false,
            evictions: 0,
            vptr_access: false,
            count_hooks: false,
            counts: Default::default(),
            shadow,
            trace: TraceWriter::detached(),
            stack: Vec::with_capacity(64),
            clock,
            tid,
            fence_release: None,
            fence_acquire: VectorClock::new(),
            acquired: crate::sync::seen::Seen::new(),
        }
    }

    /// Whether the hot hooks count their calls (`stats=1`).
    pub(crate) fn set_count_hooks(&mut self, on: bool) {
        self.count_hooks = on;
        self.refresh_fast_stamp();
    }

    /// The stamp or the counting flag changed: the fast paths' copy of
    /// [`ThreadState::fast_fields`] follows.
    #[inline]
    fn refresh_fast_stamp(&mut self) {
        crate::thread::current::republish_fast(self);
    }

    /// What the hand-written fast paths (`abi::fast`) read of this thread
    /// (see [`NO_STATE_FAST`]), built from the stamp, or from 0 while hooks
    /// are counted (epoch 0: no cell ever matches it, so every access takes
    /// the Rust path, which counts it).
    pub(crate) fn fast_fields(&self) -> [u64; 3] {
        fast_fields_of(if self.count_hooks {
            0
        } else {
            self.stamp.raw()
        })
    }

    /// The thread's id.
    pub fn tid(&self) -> Tid {
        self.tid
    }

    /// The slot the thread stamps its accesses with.
    #[inline]
    pub fn slot(&self) -> Slot {
        self.stamp.slot()
    }

    /// The thread's current epoch.
    #[inline]
    pub fn epoch(&self) -> Epoch {
        self.stamp.epoch()
    }

    /// What the thread knows.
    pub fn clock(&self) -> &VectorClock {
        &self.clock
    }

    /// The shadow call stack, outermost first.
    pub fn stack(&self) -> &[u64] {
        &self.stack
    }

    /// A function was entered from call site `pc`.
    #[inline]
    pub fn func_entry(&mut self, pc: u64) {
        if self.count_hooks || self.stack.len() == self.stack.capacity() {
            // Out of line: the common path then makes no call it must come
            // back from, and saves no registers.
            return self.func_entry_slow(pc);
        }
        self.stack.push(pc);
        self.trace_simple(simple_word(SimpleTag::FuncEntry, pc));
    }

    /// [`ThreadState::func_entry`] when counting hooks or growing the stack.
    #[cold]
    #[inline(never)]
    fn func_entry_slow(&mut self, pc: u64) {
        if self.count_hooks {
            self.counts.func_entries += 1;
        }
        if self.stack.len() == self.stack.capacity() {
            self.grow_stack();
        }
        self.stack.push(pc);
        self.trace_simple(simple_word(SimpleTag::FuncEntry, pc));
    }

    /// Makes room on the shadow stack. The allocation goes through the
    /// program's `malloc`, so it happens inside the runtime's guard.
    #[cold]
    #[inline(never)]
    fn grow_stack(&mut self) {
        let _g = super::current::Guard::enter();
        self.stack.reserve(self.stack.len().max(64));
    }

    /// The innermost function returned.
    #[inline]
    pub fn func_exit(&mut self) {
        if self.stack.pop().is_some() {
            self.trace_simple(simple_word(SimpleTag::FuncExit, 0));
        }
    }

    /// Records a one-word event without a pc delta.
    #[inline(always)]
    fn trace_simple(&mut self, word: u64) {
        if !self.trace.try_push_simple(word) {
            self.trace_simple_slow(word);
        }
    }

    /// At the end of a part (or detached).
    #[cold]
    #[inline(never)]
    fn trace_simple_slow(&mut self, word: u64) {
        self.begin_next_part();
        self.trace.try_push_simple(word);
    }

    /// Records an access in the history.
    #[inline(always)]
    pub(crate) fn trace_access(&mut self, addr: usize, size: usize, kind: AccessKind, pc: u64) {
        if !self
            .trace
            .try_push_access(addr as u64, size as u64, kind, pc)
        {
            self.trace_access_slow(addr, size, kind, pc);
        }
    }

    /// Records an access an interceptor called from `caller_pc` made at
    /// `pc` (`Event::CalledAccess`): one event instead of the interceptor's
    /// entry, the access and its exit, and the pc base of the caller's next
    /// access kept.
    #[inline(always)]
    pub(crate) fn trace_called_access(
        &mut self,
        caller_pc: u64,
        addr: usize,
        size: usize,
        kind: AccessKind,
        pc: u64,
    ) {
        if let Some(words) = called_access(caller_pc, addr as u64, size as u64, kind, pc) {
            if self.trace.try_push3(words) {
                return;
            }
        }
        self.trace_called_access_slow(caller_pc, addr, size, kind, pc);
    }

    /// [`ThreadState::trace_called_access`] at the end of a part, or of an
    /// access the event cannot hold.
    #[cold]
    #[inline(never)]
    fn trace_called_access_slow(
        &mut self,
        caller_pc: u64,
        addr: usize,
        size: usize,
        kind: AccessKind,
        pc: u64,
    ) {
        let Some(words) = called_access(caller_pc, addr as u64, size as u64, kind, pc) else {
            // The three events it stands for (the shadow stack is not
            // the history's business).
            self.trace_simple(simple_word(SimpleTag::FuncEntry, caller_pc));
            self.trace_access(addr, size, kind, pc);
            self.trace_simple(simple_word(SimpleTag::FuncExit, 0));
            return;
        };
        self.begin_next_part();
        self.trace.try_push3(words);
    }

    /// An access without a one-word encoding (its pc far from the previous
    /// one's: common in large functions), or at the end of a part.
    #[inline(never)]
    pub(crate) fn trace_access_slow(
        &mut self,
        addr: usize,
        size: usize,
        kind: AccessKind,
        pc: u64,
    ) {
        if self
            .trace
            .try_push_ext_access(addr as u64, size as u64, kind, pc)
        {
            return;
        }
        let e = encode_access(addr as u64, size as u64, kind, pc, self.trace.prev_pc());
        if !self.trace.try_push(&e, Some(pc)) {
            // The part is full: start the next one, where pcs restart from 0.
            self.begin_next_part();
            let e = encode_access(addr as u64, size as u64, kind, pc, self.trace.prev_pc());
            self.trace.try_push(&e, Some(pc));
        }
    }

    #[cold]
    fn begin_next_part(&mut self) {
        let (epoch, tid) = (self.epoch().get(), self.tid.0 as u64);
        self.trace.begin_next_part(epoch, tid, &self.stack);
    }

    /// Enters epoch `epoch` (same slot): later accesses are no longer
    /// covered by what this thread has released so far.
    pub(crate) fn set_epoch(&mut self, epoch: Epoch) {
        let slot = self.slot();
        self.stamp = Stamp::new(slot, epoch);
        self.refresh_fast_stamp();
        self.clock.set(slot, epoch);
        self.dirty = false;
        self.trace_simple(simple_word(SimpleTag::Epoch, epoch.get()));
    }

    /// Moves to `slot` at `epoch` (the old slot's epochs are exhausted). The
    /// thread keeps knowing everything its old slot did.
    pub(crate) fn set_slot(&mut self, slot: Slot, epoch: Epoch) {
        self.stamp = Stamp::new(slot, epoch);
        self.refresh_fast_stamp();
        self.clock.set(slot, epoch);
        self.dirty = false;
    }

    /// The newest epoch of this thread that may appear in shadow cells.
    pub(crate) fn retire_epoch(&self) -> Epoch {
        let e = self.epoch();
        if self.dirty {
            e
        } else {
            Epoch::new(e.get().saturating_sub(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shadow::cell::{MASK, READ};

    #[test]
    fn the_fast_fields_follow_the_stamp_and_match_nothing_while_counting() {
        let shadow = Shadow::init().expect("shadow");
        let mut st = ThreadState::new(
            shadow,
            Tid(1),
            Slot::new(3),
            Epoch::new(7),
            VectorClock::new(),
        );
        let stamp = Stamp::new(Slot::new(3), Epoch::new(7)).raw();
        assert_eq!(st.fast_fields(), [stamp, stamp | READ | MASK, stamp | MASK]);
        st.set_epoch(Epoch::new(8));
        let stamp = Stamp::new(Slot::new(3), Epoch::new(8)).raw();
        assert_eq!(st.fast_fields(), [stamp, stamp | READ | MASK, stamp | MASK]);
        // Counting: epoch 0, which no stored cell has.
        st.set_count_hooks(true);
        assert_eq!(st.fast_fields(), [0, READ | MASK, MASK]);
        assert_eq!(st.fast_fields(), NO_STATE_FAST);
        st.set_count_hooks(false);
        assert_eq!(st.fast_fields(), [stamp, stamp | READ | MASK, stamp | MASK]);
    }
}
