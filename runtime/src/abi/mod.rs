//! The `extern "C"` faces of the runtime. Each is a thin translation into
//! core calls; no panic crosses them (`extern "C"` functions abort instead
//! of unwinding).
//!
//! - [`go`]: Go's race ABI (explicit goroutine handles);
//! - [`tsan`], [`tsan_atomic`]: the compiler instrumentation ABI (implicit
//!   thread: the calling OS thread);
//! - [`fiber`]: ThreadSanitizer's fiber API (user-level threads);
//! - `fast` (x86-64): the hand-written fast paths of the access hooks;
//! - [`native`]: what the C interceptors of native programs report;
//! - [`shared`]: the hook names both ABIs use, dispatched by world.

#[cfg(target_arch = "x86_64")]
mod fast;
pub mod fiber;
pub mod go;
pub mod native;
pub mod shared;
mod trampoline;
pub mod tsan;
pub mod tsan_atomic;
