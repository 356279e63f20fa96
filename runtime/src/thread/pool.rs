//! Storage for thread states at a fixed address, so that a thread handle
//! handed to a language runtime can be validated with a little arithmetic
//! instead of a lookup.
//!
//! The pool is an array of [`MAX_THREADS`] entries in the runtime's fixed
//! region (see `shadow::layout`). A handle is the address of an entry; it is
//! valid when it points exactly at an entry and that entry's first word holds
//! the alive marker. Entries are recycled first-in first-out after a
//! quarantine, so a stale handle is very likely to be caught rather than to
//! alias a new thread.

use core::mem::{align_of, size_of};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::collections::VecDeque;

use crate::platform::lock::{ForkHold, Mutex};

use super::state::{ALIVE, ThreadState};
use crate::clock::MAX_SLOTS;
use crate::platform::mmap::{self, Use};
use crate::shadow::layout::Range;
use crate::shadow::memory::layout;

/// The most thread states that can exist at once: one per slot.
pub const MAX_THREADS: usize = MAX_SLOTS;
/// Bytes per entry: a power of two, so validation is a mask.
const ENTRY: usize = size_of::<ThreadState>().next_power_of_two();
/// Freed entries wait for this many later frees before being reused.
const QUARANTINE: usize = 64;

const _: () = assert!(ENTRY % align_of::<ThreadState>() == 0);

/// Set once the region is reserved: before that, no address in it may be read.
static RESERVED: AtomicBool = AtomicBool::new(false);

#[inline(always)]
fn base() -> usize {
    layout().runtime_range().start
}

/// The pool.
pub struct Pool {
    free: Mutex<FreeList>,
}

struct FreeList {
    /// Entries never used start here.
    next_fresh: usize,
    /// Freed entries, oldest first.
    freed: VecDeque<usize>,
}

/// The pool is full: that many threads are alive.
#[derive(Debug)]
pub struct PoolFull;

impl Pool {
    /// Reserves the pool's region.
    pub fn new() -> Result<Pool, String> {
        if !RESERVED.load(Relaxed) {
            let range = Range {
                start: base(),
                end: base() + MAX_THREADS * ENTRY,
            };
            mmap::reserve_fixed(range, Use::Sparse).map_err(|e| e.to_string())?;
            RESERVED.store(true, Relaxed);
        }
        Ok(Pool {
            free: Mutex::new(FreeList {
                next_fresh: 0,
                freed: VecDeque::new(),
            }),
        })
    }

    /// Moves `state` into a free entry and returns it.
    pub fn insert(&self, state: ThreadState) -> Result<&'static mut ThreadState, PoolFull> {
        let index = {
            let mut f = self.free.lock();
            if f.freed.len() > QUARANTINE {
                f.freed.pop_front().expect("non-empty")
            } else if f.next_fresh < MAX_THREADS {
                f.next_fresh += 1;
                f.next_fresh - 1
            } else if let Some(i) = f.freed.pop_front() {
                i
            } else {
                return Err(PoolFull);
            }
        };
        let p = (base() + index * ENTRY) as *mut ThreadState;
        // SAFETY: `p` is an entry of the reserved region, aligned for
        // `ThreadState` (page-aligned base, ENTRY a multiple of the
        // alignment) and large enough; the free list gave it to us alone, and
        // it holds no live value (never used, or dropped by `remove`).
        unsafe {
            p.write(state);
            Ok(&mut *p)
        }
    }

    /// Drops the state in `entry` and returns the entry to the pool.
    pub fn remove(&self, entry: &'static mut ThreadState) {
        let p = entry as *mut ThreadState;
        let index = (p as usize - base()) / ENTRY;
        // SAFETY: `entry` came from `insert` (it is the only way to get a
        // `&'static mut` into the pool), so it holds a live value that
        // nothing else references; after dropping it, the marker word is
        // zeroed so handle validation rejects the entry.
        unsafe {
            p.drop_in_place();
            (*(p as *const AtomicU64)).store(0, Relaxed);
        }
        self.free.lock().freed.push_back(index);
    }

    /// Holds the free list's lock across `fork`.
    pub(crate) fn hold_for_fork(&'static self, hold: &mut ForkHold) {
        hold.hold(self.free.lock());
    }

    /// The handle of a state in the pool (the address a language runtime
    /// keeps).
    pub fn handle(state: &ThreadState) -> usize {
        state as *const ThreadState as usize
    }
}

/// The live thread state at `handle`, or `None` if `handle` is not the
/// address of one (including before any pool exists).
///
/// # Safety
/// The caller must be the thread that owns the state: no other reference
/// to it may be in use while the result is.
#[inline(always)]
pub unsafe fn from_handle(handle: usize) -> Option<&'static mut ThreadState> {
    let offset = handle.wrapping_sub(base());
    if offset >= MAX_THREADS * ENTRY || offset % ENTRY != 0 || !RESERVED.load(Relaxed) {
        return None;
    }
    // SAFETY: `handle` is an entry of the reserved (always mapped) region,
    // so its first word can be read; `magic` is the first field of the
    // `#[repr(C)]` state. Only entries holding a live state carry the
    // marker, and the caller guarantees exclusive ownership.
    unsafe {
        if (*(handle as *const AtomicU64)).load(Relaxed) != ALIVE {
            return None;
        }
        Some(&mut *(handle as *mut ThreadState))
    }
}
