//! The hooks of the Go race ABI, declared as any FFI client declares them.

use core::ffi::c_void;

/// Go's race callback: `cmd` 0 GetProc, 1 SymbolizeCode, 2 SymbolizeData.
pub type Callback = unsafe extern "C" fn(cmd: usize, ctx: *mut c_void);

// The runtime crate must be linked for these to resolve.
use hbsan_rt as _;

unsafe extern "C" {
    pub fn __tsan_init(thr: *mut *mut c_void, proc_: *mut *mut c_void, callback: Option<Callback>);
    pub fn __tsan_fini();
    pub fn __tsan_proc_create(proc_: *mut *mut c_void);
    pub fn __tsan_proc_destroy(proc_: *mut c_void);
    pub fn __tsan_map_shadow(addr: *mut c_void, size: usize);
    pub fn __tsan_go_start(parent: *mut c_void, child: *mut *mut c_void, pc: *mut c_void);
    pub fn __tsan_go_end(thr: *mut c_void);
    pub fn __tsan_finalizer_goroutine(thr: *mut c_void);
    pub fn __tsan_malloc(thr: *mut c_void, pc: *mut c_void, p: *mut c_void, size: usize);
    pub fn __tsan_free(p: *mut c_void, size: usize);
    pub fn __tsan_acquire(thr: *mut c_void, addr: *mut c_void);
    pub fn __tsan_release(thr: *mut c_void, addr: *mut c_void);
    pub fn __tsan_release_acquire(thr: *mut c_void, addr: *mut c_void);
    pub fn __tsan_release_merge(thr: *mut c_void, addr: *mut c_void);
    pub fn __tsan_go_ignore_sync_begin(thr: *mut c_void);
    pub fn __tsan_go_ignore_sync_end(thr: *mut c_void);
    pub fn __tsan_report_count(count: *mut u64);
    pub fn __tsan_read(thr: *mut c_void, addr: *mut c_void, pc: *mut c_void);
    pub fn __tsan_write(thr: *mut c_void, addr: *mut c_void, pc: *mut c_void);
    pub fn __tsan_read_pc(
        thr: *mut c_void,
        addr: *mut c_void,
        callpc: *mut c_void,
        pc: *mut c_void,
    );
    pub fn __tsan_write_pc(
        thr: *mut c_void,
        addr: *mut c_void,
        callpc: *mut c_void,
        pc: *mut c_void,
    );
    pub fn __tsan_read_range(thr: *mut c_void, addr: *mut c_void, size: usize, pc: *mut c_void);
    pub fn __tsan_write_range(thr: *mut c_void, addr: *mut c_void, size: usize, pc: *mut c_void);
    pub fn __tsan_func_enter(thr: *mut c_void, pc: *mut c_void);
    pub fn __tsan_func_exit(thr: *mut c_void);
    pub fn __tsan_go_atomic32_load(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
    pub fn __tsan_go_atomic32_store(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
    pub fn __tsan_go_atomic32_exchange(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
    pub fn __tsan_go_atomic32_fetch_add(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
    pub fn __tsan_go_atomic32_compare_exchange(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
    pub fn __tsan_go_atomic64_load(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
    pub fn __tsan_go_atomic64_store(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
    pub fn __tsan_go_atomic64_exchange(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
    pub fn __tsan_go_atomic64_fetch_add(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
    pub fn __tsan_go_atomic64_compare_exchange(
        thr: *mut c_void,
        cpc: *mut c_void,
        pc: *mut c_void,
        argp: *mut u8,
    );
}
