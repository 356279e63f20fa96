//! ThreadSanitizer's fiber API: user-level threads (coroutines, green
//! threads, `swapcontext` schedulers) that take turns on OS threads.
//!
//! A fiber is a thread state of its own — slot, clock, shadow stack,
//! history — that is not tied to an OS thread: switching to it makes it the
//! calling OS thread's current state. By default a switch synchronizes (the
//! fiber being left releases on the target's handle and the target acquires
//! it), since one OS thread runs them one after the other; with
//! [`SWITCH_NO_SYNC`] it does not, for schedulers whose fibers must be
//! checked as if they ran in parallel.
//!
//! ```c
//! void *__tsan_get_current_fiber(void);
//! void *__tsan_create_fiber(unsigned flags);
//! void __tsan_destroy_fiber(void *fiber);
//! void __tsan_switch_to_fiber(void *fiber, unsigned flags);
//! void __tsan_set_fiber_name(void *fiber, const char *name);
//! ```
//!
//! A handle is a thread state of the pool: a null, unknown or destroyed
//! handle is reported by name and the program stops, as for Go's handles.

use core::ffi::{c_char, c_void};

use super::trampoline::hook_pc;
use crate::runtime::{self, Runtime, World};
use crate::thread::ThreadState;
use crate::thread::current::{Guard, current, set_current};

/// `__tsan_switch_to_fiber` flag: switch without synchronizing.
pub const SWITCH_NO_SYNC: u32 = 1;

fn rt() -> &'static Runtime {
    runtime::get().unwrap_or_else(|| runtime::init(World::Native, None))
}

/// The live fiber (or thread) state `handle` names, or a fatal error naming
/// `hook`.
fn fiber(hook: &str, handle: *mut c_void) -> &'static mut ThreadState {
    // SAFETY: `from_handle` only reads the pool's reserved region; the
    // state it returns is used by the calling OS thread only, which is the
    // API's contract (a fiber runs on one OS thread at a time).
    match unsafe { crate::thread::pool::from_handle(handle as usize) } {
        Some(state) => state,
        None => crate::die!("{hook}: {handle:p} is not a live fiber"),
    }
}

/// The state running on the calling OS thread (a thread or a fiber).
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_get_current_fiber() -> *mut c_void {
    let _g = Guard::enter();
    current() as *mut ThreadState as *mut c_void
}

hook_pc!(
    /// A new fiber, created by the calling thread or fiber: what the
    /// creator did so far happens-before everything the fiber does.
    __tsan_create_fiber => create_fiber_imp, x86_64: "rsi", aarch64: "x1"
);

extern "C" fn create_fiber_imp(_flags: u32, pc: usize) -> *mut c_void {
    let _g = Guard::enter();
    let rt = rt();
    let creator = current();
    let birth = rt.create_thread(Some(creator), &[pc as u64]);
    // A fiber has no kernel thread of its own (its reports say tid=0).
    let state = rt.start_thread(birth, 0);
    state as *mut ThreadState as *mut c_void
}

/// Destroys a fiber (not the one running, nor an OS thread's own state).
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_destroy_fiber(handle: *mut c_void) {
    let _g = Guard::enter();
    let rt = rt();
    let running = current() as *mut ThreadState;
    let state = fiber("__tsan_destroy_fiber", handle);
    if core::ptr::eq(state, running) {
        crate::die!("__tsan_destroy_fiber: {handle:p} is the running fiber");
    }
    // The handle's synchronization object goes with it: a new fiber may
    // get the same pool entry.
    rt.sync.remove(handle as usize);
    rt.finish_thread(state);
}

/// Makes `handle` the calling OS thread's running fiber.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_switch_to_fiber(handle: *mut c_void, flags: u32) {
    let _g = Guard::enter();
    let rt = rt();
    let from = current();
    let to = fiber("__tsan_switch_to_fiber", handle);
    if core::ptr::eq(from, to) {
        return;
    }
    if flags & SWITCH_NO_SYNC == 0 {
        rt.release(from, handle as usize);
        rt.acquire(to, handle as usize);
    }
    set_current(to);
}

/// Names a fiber in reports (`Thread T3 'name'`).
///
/// # Safety
/// `name` must be null or point to a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tsan_set_fiber_name(handle: *mut c_void, name: *const c_char) {
    let _g = Guard::enter();
    let state = fiber("__tsan_set_fiber_name", handle);
    if name.is_null() {
        return;
    }
    // SAFETY: the caller promises a NUL-terminated string.
    let name = unsafe { core::ffi::CStr::from_ptr(name) }.to_string_lossy();
    rt().threads.set_name(state.tid(), &name);
}
