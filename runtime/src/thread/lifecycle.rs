//! Threads come and go: creation (the parent's release), start (the
//! child's acquire and its slot), epoch changes, and the end.

use core::sync::atomic::Ordering::Relaxed;

use super::Tid;
use super::state::ThreadState;
use crate::clock::slots::AttachError;
use crate::clock::{Epoch, VectorClock};
use crate::runtime::Runtime;

/// A thread that has been created but has not started: its id and what it
/// inherits from its creator.
#[derive(Debug)]
pub struct Birth {
    pub(crate) tid: Tid,
    pub(crate) clock: VectorClock,
}

impl Birth {
    /// The new thread's id.
    pub fn tid(&self) -> Tid {
        self.tid
    }
}

impl Runtime {
    /// Registers a thread created by `parent` at call sites `pcs`
    /// (outermost first: e.g. the program's call, then the `pthread_create`
    /// interceptor), or one the runtime did not see created, when `parent`
    /// is `None`. Everything `parent` did so far happens-before everything
    /// the new thread does.
    pub fn create_thread(&self, parent: Option<&mut ThreadState>, pcs: &[u64]) -> Birth {
        match parent {
            Some(p) => {
                let mut stack = p.stack.clone();
                stack.extend(pcs.iter().copied().filter(|&pc| pc != 0));
                let tid = self.threads.register(Some(p.tid), self.stacks.put(&stack));
                let clock = p.clock.clone();
                // The parent's later accesses are not ordered before the child's.
                self.advance_epoch(p);
                Birth { tid, clock }
            }
            None => Birth {
                tid: self.threads.register(None, self.stacks.put(&[])),
                clock: VectorClock::new(),
            },
        }
    }

    /// Starts the thread described by `birth` on the calling OS thread
    /// (`os_tid`, 0 for goroutines): gives it a slot and a state.
    pub fn start_thread(&self, birth: Birth, os_tid: i32) -> &'static mut ThreadState {
        let Birth { tid, clock } = birth;
        let attached = match self.slots.attach(&clock, tid, || self.shadow.reset_all()) {
            Ok(a) => a,
            Err(AttachError::TooManyThreads) => {
                crate::die!(
                    "more than {} threads alive at once",
                    crate::clock::MAX_SLOTS
                )
            }
            Err(AttachError::OutOfMemory) => crate::die!("out of memory for thread histories"),
        };
        let mut st = ThreadState::new(self.shadow, tid, attached.slot, attached.epoch, clock);
        st.set_count_hooks(self.options.stats);
        st.trace
            .attach(attached.ring, tid.0 as u64, attached.epoch.get());
        if os_tid != 0 {
            self.threads.set_os_tid(tid, os_tid);
        }
        self.live_threads.fetch_add(1, Relaxed);
        match self.pool.insert(st) {
            Ok(st) => st,
            Err(_) => crate::die!(
                "more than {} threads alive at once",
                super::pool::MAX_THREADS
            ),
        }
    }

    /// The thread owning `thr` ends; its state is gone afterwards. Its
    /// slot becomes reusable by threads that synchronize with what it did.
    pub fn finish_thread(&self, thr: &'static mut ThreadState) {
        let (slot, reached, retire) = (thr.slot(), thr.epoch(), thr.retire_epoch());
        self.stats.add(&thr.counts);
        thr.trace.detach();
        self.slots.detach(slot, reached, retire);
        self.threads.finish(thr.tid);
        self.live_threads.fetch_sub(1, Relaxed);
        self.pool.remove(thr);
    }

    /// Moves `thr` to its next epoch (after a release). A thread whose
    /// slot has run out of epochs continues in another slot.
    pub fn advance_epoch(&self, thr: &mut ThreadState) {
        if let Some(next) = thr.epoch().next() {
            thr.set_epoch(next);
            self.slots.publish(thr.slot(), next);
            return;
        }
        let (old, reached) = (thr.slot(), thr.epoch());
        thr.trace.detach();
        self.slots.detach(old, reached, Epoch::MAX);
        match self
            .slots
            .attach(&thr.clock, thr.tid, || self.shadow.reset_all())
        {
            Ok(a) => {
                thr.set_slot(a.slot, a.epoch);
                thr.trace.attach(a.ring, thr.tid.0 as u64, a.epoch.get());
            }
            Err(_) => crate::die!("out of thread slots"),
        }
    }
}
