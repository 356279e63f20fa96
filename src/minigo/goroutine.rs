//! Goroutines: `go` statements, memory accesses, calls.

use core::ffi::c_void;
use std::thread::JoinHandle;

use super::Pc;
use super::ffi::*;

/// A goroutine's handle (`thr` in the ABI). Passed to every operation the
/// goroutine performs; it moves to the OS thread that runs the goroutine.
#[derive(Debug)]
pub struct Goroutine {
    thr: *mut c_void,
}

// SAFETY: a goroutine runs on one OS thread at a time: its handle is moved
// into the thread that runs it and used only there.
unsafe impl Send for Goroutine {}

/// The OS thread running a goroutine. Joining it is not synchronization as
/// far as the detector knows (Go has no join): it only waits in real time.
#[derive(Debug)]
pub struct Handle(JoinHandle<()>);

impl Handle {
    /// Waits (in real time only) for the goroutine to finish.
    pub fn join(self) {
        let _ = self.0.join();
    }
}

/// Starts the runtime; returns the main goroutine.
///
/// As in Go, the handle `__tsan_init` returns belongs to the first
/// thread's scheduler stack (`g0`), which only starts the main goroutine;
/// reports call that goroutine (the second thread) "main goroutine".
pub fn init() -> Goroutine {
    let (mut g0, mut proc_) = (core::ptr::null_mut(), core::ptr::null_mut());
    // SAFETY: both out-pointers are valid; no callback: the runtime
    // symbolizes our pcs from our own debug information.
    unsafe { __tsan_init(&mut g0, &mut proc_, None) };
    let mut main = core::ptr::null_mut();
    // SAFETY: `g0` is live; `main` is a valid out-pointer.
    unsafe { __tsan_go_start(g0, &mut main, crate::pc!().ptr()) };
    Goroutine { thr: main }
}

/// Ends the program the way Go's runtime does: `__tsan_fini` prints the
/// summary and exits, with status 66 when races were reported.
pub fn fini() -> ! {
    // SAFETY: no arguments.
    unsafe { __tsan_fini() };
    unreachable!("__tsan_fini exits")
}

/// Number of races reported so far.
pub fn report_count() -> u64 {
    let mut n = 0;
    // SAFETY: valid out-pointer.
    unsafe { __tsan_report_count(&mut n) };
    n
}

impl Goroutine {
    pub(crate) fn thr(&self) -> *mut c_void {
        self.thr
    }

    /// The raw handle (`thr`) the runtime gave this goroutine.
    pub fn handle(&self) -> *mut c_void {
        self.thr
    }

    /// A goroutine value for a handle obtained from [`handle`](Self::handle);
    /// only the goroutine's own thread may use it.
    pub fn from_handle(thr: *mut c_void) -> Goroutine {
        Goroutine { thr }
    }

    /// Another goroutine's handle, used the way Go's runtime acts on behalf
    /// of a goroutine blocked in a channel operation (`raceacquireg`): only
    /// while that goroutine is blocked.
    pub(crate) fn from_raw(thr: *mut c_void) -> Goroutine {
        Goroutine { thr }
    }

    /// The `go` statement at `pc`: starts `body` in a new goroutine.
    pub fn go(&self, pc: Pc, body: impl FnOnce(&Goroutine) + Send + 'static) -> Handle {
        let mut child = core::ptr::null_mut();
        // SAFETY: our handle is live; `child` is a valid out-pointer.
        unsafe { __tsan_go_start(self.thr, &mut child, pc.ptr()) };
        let g = Goroutine { thr: child };
        let spawned = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                body(&g);
                // SAFETY: the goroutine is done with its handle.
                unsafe { __tsan_go_end(g.thr) };
            });
        match spawned {
            Ok(h) => Handle(h),
            Err(e) => {
                eprintln!("minigo: cannot start a goroutine: {e}");
                std::process::exit(2)
            }
        }
    }

    /// Reads `*v` at `pc` (the compiler's `raceread`).
    pub fn read<T>(&self, v: &T, pc: Pc) {
        // SAFETY: live handle; the address is only recorded.
        unsafe { __tsan_read(self.thr, v as *const T as *mut c_void, pc.ptr()) };
    }

    /// Writes `*v` at `pc` (the compiler's `racewrite`).
    pub fn write<T>(&self, v: &T, pc: Pc) {
        // SAFETY: live handle; the address is only recorded.
        unsafe { __tsan_write(self.thr, v as *const T as *mut c_void, pc.ptr()) };
    }

    /// Reads the `size` bytes at `p` at `pc` (`racereadrange`).
    pub fn read_range(&self, p: *const u8, size: usize, pc: Pc) {
        // SAFETY: live handle; the range is only recorded.
        unsafe { __tsan_read_range(self.thr, p as *mut c_void, size, pc.ptr()) };
    }

    /// Writes the `size` bytes at `p` at `pc` (`racewriterange`).
    pub fn write_range(&self, p: *const u8, size: usize, pc: Pc) {
        // SAFETY: live handle; the range is only recorded.
        unsafe { __tsan_write_range(self.thr, p as *mut c_void, size, pc.ptr()) };
    }

    /// Calls `f` as a function called from `call_site` (`racefuncenter`/`racefuncexit`).
    pub fn call<R>(&self, call_site: Pc, f: impl FnOnce() -> R) -> R {
        // SAFETY: live handle.
        unsafe { __tsan_func_enter(self.thr, call_site.ptr()) };
        let r = f();
        // SAFETY: live handle.
        unsafe { __tsan_func_exit(self.thr) };
        r
    }

    /// Makes this goroutine the finalizer goroutine's turn (`racefingo`).
    pub fn finalizer_turn(&self) {
        // SAFETY: live handle.
        unsafe { __tsan_finalizer_goroutine(self.thr) };
    }

    /// Raw acquire on `addr` (`raceacquire`).
    pub fn acquire<T>(&self, addr: &T) {
        // SAFETY: live handle; the address names a sync object.
        unsafe { __tsan_acquire(self.thr, addr as *const T as *mut c_void) };
    }

    /// Raw release on `addr` (`racerelease`).
    pub fn release<T>(&self, addr: &T) {
        // SAFETY: live handle; the address names a sync object.
        unsafe { __tsan_release(self.thr, addr as *const T as *mut c_void) };
    }

    /// Raw release-merge on `addr` (`racereleasemerge`).
    pub fn release_merge<T>(&self, addr: &T) {
        // SAFETY: live handle; the address names a sync object.
        unsafe { __tsan_release_merge(self.thr, addr as *const T as *mut c_void) };
    }

    /// Raw release-acquire on `addr` (`racereleaseacquire`).
    pub fn release_acquire<T>(&self, addr: &T) {
        // SAFETY: live handle; the address names a sync object.
        unsafe { __tsan_release_acquire(self.thr, addr as *const T as *mut c_void) };
    }

    /// Synchronization is invisible until the matching end (`raceacquire` is
    /// disabled in Go's runtime internals this way).
    pub fn ignore_sync_begin(&self) {
        // SAFETY: live handle.
        unsafe { __tsan_go_ignore_sync_begin(self.thr) };
    }

    /// Ends [`ignore_sync_begin`](Self::ignore_sync_begin).
    pub fn ignore_sync_end(&self) {
        // SAFETY: live handle.
        unsafe { __tsan_go_ignore_sync_end(self.thr) };
    }
}
