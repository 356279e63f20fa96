//! A miniature Go runtime over the race ABI.
//!
//! Goroutines are OS threads, and channels, mutexes, WaitGroups, `Once` and
//! `sync/atomic` are built on the standard library, each calling the hooks
//! of `shared/ABI.md` §3 exactly where Go's own runtime calls them under
//! `-race` (`runtime/chan.go`, `sync/*.go`, `runtime/race_amd64.s`). The
//! real synchronization happens in the standard library, which the
//! detector does not see: what it sees is only what the hooks say, as for a
//! real Go program.
//!
//! The hooks are called only through their C declarations
//! ([`ffi`]), as any FFI client of the runtime would.

pub mod chan;
pub mod ffi;
pub mod goroutine;
pub mod sync;

pub use chan::Chan;
pub use goroutine::{Goroutine, Handle, fini, init, report_count};
pub use sync::{AtomicInt64, Mutex, Once, RwMutex, WaitGroup};

/// A real pc of the calling code, as the Go compiler passes to the race
/// hooks: the return address of a call made on the caller's line, so it
/// symbolizes to the caller's function and line.
#[macro_export]
#[collapse_debuginfo(yes)]
macro_rules! pc {
    () => {
        $crate::minigo::Pc($crate::minigo::return_address())
    };
}

/// Returns the address its caller will continue at.
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
pub extern "C" fn return_address() -> usize {
    core::arch::naked_asm!("mov rax, [rsp]", "ret")
}

/// Returns the address its caller will continue at.
#[cfg(target_arch = "aarch64")]
#[unsafe(naked)]
pub extern "C" fn return_address() -> usize {
    core::arch::naked_asm!("mov x0, x30", "ret")
}

/// A program counter handed to the hooks.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Pc(pub usize);

impl Pc {
    pub(crate) fn ptr(self) -> *mut core::ffi::c_void {
        self.0 as *mut core::ffi::c_void
    }
}
