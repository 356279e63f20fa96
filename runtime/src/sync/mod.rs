//! Happens-before edges through synchronization objects.
//!
//! Every edge of the memory models we support is one of four operations on
//! an object's clock `S` by a thread with clock `T`:
//! - **acquire**: `T ⊔= S` (lock, receive, load-acquire, join, WaitGroup.Wait);
//! - **release**: `S ⊔= T` (release-merge: WaitGroup.Done, RWMutex.RUnlock,
//!   read-modify-write atomics, which continue release sequences);
//! - **release-store**: `S := T` (unlock, store-release: the new value
//!   replaces what was published before);
//! - **release-acquire**: `T ⊔= S; S := T` (Go's channel hand-offs).
//!
//! After any release the thread moves to its next epoch, so that its later
//! accesses are not covered by what it published.

pub mod atomic;
pub mod lock;
pub mod seen;
pub mod table;

use crate::runtime::Runtime;
use crate::thread::ThreadState;

pub use table::{SyncTable, SyncVar};

impl Runtime {
    /// `thr` acquires the object at `addr`.
    pub fn acquire(&self, thr: &mut ThreadState, addr: usize) {
        thr.counts.syncs += 1;
        if thr.ignore_sync != 0 {
            return;
        }
        // Skipped when the object's clock is the one `thr` last joined.
        self.sync.acquire_existing(addr, &mut thr.acquired, |s| {
            thr.clock.join(&s.clock);
        });
    }

    /// `thr` releases into the object at `addr`, merging with earlier releases.
    pub fn release(&self, thr: &mut ThreadState, addr: usize) {
        thr.counts.syncs += 1;
        if thr.ignore_sync != 0 {
            return;
        }
        self.sync.with(addr, |s| s.clock.join(&thr.clock));
        self.advance_epoch(thr);
    }

    /// `thr` releases into the object at `addr`, replacing earlier releases.
    pub fn release_store(&self, thr: &mut ThreadState, addr: usize) {
        thr.counts.syncs += 1;
        if thr.ignore_sync != 0 {
            return;
        }
        self.sync.with(addr, |s| s.clock.assign(&thr.clock));
        self.advance_epoch(thr);
    }

    /// `thr` acquires the object at `addr` and then replaces its clock by
    /// its own.
    pub fn release_acquire(&self, thr: &mut ThreadState, addr: usize) {
        thr.counts.syncs += 1;
        if thr.ignore_sync != 0 {
            return;
        }
        self.sync.with(addr, |s| {
            thr.clock.join(&s.clock);
            s.clock.assign(&thr.clock);
        });
        self.advance_epoch(thr);
    }

    /// `thr` leaves its own clock in the object at `addr` and acquires the
    /// clock that was there (one swap, then a join): Go's channel-slot
    /// hand-off, `__tsan_release_acquire`. A receiver of a slot's item
    /// acquires that item's sender, and the next sender into the slot
    /// acquires that receiver, but a receiver does not acquire the
    /// receivers before it (Go issue 37355: a buffered channel is not a
    /// lock for the goroutines that only wait to send on it).
    pub fn release_store_acquire(&self, thr: &mut ThreadState, addr: usize) {
        thr.counts.syncs += 1;
        if thr.ignore_sync != 0 {
            return;
        }
        self.sync
            .with(addr, |s| s.clock.exchange_join(&mut thr.clock));
        self.advance_epoch(thr);
    }

    /// `thr` acquires everything every thread has done so far (Go's
    /// finalizer goroutine synchronizes with the whole program).
    pub fn acquire_everything(&self, thr: &mut ThreadState) {
        thr.counts.syncs += 1;
        if thr.ignore_sync != 0 {
            return;
        }
        let all = self.slots.everything();
        thr.clock.join(&all);
        // Our own entry stays ours: `everything` may hold it only as
        // published, never ahead of it.
        let (slot, epoch) = (thr.slot(), thr.epoch());
        thr.clock.set(slot, epoch);
    }

    /// The memory `[addr, addr + len)` was freed: its objects are gone.
    pub fn forget_sync_objects(&self, addr: usize, len: usize) {
        self.sync.remove_range(addr, len);
    }
}
