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
    static GUARD: Cell<u32> = const { Cell::new(0) };
    /// A signal arrived while the thread was inside the runtime: the
    /// interceptors' function that runs its handler, once the thread leaves.
    static DEFERRED: Cell<Option<extern "C" fn()>> = const { Cell::new(None) };
}

/// The calling thread's state pointer: a thread-local the hand-written
/// fast paths of the access hooks (`abi::fast`) read too, so on x86-64 it is
/// a plain 8-byte `.tdata` variable with a fixed name, reached in the
/// initial-exec model (one load through the GOT, relaxed by the linker to an
/// immediate offset from `fs`).
///
/// A thread without a state does not hold null there but the address of
/// [`NO_STATE`], whose fast-path fields send every access to the Rust hooks
/// (which attach the thread): the fast paths then need no test for null.
/// `get` and `set` translate, so the rest of the runtime sees null.
#[cfg(target_arch = "x86_64")]
mod slot {
    use super::ThreadState;
    use crate::thread::state::NO_STATE_FIELDS;

    /// What the fast paths read of a thread without a state: its stamp 0
    /// (epoch 0: no cell matches, every access goes to the Rust hook), and
    /// the whole-word cells built from it, as while hooks are counted.
    #[repr(C, align(64))]
    struct NoState([u64; NO_STATE_FIELDS.len()]);

    /// Never written: the fast paths only read it.
    static NO_STATE: NoState = NoState(NO_STATE_FIELDS);

    core::arch::global_asm!(
        ".pushsection .tdata,\"awT\",@progbits",
        ".p2align 3",
        ".globl hbsan_tls_current",
        ".hidden hbsan_tls_current",
        ".type hbsan_tls_current,@object",
        ".size hbsan_tls_current,8",
        "hbsan_tls_current:",
        ".quad {no_state}",
        ".popsection",
        no_state = sym NO_STATE,
    );

    fn no_state() -> *mut ThreadState {
        &NO_STATE as *const NoState as *mut ThreadState
    }

    /// The pointer (null when the thread has no state).
    #[inline(always)]
    pub fn get() -> *mut ThreadState {
        let p: *mut ThreadState;
        // SAFETY: reads the calling thread's own 8-byte TLS slot defined
        // above (initial-exec: the offset comes from the GOT).
        unsafe {
            core::arch::asm!(
                "mov {p}, qword ptr [rip + hbsan_tls_current@GOTTPOFF]",
                "mov {p}, qword ptr fs:[{p}]",
                p = out(reg) p,
                options(nostack, readonly, preserves_flags),
            );
        }
        if p == no_state() {
            core::ptr::null_mut()
        } else {
            p
        }
    }

    /// Sets the pointer (null: the thread has no state).
    #[inline(always)]
    pub fn set(p: *mut ThreadState) {
        let p = if p.is_null() { no_state() } else { p };
        // SAFETY: writes the calling thread's own TLS slot (see `get`).
        unsafe {
            core::arch::asm!(
                "mov {t}, qword ptr [rip + hbsan_tls_current@GOTTPOFF]",
                "mov qword ptr fs:[{t}], {p}",
                t = out(reg) _,
                p = in(reg) p,
                options(nostack, preserves_flags),
            );
        }
    }
}

/// The calling thread's state pointer (a `thread_local!` where there is no
/// hand-written fast path).
#[cfg(not(target_arch = "x86_64"))]
mod slot {
    use super::ThreadState;
    use core::cell::Cell;

    thread_local! {
        static CURRENT: Cell<*mut ThreadState> = const { Cell::new(core::ptr::null_mut()) };
    }

    /// The pointer.
    #[inline(always)]
    pub fn get() -> *mut ThreadState {
        CURRENT.with(Cell::get)
    }

    /// Sets the pointer.
    #[inline(always)]
    pub fn set(p: *mut ThreadState) {
        CURRENT.with(|c| c.set(p));
    }
}

/// The calling thread's state, attaching the thread if needed.
#[inline(always)]
pub fn current() -> &'static mut ThreadState {
    let p = slot::get();
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
    let p = slot::get();
    // SAFETY: as in `current`.
    unsafe { p.as_mut() }
}

/// Makes `state` the calling thread's.
pub fn set_current(state: &'static mut ThreadState) {
    slot::set(state);
}

/// The calling thread no longer has a state; returns the one it had.
pub fn take_current() -> Option<&'static mut ThreadState> {
    let p = slot::get();
    slot::set(core::ptr::null_mut());
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
    unsafe { &mut *slot::get() }
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
