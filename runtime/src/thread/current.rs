//! The calling OS thread's state, for the compiler instrumentation ABI,
//! where hooks receive no thread handle.
//!
//! A thread that calls a hook before the runtime saw it start (the main
//! thread before `__hbsan_init_native`, threads created behind the
//! interceptors' back) is attached on first use, as a thread whose creation
//! orders nothing.
//!
//! The **guard** marks the thread as being inside the runtime: while it is
//! set, interceptors only forward to the real functions (the runtime's own
//! `malloc`s, `memcpy`s and locks must not re-enter it), and the hot path's
//! rare growth of per-thread vectors happens under it.

use core::cell::Cell;

use super::ThreadState;
use crate::runtime::{self, World};

thread_local! {
    static CURRENT: Cell<*mut ThreadState> = const { Cell::new(core::ptr::null_mut()) };
    static GUARD: Cell<u32> = const { Cell::new(0) };
    /// A signal arrived while the thread was inside the runtime: the
    /// interceptors' function that runs its handler, once the thread leaves.
    static DEFERRED: Cell<Option<extern "C" fn()>> = const { Cell::new(None) };
}

/// The calling thread's state, attaching the thread if needed.
#[inline(always)]
pub fn current() -> &'static mut ThreadState {
    let p = CURRENT.with(Cell::get);
    if p.is_null() {
        return attach_unseen();
    }
    // SAFETY: `p` was set by `set_current` from a `&'static mut` pool entry
    // owned by this OS thread; it is cleared before the entry is released,
    // and no other thread ever reads this thread-local.
    unsafe { &mut *p }
}

/// The calling thread's state if it has one (no attaching).
#[inline]
pub fn try_current() -> Option<&'static mut ThreadState> {
    let p = CURRENT.with(Cell::get);
    // SAFETY: as in `current`.
    unsafe { p.as_mut() }
}

/// Makes `state` the calling thread's.
pub fn set_current(state: &'static mut ThreadState) {
    CURRENT.with(|c| c.set(state));
}

/// The calling thread no longer has a state; returns the one it had.
pub fn take_current() -> Option<&'static mut ThreadState> {
    let p = CURRENT.with(|c| c.replace(core::ptr::null_mut()));
    // SAFETY: as in `current`; the pointer is no longer reachable from TLS.
    unsafe { p.as_mut() }
}

#[cold]
#[inline(never)]
fn attach_unseen() -> &'static mut ThreadState {
    let _guard = Guard::enter();
    let rt = runtime::init(World::Native, None);
    let birth = rt.create_thread(None, &[]);
    // SAFETY: gettid has no preconditions.
    let os_tid = unsafe { libc::gettid() };
    let state = rt.start_thread(birth, os_tid);
    if let Some((lo, hi)) = crate::platform::stack::current_thread_stack() {
        rt.threads.set_stack(state.tid(), lo, hi);
    }
    if let Some((lo, hi)) = crate::platform::tls::current_thread_tls() {
        rt.threads.set_tls(state.tid(), lo, hi);
    }
    set_current(state);
    // SAFETY: as in `current`.
    unsafe { &mut *CURRENT.with(Cell::get) }
}

/// While alive, the thread is inside the runtime (see the module docs).
pub struct Guard(());

impl Guard {
    /// Enters the runtime.
    #[inline]
    pub fn enter() -> Guard {
        GUARD.with(|g| g.set(g.get() + 1));
        Guard(())
    }
}

impl Drop for Guard {
    #[inline]
    fn drop(&mut self) {
        let depth = GUARD.with(|g| {
            g.set(g.get() - 1);
            g.get()
        });
        // Lowered first, then checked: a signal arriving in between finds
        // the thread outside the runtime and runs its handler directly.
        if depth == 0 {
            if let Some(deliver) = DEFERRED.with(Cell::take) {
                deliver();
            }
        }
    }
}

/// Asks the runtime to call `deliver` as soon as the calling thread leaves
/// it (from a signal handler that found the thread inside the runtime).
/// Async-signal-safe: one thread-local store.
pub fn defer_signal(deliver: extern "C" fn()) {
    DEFERRED.with(|d| d.set(Some(deliver)));
}

/// Whether the calling thread is inside the runtime.
#[inline]
pub fn in_runtime() -> bool {
    GUARD.with(Cell::get) != 0
}
