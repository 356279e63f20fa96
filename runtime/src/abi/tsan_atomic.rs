//! `__tsan_atomic{8,16,32,64,128}_*` and the fences: the hooks perform the
//! atomic operation themselves (the instrumented code no longer does) and
//! apply its memory order to the clocks (see `sync::atomic`, which runs the
//! operation inside the object's critical section when it synchronizes).
//!
//! Each operation is also an atomic access in the shadow: it races with
//! plain accesses to the same bytes, never with other atomics.

use core::sync::atomic::{AtomicU8, AtomicU16, AtomicU32, AtomicU64, Ordering};

use super::trampoline::{hook_pc, hook_pc_on_stack};
use super::tsan::native_runtime as rt;
use crate::shadow::cell::AccessKind;
use crate::shadow::check;
use crate::sync::atomic::Order;
use crate::thread::ThreadState;
use crate::thread::current::{Guard, current};

/// An atomic load was performed: the access, then its acquire.
fn record_load(thr: &mut ThreadState, addr: usize, size: usize, mo: Order, pc: usize) {
    check::access(thr, addr, size, AccessKind::ATOMIC_READ, pc as u64);
    let _g = Guard::enter();
    rt().atomic_loaded(thr, addr, mo);
}

/// Performs an atomic store with `op`, recording it.
fn record_store<R>(addr: usize, size: usize, mo: Order, pc: usize, op: impl FnOnce() -> R) -> R {
    let thr = current();
    check::access(thr, addr, size, AccessKind::ATOMIC_WRITE, pc as u64);
    let _g = Guard::enter();
    rt().atomic_store(thr, addr, mo, op)
}

/// Performs an atomic read-modify-write with `op`, recording it: the access
/// checked first, outside the object's critical section (see
/// `Runtime::atomic_rmw`).
fn record_rmw<R>(addr: usize, size: usize, mo: Order, pc: usize, op: impl FnOnce() -> R) -> R {
    let thr = current();
    check::access(thr, addr, size, AccessKind::ATOMIC_WRITE, pc as u64);
    let _g = Guard::enter();
    rt().atomic_rmw(thr, addr, mo, op)
}

/// Performs an atomic compare-and-swap with `op`, recording it (as a write,
/// like ThreadSanitizer, whether or not it succeeds).
fn record_cas<T>(
    addr: usize,
    size: usize,
    orders: (i32, i32),
    pc: usize,
    op: impl FnOnce() -> Result<T, T>,
) -> Result<T, T> {
    let thr = current();
    check::access(thr, addr, size, AccessKind::ATOMIC_WRITE, pc as u64);
    let _g = Guard::enter();
    rt().atomic_cas(
        thr,
        addr,
        Order::from_abi(orders.0),
        Order::from_abi(orders.1),
        op,
    )
}

/// Checks that an atomic of `size` bytes at `a` is naturally aligned, as
/// C requires and the hardware's atomic instructions need.
fn aligned(hook: &str, a: usize, size: usize) {
    if a % size != 0 {
        crate::die!("{hook}: misaligned {size}-byte atomic at {a:#x}");
    }
}

/// A read-modify-write hook `HOOK(a, v, mo)` performing `Atomic::OP`.
macro_rules! rmw_hook {
    ($size:literal, $t:ty, $imp:ident, $hook:ident, $op:ident) => {
        extern "C" fn $imp(a: *mut $t, v: $t, mo: i32, pc: usize) -> $t {
            let mo = Order::from_abi(mo);
            let at = atomic(stringify!($hook), a);
            record_rmw(a as usize, $size, mo, pc, || at.$op(v, mo.for_rmw()))
        }
        hook_pc!(
            #[doc = concat!("Atomic `", stringify!($op), "` of a ", stringify!($size), "-byte value; returns the old value.")]
            $hook => $imp, x86_64: "rcx", aarch64: "x3"
        );
    };
}

macro_rules! atomic_hooks {
    ($size:literal, $t:ty, $atomic:ty, [
        $load:ident/$load_imp:ident,
        $store:ident/$store_imp:ident,
        $xchg:ident/$xchg_imp:ident,
        $add:ident/$add_imp:ident,
        $sub:ident/$sub_imp:ident,
        $and:ident/$and_imp:ident,
        $or:ident/$or_imp:ident,
        $xor:ident/$xor_imp:ident,
        $nand:ident/$nand_imp:ident,
        $cas_s:ident/$cas_s_imp:ident,
        $cas_w:ident/$cas_w_imp:ident,
        $cas_v:ident/$cas_v_imp:ident
    ]) => {
        fn atomic(hook: &str, a: *mut $t) -> &'static $atomic {
            aligned(hook, a as usize, $size);
            // SAFETY: the program hands us the address of a live, naturally
            // aligned (checked) atomic object that it accesses only atomically.
            unsafe { <$atomic>::from_ptr(a) }
        }

        extern "C" fn $load_imp(a: *mut $t, mo: i32, pc: usize) -> $t {
            let mo = Order::from_abi(mo);
            let v = atomic(stringify!($load), a).load(mo.for_load());
            record_load(current(), a as usize, $size, mo, pc);
            v
        }

        extern "C" fn $store_imp(a: *mut $t, v: $t, mo: i32, pc: usize) {
            let mo = Order::from_abi(mo);
            let at = atomic(stringify!($store), a);
            record_store(a as usize, $size, mo, pc, || at.store(v, mo.for_store()));
        }

        rmw_hook!($size, $t, $xchg_imp, $xchg, swap);
        rmw_hook!($size, $t, $add_imp, $add, fetch_add);
        rmw_hook!($size, $t, $sub_imp, $sub, fetch_sub);
        rmw_hook!($size, $t, $and_imp, $and, fetch_and);
        rmw_hook!($size, $t, $or_imp, $or, fetch_or);
        rmw_hook!($size, $t, $xor_imp, $xor, fetch_xor);
        rmw_hook!($size, $t, $nand_imp, $nand, fetch_nand);

        /// Compare-and-swap; on success a read-modify-write with `mo`, on
        /// failure a load with `fail_mo`. Returns the old value.
        fn cas(hook: &str, a: *mut $t, expected: $t, new: $t, mo: i32, fail_mo: i32, pc: usize) -> Result<$t, $t> {
            let at = atomic(hook, a);
            let (success, failure) = (Order::from_abi(mo).for_rmw(), Order::from_abi(fail_mo).for_load());
            record_cas(a as usize, $size, (mo, fail_mo), pc, || at.compare_exchange(expected, new, success, failure))
        }

        extern "C" fn $cas_s_imp(a: *mut $t, c: *mut $t, v: $t, mo: i32, fail_mo: i32, pc: usize) -> i32 {
            // SAFETY: `c` points at the caller's expected value, per the ABI.
            let expected = unsafe { c.read() };
            match cas(stringify!($cas_s), a, expected, v, mo, fail_mo, pc) {
                Ok(_) => 1,
                Err(old) => {
                    // SAFETY: as above; the ABI reports the current value there.
                    unsafe { c.write(old) };
                    0
                }
            }
        }

        extern "C" fn $cas_w_imp(a: *mut $t, c: *mut $t, v: $t, mo: i32, fail_mo: i32, pc: usize) -> i32 {
            $cas_s_imp(a, c, v, mo, fail_mo, pc)
        }

        extern "C" fn $cas_v_imp(a: *mut $t, c: $t, v: $t, mo: i32, fail_mo: i32, pc: usize) -> $t {
            match cas(stringify!($cas_v), a, c, v, mo, fail_mo, pc) {
                Ok(old) | Err(old) => old,
            }
        }

        hook_pc!(
            #[doc = concat!("Atomic load of a ", stringify!($size), "-byte value with memory order `mo`.")]
            $load => $load_imp, x86_64: "rdx", aarch64: "x2"
        );
        hook_pc!(
            #[doc = concat!("Atomic store of a ", stringify!($size), "-byte value with memory order `mo`.")]
            $store => $store_imp, x86_64: "rcx", aarch64: "x3"
        );
        hook_pc!(
            #[doc = concat!("Strong compare-and-swap of a ", stringify!($size), "-byte value; 1 on success, else the current value goes to `*c`.")]
            $cas_s => $cas_s_imp, x86_64: "r9", aarch64: "x5"
        );
        hook_pc!(
            #[doc = concat!("Weak compare-and-swap of a ", stringify!($size), "-byte value (performed strong).")]
            $cas_w => $cas_w_imp, x86_64: "r9", aarch64: "x5"
        );
        hook_pc!(
            #[doc = concat!("Compare-and-swap of a ", stringify!($size), "-byte value returning the old value.")]
            $cas_v => $cas_v_imp, x86_64: "r9", aarch64: "x5"
        );
    };
}

mod a8 {
    use super::*;
    atomic_hooks!(
        1,
        u8,
        AtomicU8,
        [
            __tsan_atomic8_load / load,
            __tsan_atomic8_store / store,
            __tsan_atomic8_exchange / exchange,
            __tsan_atomic8_fetch_add / fetch_add,
            __tsan_atomic8_fetch_sub / fetch_sub,
            __tsan_atomic8_fetch_and / fetch_and,
            __tsan_atomic8_fetch_or / fetch_or,
            __tsan_atomic8_fetch_xor / fetch_xor,
            __tsan_atomic8_fetch_nand / fetch_nand,
            __tsan_atomic8_compare_exchange_strong / cas_strong,
            __tsan_atomic8_compare_exchange_weak / cas_weak,
            __tsan_atomic8_compare_exchange_val / cas_val
        ]
    );
}

mod a16 {
    use super::*;
    atomic_hooks!(
        2,
        u16,
        AtomicU16,
        [
            __tsan_atomic16_load / load,
            __tsan_atomic16_store / store,
            __tsan_atomic16_exchange / exchange,
            __tsan_atomic16_fetch_add / fetch_add,
            __tsan_atomic16_fetch_sub / fetch_sub,
            __tsan_atomic16_fetch_and / fetch_and,
            __tsan_atomic16_fetch_or / fetch_or,
            __tsan_atomic16_fetch_xor / fetch_xor,
            __tsan_atomic16_fetch_nand / fetch_nand,
            __tsan_atomic16_compare_exchange_strong / cas_strong,
            __tsan_atomic16_compare_exchange_weak / cas_weak,
            __tsan_atomic16_compare_exchange_val / cas_val
        ]
    );
}

mod a32 {
    use super::*;
    atomic_hooks!(
        4,
        u32,
        AtomicU32,
        [
            __tsan_atomic32_load / load,
            __tsan_atomic32_store / store,
            __tsan_atomic32_exchange / exchange,
            __tsan_atomic32_fetch_add / fetch_add,
            __tsan_atomic32_fetch_sub / fetch_sub,
            __tsan_atomic32_fetch_and / fetch_and,
            __tsan_atomic32_fetch_or / fetch_or,
            __tsan_atomic32_fetch_xor / fetch_xor,
            __tsan_atomic32_fetch_nand / fetch_nand,
            __tsan_atomic32_compare_exchange_strong / cas_strong,
            __tsan_atomic32_compare_exchange_weak / cas_weak,
            __tsan_atomic32_compare_exchange_val / cas_val
        ]
    );
}

mod a64 {
    use super::*;
    atomic_hooks!(
        8,
        u64,
        AtomicU64,
        [
            __tsan_atomic64_load / load,
            __tsan_atomic64_store / store,
            __tsan_atomic64_exchange / exchange,
            __tsan_atomic64_fetch_add / fetch_add,
            __tsan_atomic64_fetch_sub / fetch_sub,
            __tsan_atomic64_fetch_and / fetch_and,
            __tsan_atomic64_fetch_or / fetch_or,
            __tsan_atomic64_fetch_xor / fetch_xor,
            __tsan_atomic64_fetch_nand / fetch_nand,
            __tsan_atomic64_compare_exchange_strong / cas_strong,
            __tsan_atomic64_compare_exchange_weak / cas_weak,
            __tsan_atomic64_compare_exchange_val / cas_val
        ]
    );
}

// --- 128-bit atomics (gcc always declares them; clang with -mcx16) ---------

mod a128 {
    use super::*;
    use crate::platform::atomic128::{cas, load};

    fn check_aligned(hook: &str, a: *mut u128) {
        aligned(hook, a as usize, 16);
    }

    /// Applies `f` atomically, returning the old value.
    fn rmw(a: *mut u128, f: impl Fn(u128) -> u128) -> u128 {
        // SAFETY: `a` is aligned (checked by the callers) and live.
        let mut old = unsafe { load(a) };
        loop {
            // SAFETY: as above.
            let seen = unsafe { cas(a, old, f(old)) };
            if seen == old {
                return old;
            }
            old = seen;
        }
    }

    extern "C" fn load_imp(a: *mut u128, mo: i32, pc: usize) -> u128 {
        check_aligned("__tsan_atomic128_load", a);
        // SAFETY: aligned and live.
        let v = unsafe { load(a) };
        record_load(current(), a as usize, 16, Order::from_abi(mo), pc);
        v
    }

    extern "C" fn store_imp(a: *mut u128, v: u128, mo: i32, pc: usize) {
        check_aligned("__tsan_atomic128_store", a);
        record_store(a as usize, 16, Order::from_abi(mo), pc, || rmw(a, |_| v));
    }

    macro_rules! rmw128 {
        ($imp:ident, $hook:ident, |$old:ident, $v:ident| $e:expr) => {
            extern "C" fn $imp(a: *mut u128, $v: u128, mo: i32, pc: usize) -> u128 {
                check_aligned(stringify!($hook), a);
                record_rmw(a as usize, 16, Order::from_abi(mo), pc, || rmw(a, |$old| $e))
            }
            hook_pc!(
                #[doc = concat!("Atomic `", stringify!($hook), "` of a 16-byte value.")]
                $hook => $imp, x86_64: "r8", aarch64: "x5"
            );
        };
    }
    rmw128!(xchg_imp, __tsan_atomic128_exchange, |_o, v| v);
    rmw128!(add_imp, __tsan_atomic128_fetch_add, |o, v| o
        .wrapping_add(v));
    rmw128!(sub_imp, __tsan_atomic128_fetch_sub, |o, v| o
        .wrapping_sub(v));
    rmw128!(and_imp, __tsan_atomic128_fetch_and, |o, v| o & v);
    rmw128!(or_imp, __tsan_atomic128_fetch_or, |o, v| o | v);
    rmw128!(xor_imp, __tsan_atomic128_fetch_xor, |o, v| o ^ v);
    rmw128!(nand_imp, __tsan_atomic128_fetch_nand, |o, v| !(o & v));

    fn cas128(
        hook: &str,
        a: *mut u128,
        expected: u128,
        new: u128,
        mo: i32,
        fail_mo: i32,
        pc: usize,
    ) -> Result<u128, u128> {
        check_aligned(hook, a);
        record_cas(a as usize, 16, (mo, fail_mo), pc, || {
            // SAFETY: aligned (checked) and live.
            let old = unsafe { cas(a, expected, new) };
            if old == expected { Ok(old) } else { Err(old) }
        })
    }

    fn cas_strong(a: *mut u128, c: *mut u128, v: u128, mo: i32, fail_mo: i32, pc: usize) -> i32 {
        // SAFETY: `c` points at the caller's expected value, per the ABI.
        let expected = unsafe { c.read() };
        match cas128(
            "__tsan_atomic128_compare_exchange_strong",
            a,
            expected,
            v,
            mo,
            fail_mo,
            pc,
        ) {
            Ok(_) => 1,
            Err(old) => {
                // SAFETY: as above.
                unsafe { c.write(old) };
                0
            }
        }
    }

    hook_pc!(
        /// Atomic load of a 16-byte value.
        __tsan_atomic128_load => load_imp, x86_64: "rdx", aarch64: "x2"
    );
    hook_pc!(
        /// Atomic store of a 16-byte value.
        __tsan_atomic128_store => store_imp, x86_64: "r8", aarch64: "x5"
    );

    // On x86-64 the compare-and-swaps use all six argument registers (a
    // 16-byte value takes two), so their pc travels on the stack.
    #[cfg(target_arch = "x86_64")]
    mod cas_entry {
        use super::*;

        extern "C" fn strong(
            a: *mut u128,
            c: *mut u128,
            v: u128,
            mo: i32,
            fail_mo: i32,
            pc: usize,
            _pad: usize,
        ) -> i32 {
            cas_strong(a, c, v, mo, fail_mo, pc)
        }

        extern "C" fn val(
            a: *mut u128,
            c: u128,
            v: u128,
            mo: i32,
            pc: usize,
            _pad: usize,
            fail_mo: i32,
        ) -> u128 {
            match cas128(
                "__tsan_atomic128_compare_exchange_val",
                a,
                c,
                v,
                mo,
                fail_mo,
                pc,
            ) {
                Ok(old) | Err(old) => old,
            }
        }

        hook_pc_on_stack!(
            /// Strong compare-and-swap of a 16-byte value.
            __tsan_atomic128_compare_exchange_strong => strong
        );
        hook_pc_on_stack!(
            /// Weak compare-and-swap of a 16-byte value (performed strong).
            __tsan_atomic128_compare_exchange_weak => strong
        );
        hook_pc_on_stack!(
            /// Compare-and-swap of a 16-byte value returning the old value.
            __tsan_atomic128_compare_exchange_val => val
        );
    }

    // On aarch64 a 16-byte argument starts at an even register: the
    // strong/weak forms leave x6 free; `val` fills all eight.
    #[cfg(target_arch = "aarch64")]
    mod cas_entry {
        use super::*;

        extern "C" fn strong(
            a: *mut u128,
            c: *mut u128,
            v: u128,
            mo: i32,
            fail_mo: i32,
            pc: usize,
        ) -> i32 {
            cas_strong(a, c, v, mo, fail_mo, pc)
        }

        extern "C" fn val(
            a: *mut u128,
            c: u128,
            v: u128,
            mo: i32,
            fail_mo: i32,
            pc: usize,
            _pad: usize,
        ) -> u128 {
            match cas128(
                "__tsan_atomic128_compare_exchange_val",
                a,
                c,
                v,
                mo,
                fail_mo,
                pc,
            ) {
                Ok(old) | Err(old) => old,
            }
        }

        hook_pc!(
            /// Strong compare-and-swap of a 16-byte value.
            __tsan_atomic128_compare_exchange_strong => strong, x86_64: "unused", aarch64: "x6"
        );
        hook_pc!(
            /// Weak compare-and-swap of a 16-byte value (performed strong).
            __tsan_atomic128_compare_exchange_weak => strong, x86_64: "unused", aarch64: "x6"
        );
        hook_pc_on_stack!(
            /// Compare-and-swap of a 16-byte value returning the old value.
            __tsan_atomic128_compare_exchange_val => val
        );
    }
}

// --- fences -------------------------------------------------------------------

/// `atomic_thread_fence(mo)`.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_atomic_thread_fence(mo: i32) {
    let mo = Order::from_abi(mo);
    let thr = current();
    {
        let _g = Guard::enter();
        rt().fence(thr, mo);
    }
    if mo != Order::Relaxed {
        core::sync::atomic::fence(mo.for_rmw());
    }
}

/// `atomic_signal_fence(mo)`: orders nothing between threads.
#[unsafe(no_mangle)]
pub extern "C" fn __tsan_atomic_signal_fence(mo: i32) {
    if Order::from_abi(mo) != Order::Relaxed {
        core::sync::atomic::compiler_fence(Ordering::SeqCst);
    }
}
