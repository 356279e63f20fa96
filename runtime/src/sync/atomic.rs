//! C11/C++11 atomics and fences of native programs, on the clocks.
//!
//! The access itself is checked by the shadow like any access (an atomic
//! one: it races with plain accesses, not with other atomics); this module
//! adds the synchronization its memory order implies:
//! - an acquire load (or the load half of an acquire read-modify-write)
//!   joins the variable's clock into the thread's;
//! - a release store replaces the variable's clock with the thread's;
//!   a release read-modify-write merges into it, continuing the release
//!   sequence headed by earlier stores;
//! - fences work on relaxed operations: a release fence makes the thread's
//!   later relaxed stores publish the clock it had at the fence, and a relaxed
//!   load's clock is held back until an acquire fence takes it. That is C11's
//!   fence–fence, fence–atomic and atomic–fence synchronization (which
//!   ThreadSanitizer does not model, reporting false races);
//! - a sequentially consistent fence also synchronizes with every earlier
//!   such fence, through one process-wide clock.
//!
//! Relaxed operations record nothing else: while no thread has executed a
//! fence, a relaxed operation costs no synchronization-table lookup.

use core::sync::atomic::{AtomicBool, Ordering};

use crate::runtime::Runtime;
use crate::sync::table::SyncVar;
use crate::thread::ThreadState;

/// A C11 memory order, as passed by instrumented code (`0` relaxed … `5`
/// seq_cst; unknown values, including HLE-flagged ones, count as seq_cst
/// after the flags are dropped).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Order {
    /// `memory_order_relaxed`.
    Relaxed,
    /// `memory_order_consume` (treated as acquire).
    Consume,
    /// `memory_order_acquire`.
    Acquire,
    /// `memory_order_release`.
    Release,
    /// `memory_order_acq_rel`.
    AcqRel,
    /// `memory_order_seq_cst`.
    SeqCst,
}

impl Order {
    /// Decodes the ABI's integer (the low 16 bits; gcc puts HLE hints above).
    pub fn from_abi(mo: i32) -> Order {
        match mo & 0xffff {
            0 => Order::Relaxed,
            1 => Order::Consume,
            2 => Order::Acquire,
            3 => Order::Release,
            4 => Order::AcqRel,
            _ => Order::SeqCst,
        }
    }

    /// Whether the order has acquire semantics.
    pub fn acquires(self) -> bool {
        matches!(
            self,
            Order::Consume | Order::Acquire | Order::AcqRel | Order::SeqCst
        )
    }

    /// Whether the order has release semantics.
    pub fn releases(self) -> bool {
        matches!(self, Order::Release | Order::AcqRel | Order::SeqCst)
    }

    /// The strongest hardware order for performing the operation with this
    /// order's semantics (a load cannot release, a store cannot acquire).
    pub fn for_load(self) -> Ordering {
        if self == Order::SeqCst {
            Ordering::SeqCst
        } else if self.acquires() {
            Ordering::Acquire
        } else {
            Ordering::Relaxed
        }
    }

    /// See [`Order::for_load`].
    pub fn for_store(self) -> Ordering {
        if self == Order::SeqCst {
            Ordering::SeqCst
        } else if self.releases() {
            Ordering::Release
        } else {
            Ordering::Relaxed
        }
    }

    /// See [`Order::for_load`].
    pub fn for_rmw(self) -> Ordering {
        match self {
            Order::Relaxed => Ordering::Relaxed,
            Order::Consume | Order::Acquire => Ordering::Acquire,
            Order::Release => Ordering::Release,
            Order::AcqRel => Ordering::AcqRel,
            Order::SeqCst => Ordering::SeqCst,
        }
    }
}

/// Set once any thread executes a fence: from then on relaxed operations
/// carry clocks for fences to use.
static FENCES_SEEN: AtomicBool = AtomicBool::new(false);

/// Address of the process-wide clock of sequentially consistent fences (an
/// address no program object can have).
const SC_FENCE_CLOCK: usize = 1;

impl Runtime {
    /// `thr` loaded the atomic at `addr` with order `mo`.
    pub fn atomic_loaded(&self, thr: &mut ThreadState, addr: usize, mo: Order) {
        if thr.ignore_sync != 0 {
            return;
        }
        if mo.acquires() {
            // A flag spun on is acquired once per change, not per load.
            self.sync.acquire_existing(addr, &mut thr.acquired, |s| {
                thr.clock.join(&s.clock);
            });
        } else if FENCES_SEEN.load(Ordering::Acquire) {
            self.sync
                .with_existing(addr, |s| thr.fence_acquire.join(&s.clock));
        }
    }

    /// `thr` stores to the atomic at `addr` with order `mo`; `store` does
    /// it. A publishing store is done inside the object's critical section:
    /// otherwise a reader could see the new value before the clock that must
    /// come with it, or two stores could publish in one order and write in
    /// the other.
    pub fn atomic_store<R>(
        &self,
        thr: &mut ThreadState,
        addr: usize,
        mo: Order,
        store: impl FnOnce() -> R,
    ) -> R {
        if thr.ignore_sync != 0 {
            return store();
        }
        if mo.releases() {
            let r = self.sync.with(addr, |s| {
                s.clock.assign(&thr.clock);
                store()
            });
            self.advance_epoch(thr);
            r
        } else if let Some(fenced) = &thr.fence_release {
            self.sync.with(addr, |s| {
                s.clock.join(fenced);
                store()
            })
        } else {
            store()
        }
    }

    /// `thr` performs a read-modify-write of the atomic at `addr` with
    /// order `mo`; `op` does it, inside the object's critical section when
    /// the order synchronizes (so the clock acquired is the one of the value
    /// read, and the clock published comes with the value written).
    pub fn atomic_rmw<R>(
        &self,
        thr: &mut ThreadState,
        addr: usize,
        mo: Order,
        op: impl FnOnce() -> R,
    ) -> R {
        if thr.ignore_sync != 0 {
            return op();
        }
        let fences = FENCES_SEEN.load(Ordering::Acquire);
        if !mo.acquires() && !mo.releases() && !fences {
            return op();
        }
        let r = self
            .sync
            .with(addr, |s| Self::rmw_locked(thr, s, mo, fences, op));
        if mo.releases() {
            self.advance_epoch(thr);
        }
        r
    }

    /// The critical section of a synchronizing read-modify-write: `op`,
    /// then the clocks.
    #[inline(always)]
    fn rmw_locked<R>(
        thr: &mut ThreadState,
        s: &mut SyncVar,
        mo: Order,
        fences: bool,
        op: impl FnOnce() -> R,
    ) -> R {
        let r = op();
        if mo.acquires() && mo.releases() {
            // Both directions at once; the release-sequence join below
            // would find nothing left to add.
            s.clock.join_both(&mut thr.clock);
            return r;
        }
        if mo.acquires() {
            thr.clock.join(&s.clock);
        } else if fences {
            thr.fence_acquire.join(&s.clock);
        }
        if mo.releases() {
            // A read-modify-write continues the release sequence.
            s.clock.join(&thr.clock);
        } else if let Some(fenced) = &thr.fence_release {
            s.clock.join(fenced);
        }
        r
    }

    /// `thr` performs a compare-and-swap of the atomic at `addr`: a
    /// read-modify-write with order `mo` when `op` succeeds, a load with
    /// `fail_mo` when it fails (inside the critical section, as above).
    pub fn atomic_cas<T>(
        &self,
        thr: &mut ThreadState,
        addr: usize,
        mo: Order,
        fail_mo: Order,
        op: impl FnOnce() -> Result<T, T>,
    ) -> Result<T, T> {
        if thr.ignore_sync != 0 {
            return op();
        }
        let fences = FENCES_SEEN.load(Ordering::Acquire);
        if !mo.acquires() && !mo.releases() && !fail_mo.acquires() && !fences {
            return op();
        }
        let (r, released) = self.sync.with(addr, |s| {
            let r = op();
            let effective = if r.is_ok() { mo } else { fail_mo };
            if effective.acquires() {
                thr.clock.join(&s.clock);
            } else if fences {
                thr.fence_acquire.join(&s.clock);
            }
            let released = r.is_ok() && mo.releases();
            if released {
                s.clock.join(&thr.clock);
            } else if r.is_ok() {
                if let Some(fenced) = &thr.fence_release {
                    s.clock.join(fenced);
                }
            }
            (r, released)
        });
        if released {
            self.advance_epoch(thr);
        }
        r
    }

    /// `thr` executes `atomic_thread_fence(mo)`.
    pub fn fence(&self, thr: &mut ThreadState, mo: Order) {
        if thr.ignore_sync != 0 || mo == Order::Relaxed {
            return;
        }
        if !FENCES_SEEN.load(Ordering::Relaxed) {
            // Once: a store at every fence would take the flag's cache line
            // from the threads whose atomics read it.
            FENCES_SEEN.store(true, Ordering::SeqCst);
        }
        if mo.acquires() {
            // Cleared, not replaced: the allocation serves the next fence.
            thr.clock.join(&thr.fence_acquire);
            thr.fence_acquire.clear();
        }
        if mo == Order::SeqCst {
            self.sync.with(SC_FENCE_CLOCK, |s| {
                thr.clock.join(&s.clock);
                s.clock.assign(&thr.clock);
            });
        }
        if mo.releases() {
            match &mut thr.fence_release {
                Some(fenced) => fenced.assign(&thr.clock),
                None => thr.fence_release = Some(thr.clock.clone()),
            }
            self.advance_epoch(thr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_decode_and_classify() {
        assert_eq!(Order::from_abi(0), Order::Relaxed);
        assert_eq!(Order::from_abi(5), Order::SeqCst);
        assert_eq!(
            Order::from_abi(2 | 0x10000),
            Order::Acquire,
            "HLE flags are dropped"
        );
        assert_eq!(Order::from_abi(42), Order::SeqCst);
        assert!(Order::Consume.acquires() && !Order::Consume.releases());
        assert!(Order::AcqRel.acquires() && Order::AcqRel.releases());
        assert_eq!(Order::Release.for_load(), Ordering::Relaxed);
        assert_eq!(Order::Acquire.for_store(), Ordering::Relaxed);
    }
}
