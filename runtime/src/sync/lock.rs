//! Locks of native programs (mutexes, spinlocks, reader-writer locks), as
//! the interceptors report them.
//!
//! A write unlock publishes the holder's clock (replacing what was there:
//! lock holders form a chain); a read unlock merges into a separate reader
//! clock, since readers hold the lock together. A read lock acquires what
//! writers published; a write lock acquires both.

use crate::runtime::Runtime;
use crate::thread::ThreadState;

impl Runtime {
    /// `thr` has just acquired the lock at `addr`, for reading or writing.
    pub fn lock_acquired(&self, thr: &mut ThreadState, addr: usize, read: bool) {
        thr.counts.syncs += 1;
        if thr.ignore_sync != 0 {
            return;
        }
        let tid = thr.tid;
        self.sync.with(addr, |s| {
            thr.clock.join(&s.clock);
            if !read {
                // Empty unless the lock is a reader-writer lock read-locked
                // since its last write unlock.
                if !s.read_clock.is_empty() {
                    thr.clock.join(&s.read_clock);
                }
                s.writer = Some(tid);
            }
        });
    }

    /// `thr` is about to release the lock at `addr`.
    pub fn lock_releasing(&self, thr: &mut ThreadState, addr: usize) {
        thr.counts.syncs += 1;
        if thr.ignore_sync != 0 {
            return;
        }
        let tid = thr.tid;
        self.sync.with(addr, |s| {
            if s.writer == Some(tid) {
                s.writer = None;
                s.clock.assign(&thr.clock);
                // Every reader before this writer is in the writer's clock.
                // (Looked at first: the vector is in the entry's second
                // cache line, which a plain mutex then never writes.)
                if !s.read_clock.is_empty() {
                    s.read_clock.clear();
                }
            } else {
                s.read_clock.join(&thr.clock);
            }
        });
        self.advance_epoch(thr);
    }

    /// The lock at `addr` was destroyed.
    pub fn lock_destroyed(&self, addr: usize) {
        self.sync.remove(addr);
    }
}
