//! The hook names both ABIs use, with different arguments:
//!
//! | name                 | Go race ABI                        | compiler ABI           |
//! |----------------------|------------------------------------|------------------------|
//! | `__tsan_init`        | `(void **thr, void **proc, cb)`    | `()`                   |
//! | `__tsan_acquire`     | `(thr, addr)`                      | `(addr)`               |
//! | `__tsan_release`     | `(thr, addr)`                      | `(addr)`               |
//! | `__tsan_read_range`  | `(thr, addr, size, pc)`            | `(addr, size)`         |
//! | `__tsan_write_range` | `(thr, addr, size, pc)`            | `(addr, size)`         |
//! | `__tsan_func_exit`   | `(thr)`                            | `()`                   |
//!
//! A process speaks one ABI, its **world**: native programs link the
//! interceptors of shim-c, whose `.preinit_array` entry declares the native
//! world (`__hbsan_init_native`) before any instrumented constructor runs;
//! everything else (Go, FFI clients of the Go ABI) is the Go world.

use core::ffi::c_void;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

use super::{go, tsan};
use crate::report::symbolize::RuntimeCallback;

/// Set when the process speaks the compiler instrumentation ABI. Read by
/// the dispatchers below, some of them written in assembly.
pub(crate) static NATIVE_WORLD: AtomicBool = AtomicBool::new(false);

/// Whether the process speaks the compiler instrumentation ABI.
#[inline]
pub fn is_native() -> bool {
    NATIVE_WORLD.load(Relaxed)
}

/// Declares the process native (from `__hbsan_init_native`).
pub(crate) fn declare_native() {
    NATIVE_WORLD.store(true, Relaxed);
}

/// `__tsan_init`: Go's three-argument form, or the compiler ABI's
/// argument-less form (whose argument registers hold garbage, ignored).
///
/// # Safety
/// In the Go world, as `go::init`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tsan_init(
    thr: *mut *mut c_void,
    proc: *mut *mut c_void,
    callback: Option<RuntimeCallback>,
) {
    if is_native() {
        tsan::init();
    } else {
        // SAFETY: forwarded contract.
        unsafe { go::init(thr, proc, callback) }
    }
}

/// `__tsan_acquire`: `(thr, addr)` in Go, `(addr)` in the compiler ABI.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_acquire(a0: *mut c_void, a1: *mut c_void) {
    if is_native() {
        tsan::acquire(a0 as usize)
    } else {
        go::acquire(a0, a1)
    }
}

/// `__tsan_release`: `(thr, addr)` in Go, `(addr)` in the compiler ABI.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_release(a0: *mut c_void, a1: *mut c_void) {
    if is_native() {
        tsan::release(a0 as usize)
    } else {
        go::release(a0, a1)
    }
}

/// `__tsan_func_exit`: `(thr)` in Go, `()` in the compiler ABI.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_func_exit(thr: *mut c_void) {
    if is_native() {
        tsan::func_exit()
    } else {
        go::func_exit(thr)
    }
}

/// Defines a range hook: in the native world it appends the caller's pc
/// (as the third argument) and goes to the compiler-ABI implementation; in
/// the Go world it goes to Go's, arguments untouched.
macro_rules! range_dispatch {
    ($(#[$doc:meta])* $name:ident => go: $go:path, native: $native:path) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// Called with the arguments of the calling world's prototype.
        #[cfg(target_arch = "x86_64")]
        #[unsafe(no_mangle)]
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name() {
            core::arch::naked_asm!(
                "cmp byte ptr [rip + {world}], 0",
                "jne 2f",
                "jmp {go}",
                "2:",
                "mov rdx, qword ptr [rsp]",
                "jmp {native}",
                world = sym NATIVE_WORLD,
                go = sym $go,
                native = sym $native,
            )
        }

        $(#[$doc])*
        ///
        /// # Safety
        /// Called with the arguments of the calling world's prototype.
        #[cfg(target_arch = "aarch64")]
        #[unsafe(no_mangle)]
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name() {
            core::arch::naked_asm!(
                "adrp x16, {world}",
                "ldrb w16, [x16, :lo12:{world}]",
                "cbnz w16, 2f",
                "b {go}",
                "2:",
                "mov x2, x30",
                "b {native}",
                world = sym NATIVE_WORLD,
                go = sym $go,
                native = sym $native,
            )
        }
    };
}

range_dispatch!(
    /// `__tsan_read_range`: a read of a range of bytes.
    __tsan_read_range => go: go::read_range, native: tsan::read_range
);
range_dispatch!(
    /// `__tsan_write_range`: a write of a range of bytes.
    __tsan_write_range => go: go::write_range, native: tsan::write_range
);
