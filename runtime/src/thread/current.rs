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

/// The calling thread's state pointer, and a copy of the state's fields the
/// hand-written fast paths of the access hooks (`abi::fast`) read: on
/// x86-64 both are plain `.tbss`/`.tdata` variables with fixed names,
/// reached in the initial-exec model (one load through the GOT, relaxed by
/// the linker to an immediate offset from `fs`).
///
/// The copy (`hbsan_tls_fast`: the fast stamp, the whole-word read and
/// write cells) spares the fast paths the load of the state pointer before
/// the load of the fields: one dependent load less on every access. It
/// always holds the current state's fields: `set` copies them when the
/// state changes, `ThreadState::refresh_fast_stamp` when they change in the
/// current state. A thread without a state has the values of
/// `NO_STATE_FAST` there, which send every access to the Rust hooks (which
/// attach the thread); the fast paths load the state pointer only on a
/// miss, when the stamp is not 0 and so a state is current.
#[cfg(target_arch = "x86_64")]
mod slot {
    use super::ThreadState;
    use crate::thread::state::NO_STATE_FAST;

    core::arch::global_asm!(
        ".pushsection .tbss,\"awT\",@nobits",
        ".p2align 3",
        ".globl hbsan_tls_current",
        ".hidden hbsan_tls_current",
        ".type hbsan_tls_current,@object",
        ".size hbsan_tls_current,8",
        "hbsan_tls_current:",
        ".zero 8",
        ".popsection",
        ".pushsection .tdata,\"awT\",@progbits",
        ".p2align 3",
        ".globl hbsan_tls_fast",
        ".hidden hbsan_tls_fast",
        ".type hbsan_tls_fast,@object",
        ".size hbsan_tls_fast,24",
        "hbsan_tls_fast:",
        ".quad {f0}, {f1}, {f2}",
        ".popsection",
        f0 = const NO_STATE_FAST[0],
        f1 = const NO_STATE_FAST[1],
        f2 = const NO_STATE_FAST[2],
    );

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
        p
    }

    /// Sets the pointer (null: the thread has no state) and the fast
    /// paths' copy of its fields.
    ///
    /// In three steps, so that a signal handler's access in between finds
    /// either fields that send it to the Rust hook (which reads the
    /// pointer, whatever it is then) or the new state's fields with the
    /// pointer already set: never fields that make the fast path load a
    /// pointer that is not their state's.
    #[inline(always)]
    pub fn set(p: *mut ThreadState) {
        publish_fast(NO_STATE_FAST);
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
        // SAFETY: `p` is null or the calling thread's own state (see
        // `super::current`), not otherwise borrowed here.
        if let Some(state) = unsafe { p.as_ref() } {
            publish_fast(state.fast_fields());
        }
    }

    /// Writes the fast paths' copy of the current state's fields.
    #[inline(always)]
    pub fn publish_fast(fields: [u64; 3]) {
        // SAFETY: writes the calling thread's own 24-byte TLS object
        // defined above (initial-exec, as in `get`).
        unsafe {
            core::arch::asm!(
                "mov {t}, qword ptr [rip + hbsan_tls_fast@GOTTPOFF]",
                "mov qword ptr fs:[{t}], {a}",
                "mov qword ptr fs:[{t} + 8], {b}",
                "mov qword ptr fs:[{t} + 16], {c}",
                t = out(reg) _,
                a = in(reg) fields[0],
                b = in(reg) fields[1],
                c = in(reg) fields[2],
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

    /// No copy of the fields to keep: the hooks are the Rust ones.
    #[inline(always)]
    pub fn publish_fast(_fields: [u64; 3]) {}
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

/// `state`'s fast-path fields changed: if it is the calling thread's
/// current state, the fast paths' copy of them is written again (a
/// goroutine's or a fiber's state that is not current has no copy).
#[inline]
pub(crate) fn republish_fast(state: &ThreadState) {
    if core::ptr::eq(slot::get(), state) {
        slot::publish_fast(state.fast_fields());
    }
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
