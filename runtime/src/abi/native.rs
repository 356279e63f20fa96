//! The runtime entry points of `shim-c/include/hbsan_rt.h`: what the C
//! interceptors of native programs report (threads, locks, memory,
//! process events). Each enters the runtime under the guard, so that
//! allocations and locks the runtime itself uses are forwarded by the
//! interceptors without being recorded.

use core::ffi::c_void;

use super::shared;
use crate::heap::Block;
use crate::platform::lock::ForkHold;
use crate::runtime::{self, Runtime, World};
use crate::shadow::cell::AccessKind;
use crate::shadow::check;
use crate::thread::Tid;
use crate::thread::current::{Guard, current, in_runtime, set_current, take_current, try_current};
use crate::thread::lifecycle::Birth;

fn rt() -> &'static Runtime {
    runtime::get().unwrap_or_else(|| runtime::init(World::Native, None))
}

/// Start-up (`.preinit_array`): the process speaks the compiler ABI; the
/// runtime starts and the calling thread becomes the main thread.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_init_native() {
    shared::declare_native();
    let _g = Guard::enter();
    rt();
    let _ = current();
}

/// Whether interceptors must only forward (the thread is inside the runtime).
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_in_runtime() -> i32 {
    in_runtime() as i32
}

/// A signal arrived while the calling thread was inside the runtime: call
/// `deliver` (which runs the program's handler) when the thread leaves it.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_defer_signal(deliver: Option<extern "C" fn()>) {
    if let Some(deliver) = deliver {
        crate::thread::current::defer_signal(deliver);
    }
}

// --- threads ----------------------------------------------------------------

/// In the parent, before the real `pthread_create`: returns a ticket, and
/// the new thread's id in `*tid`.
///
/// # Safety
/// `tid` must be null or point to a writable `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __hbsan_thread_create(
    caller_pc: *mut c_void,
    self_pc: *mut c_void,
    tid: *mut u32,
) -> *mut c_void {
    let _g = Guard::enter();
    let thr = current();
    let birth = rt().create_thread(Some(thr), &[caller_pc as u64, self_pc as u64]);
    if !tid.is_null() {
        // SAFETY: the caller passes null or a writable `unsigned`.
        unsafe { tid.write(birth.tid().0) };
    }
    Box::into_raw(Box::new(birth)) as *mut c_void
}

/// The real creation of thread `tid` succeeded and gave it the `pthread_t`
/// `thread`: from now on the creator may name it by that value, even before
/// it runs. (A thread that already finished keeps no `pthread_t`.)
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_thread_created(tid: u32, thread: libc::c_ulong) {
    let _g = Guard::enter();
    rt().threads.set_pthread(Tid(tid), thread as usize);
}

/// Reclaims a ticket made by `__hbsan_thread_create`.
///
/// # Safety
/// `ticket` must come from `__hbsan_thread_create` and be used once.
unsafe fn take_ticket(hook: &str, ticket: *mut c_void) -> Birth {
    if ticket.is_null() {
        crate::die!("{hook}: null thread ticket");
    }
    // SAFETY: per the contract, a live Box<Birth> made by `__hbsan_thread_create`.
    *unsafe { Box::from_raw(ticket as *mut Birth) }
}

/// The real `pthread_create` failed.
///
/// # Safety
/// `ticket` must come from `__hbsan_thread_create` and be used once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __hbsan_thread_create_failed(ticket: *mut c_void) {
    let _g = Guard::enter();
    // SAFETY: forwarded contract.
    let birth = unsafe { take_ticket("__hbsan_thread_create_failed", ticket) };
    rt().threads.finish(birth.tid());
}

/// In the child, before its start routine.
///
/// # Safety
/// `ticket` must come from `__hbsan_thread_create` and be used once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __hbsan_thread_start(
    ticket: *mut c_void,
    stack_lo: *mut c_void,
    stack_hi: *mut c_void,
) {
    let _g = Guard::enter();
    // SAFETY: forwarded contract.
    let birth = unsafe { take_ticket("__hbsan_thread_start", ticket) };
    let rt = rt();
    let (lo, hi) = (stack_lo as usize, stack_hi as usize);
    // A new thread's stack may be memory an earlier thread used.
    rt.shadow.reset(lo, hi);
    // SAFETY: gettid has no preconditions.
    let state = rt.start_thread(birth, unsafe { libc::gettid() });
    if lo < hi {
        rt.threads.set_stack(state.tid(), lo, hi);
    }
    if let Some((lo, hi)) = crate::platform::tls::current_thread_tls() {
        rt.threads.set_tls(state.tid(), lo, hi);
    }
    // SAFETY: pthread_self has no preconditions.
    rt.threads
        .set_pthread(state.tid(), unsafe { libc::pthread_self() } as usize);
    set_current(state);
}

/// Thread `thread` (a `pthread_t`) was given a name (`pthread_setname_np`,
/// `AnnotateThreadName`): reports call it `Thread T1 'name'`. An unknown
/// `thread` or a null `name` is ignored.
///
/// # Safety
/// `name` must be null or point to a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __hbsan_thread_named(thread: libc::c_ulong, name: *const libc::c_char) {
    let _g = Guard::enter();
    if name.is_null() {
        return;
    }
    // SAFETY: the caller promises a NUL-terminated string.
    let name = unsafe { core::ffi::CStr::from_ptr(name) }.to_string_lossy();
    let rt = rt();
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() } as usize;
    let tid = if thread as usize == me {
        let tid = current().tid();
        // Threads the runtime did not see start learn their pthread_t here.
        rt.threads.set_pthread(tid, me);
        Some(tid)
    } else {
        rt.threads.by_pthread(thread as usize)
    };
    if let Some(tid) = tid {
        rt.threads.set_name(tid, &name);
    }
}

/// In the child, as late as possible: a joinable thread releases into its
/// join object (its `pthread_t`); then its state is gone.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_thread_finish(joinable: i32) {
    let _g = Guard::enter();
    let Some(thr) = try_current() else { return };
    let rt = rt();
    if joinable != 0 {
        // SAFETY: pthread_self has no preconditions.
        let me = unsafe { libc::pthread_self() } as usize;
        rt.release_store(thr, me);
    }
    if let Some(thr) = take_current() {
        rt.finish_thread(thr);
    }
}

/// A join of `thread` succeeded.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_thread_joined(thread: libc::c_ulong) {
    let _g = Guard::enter();
    let rt = rt();
    rt.acquire(current(), thread as usize);
    // The pthread_t value may name another thread later.
    rt.sync.remove(thread as usize);
}

/// `thread` was detached: nobody will join it.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_thread_detached(thread: libc::c_ulong) {
    let _g = Guard::enter();
    rt().sync.remove(thread as usize);
}

// --- locks ------------------------------------------------------------------

const LOCK_READ: i32 = 1;

/// A lock was acquired.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_lock_acquired(lock: *mut c_void, flags: i32) {
    let _g = Guard::enter();
    rt().lock_acquired(current(), lock as usize, flags & LOCK_READ != 0);
}

/// A lock is about to be released.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_lock_releasing(lock: *mut c_void) {
    let _g = Guard::enter();
    rt().lock_releasing(current(), lock as usize);
}

/// A lock was destroyed.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_lock_destroyed(lock: *mut c_void) {
    let _g = Guard::enter();
    rt().lock_destroyed(lock as usize);
}

/// Release-merge on `addr` (semaphore post, barrier arrival, once done).
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_release(addr: *mut c_void) {
    let _g = Guard::enter();
    rt().release(current(), addr as usize);
}

/// Release-store on `addr`.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_release_store(addr: *mut c_void) {
    let _g = Guard::enter();
    rt().release_store(current(), addr as usize);
}

/// Acquire on `addr`.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_acquire(addr: *mut c_void) {
    let _g = Guard::enter();
    rt().acquire(current(), addr as usize);
}

// --- memory -----------------------------------------------------------------

/// A heap block `[p, p+size)` was allocated at `(caller_pc, self_pc)`.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_malloc(
    p: *mut c_void,
    size: usize,
    caller_pc: *mut c_void,
    self_pc: *mut c_void,
) {
    if p.is_null() {
        return;
    }
    let _g = Guard::enter();
    let rt = rt();
    let thr = current();
    let start = p as usize;
    rt.shadow.reset(start, start.saturating_add(size));
    let mut stack = thr.stack().to_vec();
    stack.extend([caller_pc as u64, self_pc as u64]);
    let block = Block {
        size,
        tid: thr.tid(),
        stack: rt.stacks.put(&stack),
    };
    rt.heap.insert(start, block);
}

/// The heap block at `p` is about to be freed at `(caller_pc, self_pc)`.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_free(p: *mut c_void, caller_pc: *mut c_void, self_pc: *mut c_void) {
    if p.is_null() {
        return;
    }
    let _g = Guard::enter();
    let rt = rt();
    let start = p as usize;
    let Some(block) = rt.heap.remove(start) else {
        return;
    };
    let thr = current();
    thr.func_entry(caller_pc as u64);
    check::free_range(thr, start, block.size, self_pc as u64);
    thr.func_exit();
    rt.forget_sync_objects(start, block.size);
    rt.reports.benign.forget(start, block.size);
}

/// A new mapping `[p, p+size)`.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_mapped(p: *mut c_void, size: usize) {
    let _g = Guard::enter();
    let start = p as usize;
    rt().shadow.reset(start, start.saturating_add(size));
}

/// The mapping `[p, p+size)` is gone.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_unmapped(p: *mut c_void, size: usize) {
    let _g = Guard::enter();
    let rt = rt();
    let start = p as usize;
    rt.shadow.reset(start, start.saturating_add(size));
    rt.forget_sync_objects(start, size);
    rt.reports.benign.forget(start, size);
    rt.heap.remove_range(start, size);
}

/// `begin != 0`: the calling thread's synchronization stops being seen
/// (`AnnotateIgnoreSyncBegin`; nests); `begin == 0`: one level ends (an
/// unmatched end is ignored).
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_ignore_sync(begin: i32) {
    let _g = Guard::enter();
    let thr = current();
    thr.ignore_sync = if begin != 0 {
        thr.ignore_sync.saturating_add(1)
    } else {
        thr.ignore_sync.saturating_sub(1)
    };
}

/// The program declared `[p, p+size)` racy on purpose
/// (`AnnotateBenignRaceSized`): races on it are not reported while it lives.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_benign_race(p: *const c_void, size: usize) {
    let _g = Guard::enter();
    rt().reports.benign.add(p as usize, size);
}

/// An interceptor's access of `[p, p+size)` for the program, which called
/// it from `caller_pc`; `self_pc` is the interceptor's own frame.
#[inline(always)]
fn range(
    p: *const c_void,
    size: usize,
    kind: AccessKind,
    caller_pc: *mut c_void,
    self_pc: *mut c_void,
) {
    if size == 0 || in_runtime() {
        return;
    }
    check::called_access(
        current(),
        p as usize,
        size,
        kind,
        caller_pc as u64,
        self_pc as u64,
    );
}

/// An interceptor reads `[p, p+size)` for the program.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_read_range(
    p: *const c_void,
    size: usize,
    caller_pc: *mut c_void,
    self_pc: *mut c_void,
) {
    range(p, size, AccessKind::READ, caller_pc, self_pc);
}

/// An interceptor reads `[p, p+size)` atomically for the program (a lock
/// reading its own word: it races with plain writes, such as an init,
/// destroy or free of the lock, not with other atomic accesses).
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_atomic_read_range(
    p: *const c_void,
    size: usize,
    caller_pc: *mut c_void,
    self_pc: *mut c_void,
) {
    range(p, size, AccessKind::ATOMIC_READ, caller_pc, self_pc);
}

/// An interceptor writes `[p, p+size)` for the program.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_write_range(
    p: *const c_void,
    size: usize,
    caller_pc: *mut c_void,
    self_pc: *mut c_void,
) {
    range(p, size, AccessKind::WRITE, caller_pc, self_pc);
}

// --- process ----------------------------------------------------------------

thread_local! {
    /// The runtime's locks, and the re-entrancy guard, held across `fork`
    /// by the forking thread.
    static FORK_HOLD: core::cell::RefCell<Option<(ForkHold, Guard)>> = const { core::cell::RefCell::new(None) };
}

/// Before `fork`: takes every runtime lock, so the child does not inherit
/// one held by a thread that does not exist there.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_fork_before() {
    let guard = Guard::enter();
    let hold = rt().hold_for_fork();
    FORK_HOLD.with(|h| *h.borrow_mut() = Some((hold, guard)));
}

/// After `fork`, in the parent (`in_child == 0`) and in the child.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_fork_after(in_child: i32) {
    let held = FORK_HOLD.with(|h| h.borrow_mut().take());
    let Some((hold, guard)) = held else { return };
    drop(hold);
    if in_child != 0 {
        let rt = rt();
        // The forking thread is the child's only thread.
        rt.live_threads
            .store(1, core::sync::atomic::Ordering::Relaxed);
        let tid = current().tid();
        // SAFETY: gettid has no preconditions.
        rt.threads.set_os_tid(tid, unsafe { libc::gettid() });
    }
    drop(guard);
}

/// The process is ending: prints the summary; returns the exit status to
/// end with, or -1 to keep the program's own.
#[unsafe(no_mangle)]
pub extern "C" fn __hbsan_finish() -> i32 {
    let _g = Guard::enter();
    match runtime::get() {
        Some(rt) => rt.finish_once(),
        None => -1,
    }
}
