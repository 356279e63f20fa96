//! The Go race ABI: the hooks Go's runtime calls under `-race`, with the
//! names and arguments of `shared/ABI.md` §3. Every per-goroutine state is
//! reached through the `thr` handle the caller passes, never through
//! thread-local storage.
//!
//! Misuse does not become undefined behaviour: a hook called before
//! `__tsan_init`, or with a handle that is not a live thread, prints one
//! line naming the hook and aborts.

use core::ffi::c_void;
use core::sync::atomic::{
    AtomicBool, AtomicU32, AtomicU64, AtomicUsize,
    Ordering::{Relaxed, SeqCst},
};

use crate::die;
use crate::report::symbolize::RuntimeCallback;
use crate::runtime::{self, Runtime, World};
use crate::shadow::cell::AccessKind;
use crate::shadow::check;
use crate::sync::atomic::Order;
use crate::thread::ThreadState;
use crate::thread::pool::{self, Pool};

/// The state behind a `thr` handle.
#[inline(always)]
fn thread(hook: &'static str, thr: *mut c_void) -> &'static mut ThreadState {
    // SAFETY: under this ABI a goroutine's handle is used by one OS thread
    // at a time (the caller's scheduler hands goroutines over with real
    // synchronization), so the state is not referenced elsewhere.
    match unsafe { pool::from_handle(thr as usize) } {
        Some(t) => t,
        None => bad_handle(hook, thr),
    }
}

#[cold]
#[inline(never)]
fn bad_handle(hook: &str, thr: *mut c_void) -> ! {
    if runtime::get().is_none() {
        die!("{hook} called before __tsan_init")
    } else if thr.is_null() {
        die!("{hook}: null thread handle")
    } else {
        die!(
            "{hook}: {thr:p} is not a live thread handle (never created, or already ended by __tsan_go_end)"
        )
    }
}

#[inline(always)]
fn rt(hook: &'static str) -> &'static Runtime {
    match runtime::get() {
        Some(r) => r,
        None => die!("{hook} called before __tsan_init"),
    }
}

/// A `proc` handle (Go's per-P state). We keep nothing per P; the handle
/// exists so that misuse can be caught.
struct Proc {
    magic: u64,
}
const PROC_ALIVE: u64 = u64::from_le_bytes(*b"hbsan:pr");

fn new_proc() -> *mut c_void {
    Box::into_raw(Box::new(Proc { magic: PROC_ALIVE })) as *mut c_void
}

/// The handle `__tsan_init` handed out. In Go it belongs to the first OS
/// thread's scheduler stack (m0's g0), whose only use is to start the
/// main goroutine: the first goroutine it starts is `main`.
static INIT_HANDLE: AtomicUsize = AtomicUsize::new(0);

/// `__tsan_init` (dispatched from `abi::shared`): initializes the runtime;
/// writes the initial thread's handle to `*thr` and a proc handle to
/// `*proc`. `callback` symbolizes pcs and data.
///
/// # Safety
/// `thr` and `proc` must be valid for writes; `callback`, when given, must
/// implement Go's race callback protocol.
pub(crate) unsafe fn init(
    thr: *mut *mut c_void,
    proc: *mut *mut c_void,
    callback: Option<RuntimeCallback>,
) {
    if thr.is_null() || proc.is_null() {
        die!("__tsan_init: null out-pointer for the thread or proc handle");
    }
    static STARTED: AtomicBool = AtomicBool::new(false);
    if STARTED.swap(true, SeqCst) {
        die!("__tsan_init called twice");
    }
    let rt = runtime::init(World::Go, callback);
    let birth = rt.create_thread(None, &[]);
    let first = rt.start_thread(birth, 0);
    INIT_HANDLE.store(Pool::handle(first), Relaxed);
    // SAFETY: checked non-null above; the caller guarantees validity.
    unsafe {
        *thr = Pool::handle(first) as *mut c_void;
        *proc = new_proc();
    }
}

/// The program ends: prints the summary and exits, with the `exitcode`
/// option's status when races were reported, 0 otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_fini() {
    let code = rt("__tsan_fini").finish();
    std::process::exit(code);
}

/// Creates a proc (a Go P) handle.
///
/// # Safety
/// `proc` must be valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tsan_proc_create(proc: *mut *mut c_void) {
    if proc.is_null() {
        die!("__tsan_proc_create: null out-pointer");
    }
    // SAFETY: checked non-null; the caller guarantees validity.
    unsafe { *proc = new_proc() };
}

/// Destroys a proc handle.
///
/// # Safety
/// `proc` must come from `__tsan_init` or `__tsan_proc_create` and not be
/// destroyed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tsan_proc_destroy(proc: *mut c_void) {
    if proc.is_null() {
        die!("__tsan_proc_destroy: null proc handle");
    }
    let p = proc as *mut Proc;
    // SAFETY: the caller passes a handle from `new_proc`, a live `Box<Proc>`.
    unsafe {
        if (*p).magic != PROC_ALIVE {
            die!("__tsan_proc_destroy: {proc:p} is not a live proc handle");
        }
        (*p).magic = 0;
        drop(Box::from_raw(p));
    }
}

/// Declares `[addr, addr+size)` as memory the program will use (Go's data,
/// bss and heap arenas). Shadow for all application memory is reserved at
/// start; this only warns about memory outside the supported ranges.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_map_shadow(addr: *mut c_void, size: usize) {
    let rt = rt("__tsan_map_shadow");
    let start = addr as usize;
    let end = start.saturating_add(size);
    let l = crate::shadow::memory::layout();
    let covered = size == 0
        || l.app_ranges()
            .iter()
            .any(|r| r.start <= start && end <= r.end);
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !covered && !WARNED.swap(true, Relaxed) {
        eprintln!(
            "hbsan: warning: __tsan_map_shadow: {start:#x}..{end:#x} is outside the application address ranges; \
             accesses there are not checked"
        );
    }
    let _ = rt;
}

/// Starts a goroutine created by `parent` at `pc`; writes its handle to `*child`.
///
/// `parent` may be null: Go starts some goroutines from a scheduler
/// stack (`g0`), whose handle is 0 on every thread but the first and on
/// that one too once `main` runs (a P's timer goroutine, cgo's extra Ms).
/// Such a goroutine has no parent: nothing happens before its start.
///
/// # Safety
/// `child` must be valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tsan_go_start(
    parent: *mut c_void,
    child: *mut *mut c_void,
    pc: *mut c_void,
) {
    let p = (!parent.is_null()).then(|| thread("__tsan_go_start", parent));
    if child.is_null() {
        die!("__tsan_go_start: null out-pointer for the child handle");
    }
    let rt = rt("__tsan_go_start");
    let birth = rt.create_thread(p, &[pc as u64]);
    let c = rt.start_thread(birth, 0);
    static MAIN_STARTED: AtomicBool = AtomicBool::new(false);
    if parent as usize == INIT_HANDLE.load(Relaxed) && !MAIN_STARTED.swap(true, Relaxed) {
        rt.main_handle.store(Pool::handle(c), Relaxed);
    }
    // SAFETY: checked non-null; the caller guarantees validity.
    unsafe { *child = Pool::handle(c) as *mut c_void };
}

/// The goroutine `thr` ended. Orders nothing: goroutine exit is not synchronization.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_go_end(thr: *mut c_void) {
    let t = thread("__tsan_go_end", thr);
    rt("__tsan_go_end").finish_thread(t);
}

/// `thr` becomes the finalizer goroutine's turn: it synchronizes with
/// everything done so far (finalizers run after their object is unreachable).
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_finalizer_goroutine(thr: *mut c_void) {
    let t = thread("__tsan_finalizer_goroutine", thr);
    rt("__tsan_finalizer_goroutine").acquire_everything(t);
}

/// `[p, p+size)` was allocated: forget what was recorded there before.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_malloc(_thr: *mut c_void, _pc: *mut c_void, p: *mut c_void, size: usize) {
    let rt = rt("__tsan_malloc");
    rt.shadow
        .reset(p as usize, (p as usize).saturating_add(size));
}

/// `[p, p+size)` was freed: its synchronization objects are gone.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_free(p: *mut c_void, size: usize) {
    rt("__tsan_free").forget_sync_objects(p as usize, size);
}

/// `__tsan_acquire` (dispatched): `thr` acquires the object at `addr`.
pub(crate) fn acquire(thr: *mut c_void, addr: *mut c_void) {
    let t = thread("__tsan_acquire", thr);
    rt("__tsan_acquire").acquire(t, addr as usize);
}

/// `__tsan_release` (dispatched): `thr` releases into `addr`, replacing
/// what was released there before.
pub(crate) fn release(thr: *mut c_void, addr: *mut c_void) {
    let t = thread("__tsan_release", thr);
    rt("__tsan_release").release_store(t, addr as usize);
}

/// `thr` stores its clock into `addr` and acquires the clock that was
/// there (Go's channel buffer slots; see `Runtime::release_store_acquire`).
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_release_acquire(thr: *mut c_void, addr: *mut c_void) {
    let t = thread("__tsan_release_acquire", thr);
    rt("__tsan_release_acquire").release_store_acquire(t, addr as usize);
}

/// `thr` releases into `addr`, merging with what was released there before.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_release_merge(thr: *mut c_void, addr: *mut c_void) {
    let t = thread("__tsan_release_merge", thr);
    rt("__tsan_release_merge").release(t, addr as usize);
}

/// Synchronization by `thr` is ignored until the matching end.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_go_ignore_sync_begin(thr: *mut c_void) {
    let t = thread("__tsan_go_ignore_sync_begin", thr);
    t.ignore_sync += 1;
}

/// Ends one `__tsan_go_ignore_sync_begin`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_go_ignore_sync_end(thr: *mut c_void) {
    let t = thread("__tsan_go_ignore_sync_end", thr);
    if t.ignore_sync == 0 {
        die!("__tsan_go_ignore_sync_end without a matching begin");
    }
    t.ignore_sync -= 1;
}

/// Writes the number of reported races to `*count`.
///
/// # Safety
/// `count` must be valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tsan_report_count(count: *mut u64) {
    if count.is_null() {
        die!("__tsan_report_count: null out-pointer");
    }
    let n = runtime::get().map_or(0, |r| r.report_count());
    // SAFETY: checked non-null; the caller guarantees validity.
    unsafe { *count = n };
}

/// `thr` reads the byte at `addr`, at `pc`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_read(thr: *mut c_void, addr: *mut c_void, pc: *mut c_void) {
    let t = thread("__tsan_read", thr);
    check::access_word(t, addr as usize, 1, AccessKind::READ, pc as u64);
}

/// `thr` writes the byte at `addr`, at `pc`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_write(thr: *mut c_void, addr: *mut c_void, pc: *mut c_void) {
    let t = thread("__tsan_write", thr);
    check::access_word(t, addr as usize, 1, AccessKind::WRITE, pc as u64);
}

/// A read at `pc` inside a call from `callpc` (when non-zero).
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_read_pc(
    thr: *mut c_void,
    addr: *mut c_void,
    callpc: *mut c_void,
    pc: *mut c_void,
) {
    let t = thread("__tsan_read_pc", thr);
    access_in_call(t, addr as usize, AccessKind::READ, callpc as u64, pc as u64);
}

/// A write at `pc` inside a call from `callpc` (when non-zero).
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_write_pc(
    thr: *mut c_void,
    addr: *mut c_void,
    callpc: *mut c_void,
    pc: *mut c_void,
) {
    let t = thread("__tsan_write_pc", thr);
    access_in_call(
        t,
        addr as usize,
        AccessKind::WRITE,
        callpc as u64,
        pc as u64,
    );
}

fn access_in_call(t: &mut ThreadState, addr: usize, kind: AccessKind, callpc: u64, pc: u64) {
    if callpc != 0 {
        t.func_entry(callpc);
    }
    check::access_word(t, addr, 1, kind, pc);
    if callpc != 0 {
        t.func_exit();
    }
}

/// `__tsan_read_range` (dispatched): `thr` reads `[addr, addr+size)` at `pc`.
pub(crate) extern "C" fn read_range(
    thr: *mut c_void,
    addr: *mut c_void,
    size: usize,
    pc: *mut c_void,
) {
    let t = thread("__tsan_read_range", thr);
    check::access(t, addr as usize, size, AccessKind::READ, pc as u64);
}

/// `__tsan_write_range` (dispatched): `thr` writes `[addr, addr+size)` at `pc`.
pub(crate) extern "C" fn write_range(
    thr: *mut c_void,
    addr: *mut c_void,
    size: usize,
    pc: *mut c_void,
) {
    let t = thread("__tsan_write_range", thr);
    check::access(t, addr as usize, size, AccessKind::WRITE, pc as u64);
}

/// `thr` enters a function, called from `pc`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_func_enter(thr: *mut c_void, pc: *mut c_void) {
    thread("__tsan_func_enter", thr).func_entry(pc as u64);
}

/// `__tsan_func_exit` (dispatched): `thr` returns from the innermost function.
#[inline(always)]
pub(crate) fn func_exit(thr: *mut c_void) {
    thread("__tsan_func_exit", thr).func_exit();
}

// ---------------------------------------------------------------------------
// sync/atomic. Under -race, Go implements these through the race runtime:
// the hook performs the operation on Go's argument frame (`argp`: address of
// the variable at +0, operands after it, result after them) and records it.
// Go's atomics are sequentially consistent: loads acquire, stores release,
// read-modify-writes do both.

/// Reads the pointer to the atomic variable from Go's frame.
///
/// # Safety
/// `argp` must point at a Go argument frame whose first word is the address
/// of a live, suitably aligned variable of type `T`.
unsafe fn target<'a, T>(hook: &str, argp: *mut u8) -> &'a T {
    if argp.is_null() {
        die!("{hook}: null argument frame");
    }
    // SAFETY: per the contract, the frame starts with the variable's address.
    let p = unsafe { *(argp as *const *const T) };
    if p.is_null() || (p as usize) % core::mem::align_of::<T>() != 0 {
        die!("{hook}: misaligned or null atomic variable {p:p}");
    }
    // SAFETY: non-null, aligned, and live per the contract; Go accesses it
    // only atomically while this runs.
    unsafe { &*p }
}

/// # Safety
/// `argp + off` must be valid for a write of `T`.
unsafe fn put<T>(argp: *mut u8, off: usize, v: T) {
    // SAFETY: per the contract; Go frames are suitably aligned.
    unsafe { (argp.add(off) as *mut T).write(v) }
}

/// # Safety
/// `argp + off` must be valid for a read of `T`.
unsafe fn get<T: Copy>(argp: *mut u8, off: usize) -> T {
    // SAFETY: per the contract.
    unsafe { (argp.add(off) as *const T).read() }
}

/// Records one `sync/atomic` operation of `t` on `addr`, as Go's race
/// runtime does: the access at `pc`, inside a call from `cpc` (the
/// `sync/atomic` function; 0 for none), and performs it with `op`, which
/// applies its synchronization (inside the object's critical section: see
/// `sync::atomic`). While `t` ignores synchronization (`race.Disable`: e.g.
/// the state updates inside `sync.WaitGroup.Add`) nothing is recorded at
/// all, not even the access: a goroutine's last `WaitGroup.Done` then
/// leaves no access that its waiter cannot know of (which would keep its
/// slot from being reused).
fn atomic_event<R>(
    t: &mut ThreadState,
    addr: usize,
    size: usize,
    kind: AccessKind,
    (cpc, pc): (u64, u64),
    op: impl FnOnce(&Runtime, &mut ThreadState) -> R,
) -> R {
    let rt = rt("sync/atomic");
    if t.ignore_sync != 0 {
        return op(rt, t);
    }
    if cpc != 0 {
        t.func_entry(cpc);
    }
    check::access_word(t, addr, size, kind, pc);
    let r = op(rt, t);
    if cpc != 0 {
        t.func_exit();
    }
    r
}

// Go's atomics are sequentially consistent: loads acquire, stores release,
// read-modify-writes and successful compare-and-swaps do both, failed ones
// acquire.
const LOAD: Order = Order::Acquire;
const STORE: Order = Order::Release;
const RMW: Order = Order::AcqRel;

macro_rules! go_atomics {
    ($bits:literal, $int:ty, $atomic:ty,
     $load:ident, $store:ident, $exchange:ident, $fetch_add:ident, $cas:ident) => {
        #[doc = concat!("`sync/atomic` load of a ", $bits, "-bit value.")]
        ///
        /// # Safety
        /// `argp` must be Go's argument frame for this operation.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $load(thr: *mut c_void, cpc: *mut c_void, pc: *mut c_void, argp: *mut u8) {
            let hook = stringify!($load);
            let t = thread(hook, thr);
            // SAFETY: per the contract.
            let a = unsafe { target::<$atomic>(hook, argp) };
            let addr = a as *const $atomic as usize;
            let v = atomic_event(t, addr, $bits / 8, AccessKind::ATOMIC_READ, (cpc as u64, pc as u64), |rt, t| {
                let v = a.load(SeqCst);
                rt.atomic_loaded(t, addr, LOAD);
                v
            });
            // SAFETY: per the contract: the result goes to +8.
            unsafe { put::<$int>(argp, 8, v) };
        }

        #[doc = concat!("`sync/atomic` store of a ", $bits, "-bit value.")]
        ///
        /// # Safety
        /// `argp` must be Go's argument frame for this operation.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $store(thr: *mut c_void, cpc: *mut c_void, pc: *mut c_void, argp: *mut u8) {
            let hook = stringify!($store);
            let t = thread(hook, thr);
            // SAFETY: per the contract: the value is at +8.
            let (a, v) = unsafe { (target::<$atomic>(hook, argp), get::<$int>(argp, 8)) };
            let addr = a as *const $atomic as usize;
            atomic_event(t, addr, $bits / 8, AccessKind::ATOMIC_WRITE, (cpc as u64, pc as u64), |rt, t| {
                rt.atomic_store(t, addr, STORE, || a.store(v, SeqCst))
            });
        }

        #[doc = concat!("`sync/atomic` swap of a ", $bits, "-bit value; the old value goes to +16.")]
        ///
        /// # Safety
        /// `argp` must be Go's argument frame for this operation.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $exchange(thr: *mut c_void, cpc: *mut c_void, pc: *mut c_void, argp: *mut u8) {
            let hook = stringify!($exchange);
            let t = thread(hook, thr);
            // SAFETY: per the contract: the value is at +8.
            let (a, v) = unsafe { (target::<$atomic>(hook, argp), get::<$int>(argp, 8)) };
            let addr = a as *const $atomic as usize;
            let old = atomic_event(t, addr, $bits / 8, AccessKind::ATOMIC_WRITE, (cpc as u64, pc as u64), |rt, t| {
                rt.atomic_rmw(t, addr, RMW, || a.swap(v, SeqCst))
            });
            // SAFETY: per the contract.
            unsafe { put::<$int>(argp, 16, old) };
        }

        #[doc = concat!("`sync/atomic` add to a ", $bits, "-bit value; the old value goes to +16 (Go adds the delta).")]
        ///
        /// # Safety
        /// `argp` must be Go's argument frame for this operation.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $fetch_add(thr: *mut c_void, cpc: *mut c_void, pc: *mut c_void, argp: *mut u8) {
            let hook = stringify!($fetch_add);
            let t = thread(hook, thr);
            // SAFETY: per the contract: the delta is at +8.
            let (a, v) = unsafe { (target::<$atomic>(hook, argp), get::<$int>(argp, 8)) };
            let addr = a as *const $atomic as usize;
            let old = atomic_event(t, addr, $bits / 8, AccessKind::ATOMIC_WRITE, (cpc as u64, pc as u64), |rt, t| {
                rt.atomic_rmw(t, addr, RMW, || a.fetch_add(v, SeqCst))
            });
            // SAFETY: per the contract.
            unsafe { put::<$int>(argp, 16, old) };
        }

        #[doc = concat!("`sync/atomic` compare-and-swap of a ", $bits, "-bit value; the success flag goes after the operands.")]
        ///
        /// # Safety
        /// `argp` must be Go's argument frame for this operation.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $cas(thr: *mut c_void, cpc: *mut c_void, pc: *mut c_void, argp: *mut u8) {
            let hook = stringify!($cas);
            let t = thread(hook, thr);
            const SZ: usize = $bits / 8;
            // SAFETY: per the contract: old at +8, new at +8+SZ, result after.
            let a = unsafe { target::<$atomic>(hook, argp) };
            let (old, new) = unsafe { (get::<$int>(argp, 8), get::<$int>(argp, 8 + SZ)) };
            let addr = a as *const $atomic as usize;
            // Recorded as a write whether or not it succeeds, as Go's race runtime does.
            let ok = atomic_event(t, addr, SZ, AccessKind::ATOMIC_WRITE, (cpc as u64, pc as u64), |rt, t| {
                rt.atomic_cas(t, addr, RMW, LOAD, || a.compare_exchange(old, new, SeqCst, SeqCst)).is_ok()
            });
            // SAFETY: per the contract.
            unsafe { put::<u8>(argp, 8 + 2 * SZ, ok as u8) };
        }
    };
}

go_atomics!(
    32,
    u32,
    AtomicU32,
    __tsan_go_atomic32_load,
    __tsan_go_atomic32_store,
    __tsan_go_atomic32_exchange,
    __tsan_go_atomic32_fetch_add,
    __tsan_go_atomic32_compare_exchange
);
go_atomics!(
    64,
    u64,
    AtomicU64,
    __tsan_go_atomic64_load,
    __tsan_go_atomic64_store,
    __tsan_go_atomic64_exchange,
    __tsan_go_atomic64_fetch_add,
    __tsan_go_atomic64_compare_exchange
);
