//! The compiler instrumentation ABI (`shared/ABI.md` §1): the hooks that
//! gcc, clang and rustc emit under `-fsanitize=thread`. The thread is
//! implicit: the calling OS thread's state, created on first use.
//!
//! Atomics are in [`super::tsan_atomic`]; the hook names this ABI shares
//! with Go's (`__tsan_init`, `__tsan_acquire`, `__tsan_release`,
//! `__tsan_read_range`, `__tsan_write_range`) are in [`super::shared`].

use core::ffi::c_void;
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use super::trampoline::hook_pc;
use crate::runtime::{self, World};
use crate::shadow::cell::AccessKind;
use crate::shadow::check;
use crate::thread::current::{Guard, current, try_current};

const R: AccessKind = AccessKind::READ;
const W: AccessKind = AccessKind::WRITE;

/// An access by the calling thread. Every call below is in tail position
/// (the common case is a leaf: no stack frame).
#[inline(always)]
fn access(addr: usize, size: usize, kind: AccessKind, pc: usize) {
    match try_current() {
        Some(thr) => check::access(thr, addr, size, kind, pc as u64),
        None => access_first(addr, size, kind, pc),
    }
}

/// The calling thread's first hook: attach it, then access.
#[cold]
#[inline(never)]
fn access_first(addr: usize, size: usize, kind: AccessKind, pc: usize) {
    check::access(current(), addr, size, kind, pc as u64);
}

/// Defines, for each `NAME, IMPL: SIZE, KIND`, the hook `NAME(addr)`:
/// `IMPL(addr, pc)` behind a trampoline, or on x86-64 for 1 to 8 bytes a
/// hand-written fast path falling back to `IMPL` (see `abi::fast`).
macro_rules! access_hooks {
    ($($name:ident, $imp:ident: $size:tt, $kind:expr;)*) => {$(
        extern "C" fn $imp(addr: usize, pc: usize) {
            access(addr, $size, $kind, pc);
        }
        access_entry!($name, $imp, $size, $kind);
    )*};
}

/// The exported entry of one access hook (see `access_hooks!`).
macro_rules! access_entry {
    ($name:ident, $imp:ident, 16, $kind:expr) => {
        hook_pc!(
            #[doc = concat!("An instrumented ", stringify!($kind), " of 16 bytes at `addr`.")]
            $name => $imp, x86_64: "rsi", aarch64: "x1"
        );
    };
    ($name:ident, $imp:ident, $size:tt, $kind:expr) => {
        #[cfg(target_arch = "x86_64")]
        super::fast::fast_hook!($name, $imp, $size, $kind);
        #[cfg(not(target_arch = "x86_64"))]
        hook_pc!(
            #[doc = concat!("An instrumented ", stringify!($kind), " of ", stringify!($size), " bytes at `addr`.")]
            $name => $imp, x86_64: "rsi", aarch64: "x1"
        );
    };
}

access_hooks! {
    __tsan_read1, read1: 1, R;
    __tsan_read2, read2: 2, R;
    __tsan_read4, read4: 4, R;
    __tsan_read8, read8: 8, R;
    __tsan_read16, read16: 16, R;
    __tsan_write1, write1: 1, W;
    __tsan_write2, write2: 2, W;
    __tsan_write4, write4: 4, W;
    __tsan_write8, write8: 8, W;
    __tsan_write16, write16: 16, W;
    // A compound read-and-write (`x++` as LLVM may instrument it): checked
    // as the write, which races with everything the read would.
    __tsan_read_write1, read_write1: 1, W;
    __tsan_read_write2, read_write2: 2, W;
    __tsan_read_write4, read_write4: 4, W;
    __tsan_read_write8, read_write8: 8, W;
    __tsan_read_write16, read_write16: 16, W;
    __tsan_unaligned_read1, unaligned_read1: 1, R;
    __tsan_unaligned_read2, unaligned_read2: 2, R;
    __tsan_unaligned_read4, unaligned_read4: 4, R;
    __tsan_unaligned_read8, unaligned_read8: 8, R;
    __tsan_unaligned_read16, unaligned_read16: 16, R;
    __tsan_unaligned_write1, unaligned_write1: 1, W;
    __tsan_unaligned_write2, unaligned_write2: 2, W;
    __tsan_unaligned_write4, unaligned_write4: 4, W;
    __tsan_unaligned_write8, unaligned_write8: 8, W;
    __tsan_unaligned_write16, unaligned_write16: 16, W;
    __tsan_unaligned_read_write1, unaligned_read_write1: 1, W;
    __tsan_unaligned_read_write2, unaligned_read_write2: 2, W;
    __tsan_unaligned_read_write4, unaligned_read_write4: 4, W;
    __tsan_unaligned_read_write8, unaligned_read_write8: 8, W;
    __tsan_unaligned_read_write16, unaligned_read_write16: 16, W;
    // Volatile accesses (clang's -tsan-distinguish-volatile): checked like
    // plain ones.
    __tsan_volatile_read1, volatile_read1: 1, R;
    __tsan_volatile_read2, volatile_read2: 2, R;
    __tsan_volatile_read4, volatile_read4: 4, R;
    __tsan_volatile_read8, volatile_read8: 8, R;
    __tsan_volatile_read16, volatile_read16: 16, R;
    __tsan_volatile_write1, volatile_write1: 1, W;
    __tsan_volatile_write2, volatile_write2: 2, W;
    __tsan_volatile_write4, volatile_write4: 4, W;
    __tsan_volatile_write8, volatile_write8: 8, W;
    __tsan_volatile_write16, volatile_write16: 16, W;
    __tsan_unaligned_volatile_read1, unaligned_volatile_read1: 1, R;
    __tsan_unaligned_volatile_read2, unaligned_volatile_read2: 2, R;
    __tsan_unaligned_volatile_read4, unaligned_volatile_read4: 4, R;
    __tsan_unaligned_volatile_read8, unaligned_volatile_read8: 8, R;
    __tsan_unaligned_volatile_read16, unaligned_volatile_read16: 16, R;
    __tsan_unaligned_volatile_write1, unaligned_volatile_write1: 1, W;
    __tsan_unaligned_volatile_write2, unaligned_volatile_write2: 2, W;
    __tsan_unaligned_volatile_write4, unaligned_volatile_write4: 4, W;
    __tsan_unaligned_volatile_write8, unaligned_volatile_write8: 8, W;
    __tsan_unaligned_volatile_write16, unaligned_volatile_write16: 16, W;
}

/// Defines, for each `NAME: SIZE, KIND`, the hook `NAME(addr, pc)`.
macro_rules! access_hooks_pc {
    ($($name:ident: $size:literal, $kind:expr;)*) => {$(
        #[doc = concat!("An instrumented ", stringify!($kind), " of ", stringify!($size), " bytes at `addr`, at `pc`.")]
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(addr: *mut c_void, pc: *mut c_void) {
            check::access(current(), addr as usize, $size, $kind, pc as u64);
        }
    )*};
}

access_hooks_pc! {
    __tsan_read1_pc: 1, R;
    __tsan_read2_pc: 2, R;
    __tsan_read4_pc: 4, R;
    __tsan_read8_pc: 8, R;
    __tsan_read16_pc: 16, R;
    __tsan_write1_pc: 1, W;
    __tsan_write2_pc: 2, W;
    __tsan_write4_pc: 4, W;
    __tsan_write8_pc: 8, W;
    __tsan_write16_pc: 16, W;
}

/// `__tsan_read_range(addr, size)` of the compiler ABI (dispatched from the
/// shared name, with the caller's pc appended).
pub(crate) extern "C" fn read_range(addr: usize, size: usize, pc: usize) {
    check::access(current(), addr, size, R, pc as u64);
}

/// `__tsan_write_range(addr, size)` of the compiler ABI.
pub(crate) extern "C" fn write_range(addr: usize, size: usize, pc: usize) {
    check::access(current(), addr, size, W, pc as u64);
}

/// A read of `size` bytes at `addr`, at `pc`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_read_range_pc(addr: *mut c_void, size: usize, pc: *mut c_void) {
    check::access(current(), addr as usize, size, R, pc as u64);
}

/// A write of `size` bytes at `addr`, at `pc`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_write_range_pc(addr: *mut c_void, size: usize, pc: *mut c_void) {
    check::access(current(), addr as usize, size, W, pc as u64);
}

// --- memory intrinsics (clang 15+, rustc): record, then perform ---------

extern "C" fn memcpy_imp(dst: *mut u8, src: *const u8, n: usize, pc: usize) -> *mut u8 {
    let thr = current();
    check::access(thr, src as usize, n, R, pc as u64);
    check::access(thr, dst as usize, n, W, pc as u64);
    let _g = Guard::enter();
    // SAFETY: the program passes valid buffers of `n` bytes, as to memcpy;
    // `copy` also tolerates the overlap memcpy forbids. Under the guard, the
    // memmove interceptor this may call only forwards.
    unsafe { core::ptr::copy(src, dst, n) };
    dst
}

extern "C" fn memset_imp(dst: *mut u8, c: i32, n: usize, pc: usize) -> *mut u8 {
    check::access(current(), dst as usize, n, W, pc as u64);
    let _g = Guard::enter();
    // SAFETY: the program passes a valid buffer of `n` bytes, as to memset.
    unsafe { core::ptr::write_bytes(dst, c as u8, n) };
    dst
}

hook_pc!(
    /// `memcpy(dst, src, n)`: records the read of `src` and the write of `dst`, then copies.
    __tsan_memcpy => memcpy_imp, x86_64: "rcx", aarch64: "x3"
);
hook_pc!(
    /// `memmove(dst, src, n)`: records the read of `src` and the write of `dst`, then moves.
    __tsan_memmove => memcpy_imp, x86_64: "rcx", aarch64: "x3"
);
hook_pc!(
    /// `memset(dst, c, n)`: records the write of `dst`, then fills.
    __tsan_memset => memset_imp, x86_64: "rcx", aarch64: "x3"
);

// --- C++ virtual tables ---------------------------------------------------

extern "C" fn vptr_update_imp(vptr_p: *mut *mut c_void, new: *mut c_void, pc: usize) {
    // SAFETY: the program passes the address of an object's vptr slot; an
    // atomic read does not disturb it.
    let old = unsafe { AtomicPtr::from_ptr(vptr_p) }.load(Ordering::Relaxed);
    // Constructors of a class hierarchy store the same table again; only a
    // change of the table (an object destroyed or re-constructed while in
    // use) can race.
    if old != new {
        let thr = current();
        thr.vptr_access = true;
        check::access(thr, vptr_p as usize, 8, W, pc as u64);
        thr.vptr_access = false;
    }
}

extern "C" fn vptr_read_imp(vptr_p: *mut *mut c_void, pc: usize) {
    let thr = current();
    thr.vptr_access = true;
    check::access(thr, vptr_p as usize, 8, R, pc as u64);
    thr.vptr_access = false;
}

hook_pc!(
    /// A C++ object's vptr is set to `new`.
    __tsan_vptr_update => vptr_update_imp, x86_64: "rdx", aarch64: "x2"
);
hook_pc!(
    /// A C++ object's vptr is read (a virtual call).
    __tsan_vptr_read => vptr_read_imp, x86_64: "rsi", aarch64: "x1"
);

// --- calls ------------------------------------------------------------------

/// A function is entered, called from `caller_pc`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_func_entry(caller_pc: *mut c_void) {
    match try_current() {
        Some(thr) => thr.func_entry(caller_pc as u64),
        None => func_entry_first(caller_pc as u64),
    }
}

/// The calling thread's first hook is a function entry: attach it first.
#[cold]
#[inline(never)]
fn func_entry_first(pc: u64) {
    current().func_entry(pc);
}

/// `__tsan_func_exit()` of the compiler ABI (dispatched from the shared name).
#[inline(always)]
pub(crate) fn func_exit() {
    match try_current() {
        Some(thr) => thr.func_exit(),
        None => func_exit_first(),
    }
}

/// The calling thread's first hook is a function exit: attach it first.
#[cold]
#[inline(never)]
fn func_exit_first() {
    current().func_exit();
}

// --- start-up -----------------------------------------------------------------

/// `__tsan_init()` of the compiler ABI: every instrumented object's
/// constructor calls it; cheap after the first call.
pub(crate) fn init() {
    if runtime::get().is_none() {
        let _g = Guard::enter();
        runtime::init(World::Native, None);
    }
    let _ = current();
}

// --- annotations -------------------------------------------------------------

/// `__tsan_acquire(addr)`: the calling thread acquires `addr`.
pub(crate) fn acquire(addr: usize) {
    let thr = current();
    let _g = Guard::enter();
    native_runtime().acquire(thr, addr);
}

/// `__tsan_release(addr)`: the calling thread releases into `addr`.
pub(crate) fn release(addr: usize) {
    let thr = current();
    let _g = Guard::enter();
    native_runtime().release(thr, addr);
}

/// The runtime, which exists once a thread state does.
pub(crate) fn native_runtime() -> &'static runtime::Runtime {
    runtime::get().unwrap_or_else(|| runtime::init(World::Native, None))
}

/// Accesses of the calling thread are ignored until the matching end.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_ignore_thread_begin() {
    current().ignore_accesses += 1;
}

/// Ends one `__tsan_ignore_thread_begin`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_ignore_thread_end() {
    let t = current();
    t.ignore_accesses = t.ignore_accesses.saturating_sub(1);
}

// Flags of the mutex annotations (their values are part of the ABI).
const MUTEX_READ_LOCK: u32 = 1 << 3;
const MUTEX_TRY_LOCK_FAILED: u32 = 1 << 5;

fn ignore_begin() {
    let t = current();
    t.ignore_accesses += 1;
    t.ignore_sync += 1;
}

fn ignore_end() {
    let t = current();
    t.ignore_accesses = t.ignore_accesses.saturating_sub(1);
    t.ignore_sync = t.ignore_sync.saturating_sub(1);
}

/// A user-defined mutex at `addr` is created.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_create(_addr: *mut c_void, _flags: u32) {}

/// A user-defined mutex at `addr` is destroyed.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_destroy(addr: *mut c_void, _flags: u32) {
    let _g = Guard::enter();
    native_runtime().lock_destroyed(addr as usize);
}

/// Before a user-defined mutex is locked: the lock's own code is ignored.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_pre_lock(_addr: *mut c_void, _flags: u32) {
    ignore_begin();
}

/// After a user-defined mutex is locked (or failed to be, for a try-lock).
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_post_lock(addr: *mut c_void, flags: u32, _recursion: i32) {
    ignore_end();
    if flags & MUTEX_TRY_LOCK_FAILED == 0 {
        let thr = current();
        let _g = Guard::enter();
        native_runtime().lock_acquired(thr, addr as usize, flags & MUTEX_READ_LOCK != 0);
    }
}

/// Before a user-defined mutex is unlocked: the release; then the unlock's
/// own code is ignored. Returns the recursion count released (always 0).
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_pre_unlock(addr: *mut c_void, _flags: u32) -> i32 {
    {
        let thr = current();
        let _g = Guard::enter();
        native_runtime().lock_releasing(thr, addr as usize);
    }
    ignore_begin();
    0
}

/// After a user-defined mutex is unlocked.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_post_unlock(_addr: *mut c_void, _flags: u32) {
    ignore_end();
}

/// Before a user-defined mutex signals a waiter: its code is ignored.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_pre_signal(_addr: *mut c_void, _flags: u32) {
    ignore_begin();
}

/// After a user-defined mutex signalled.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_post_signal(_addr: *mut c_void, _flags: u32) {
    ignore_end();
}

/// The mutex code calls out to user code: stop ignoring until `post_divert`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_pre_divert(_addr: *mut c_void, _flags: u32) {
    ignore_end();
}

/// The user code called from the mutex returned.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_mutex_post_divert(_addr: *mut c_void, _flags: u32) {
    ignore_begin();
}

// --- a barrier the detector does not see (ThreadSanitizer's test suite) ----

/// Threads per barrier are counted in the low bits of the barrier word
/// (up to 1023, as ThreadSanitizer allows); arrivals are counted above them.
const BARRIER_COUNT_BITS: u32 = 10;

/// Initializes an invisible barrier for `count` threads (`count` < 1024).
///
/// # Safety
/// `barrier` must point to a writable, 4-byte aligned word (tests declare
/// an `unsigned long long`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tsan_testonly_barrier_init(barrier: *mut u32, count: u32) {
    if count == 0 || count >= 1 << BARRIER_COUNT_BITS {
        crate::die!(
            "__tsan_testonly_barrier_init: count {count} is out of range 1..{}",
            (1 << BARRIER_COUNT_BITS) - 1
        );
    }
    // SAFETY: per the contract.
    unsafe { AtomicU32::from_ptr(barrier) }.store(count, Ordering::Relaxed);
}

/// Waits until `count` threads have arrived at the barrier, without
/// creating any happens-before edge.
///
/// # Safety
/// `barrier` must have been initialized by `__tsan_testonly_barrier_init`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tsan_testonly_barrier_wait(barrier: *mut u32) {
    // SAFETY: per the contract.
    let word = unsafe { AtomicU32::from_ptr(barrier) };
    let count_mask = (1 << BARRIER_COUNT_BITS) - 1;
    let before = word.fetch_add(1 << BARRIER_COUNT_BITS, Ordering::Relaxed);
    let count = before & count_mask;
    let arrived_before = before >> BARRIER_COUNT_BITS;
    let round = arrived_before / count;
    if (arrived_before + 1) % count == 0 {
        futex_wake_all(word);
        return;
    }
    loop {
        let now = word.load(Ordering::Relaxed);
        if (now >> BARRIER_COUNT_BITS) / count != round {
            return;
        }
        futex_wait(word, now);
    }
}

fn futex_wait(word: &AtomicU32, expected: u32) {
    // SAFETY: FUTEX_WAIT on a valid aligned word; returns on wake, on a
    // changed value or on a signal, all of which the caller re-checks.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            expected,
            core::ptr::null::<u8>(),
        );
    }
}

fn futex_wake_all(word: &AtomicU32) {
    // SAFETY: FUTEX_WAKE on a valid aligned word.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            i32::MAX,
        );
    }
}
