//! 16-byte atomic compare-and-swap and load, with the hardware's
//! instructions (the standard library has no 128-bit atomics on stable).

/// Atomically: if `*p == expected` then `*p = new`. Returns the value `*p`
/// held before (equal to `expected` on success). Sequentially consistent.
///
/// # Safety
/// `p` must be valid, 16-byte aligned, and accessed concurrently only
/// through atomic operations.
#[cfg(target_arch = "x86_64")]
pub unsafe fn cas(p: *mut u128, expected: u128, new: u128) -> u128 {
    let (mut lo, mut hi) = (expected as u64, (expected >> 64) as u64);
    // SAFETY: per the contract. rbx is reserved by the compiler, so the low
    // half of `new` is swapped into it around the instruction.
    unsafe {
        core::arch::asm!(
            "xchg {new_lo}, rbx",
            "lock cmpxchg16b xmmword ptr [{p}]",
            "mov rbx, {new_lo}",
            p = in(reg) p,
            new_lo = inout(reg) new as u64 => _,
            in("rcx") (new >> 64) as u64,
            inout("rax") lo,
            inout("rdx") hi,
            options(nostack),
        );
    }
    ((hi as u128) << 64) | lo as u128
}

/// See the x86-64 version.
///
/// # Safety
/// As for the x86-64 version.
#[cfg(target_arch = "aarch64")]
pub unsafe fn cas(p: *mut u128, expected: u128, new: u128) -> u128 {
    let (exp_lo, exp_hi) = (expected as u64, (expected >> 64) as u64);
    let (new_lo, new_hi) = (new as u64, (new >> 64) as u64);
    let (mut lo, mut hi): (u64, u64);
    // SAFETY: per the contract; a load-exclusive/store-exclusive loop.
    unsafe {
        core::arch::asm!(
            "2:",
            "ldaxp {lo}, {hi}, [{p}]",
            "cmp {lo}, {exp_lo}",
            "ccmp {hi}, {exp_hi}, #0, eq",
            "b.ne 3f",
            "stlxp {status:w}, {new_lo}, {new_hi}, [{p}]",
            "cbnz {status:w}, 2b",
            "b 4f",
            "3:",
            "clrex",
            "4:",
            p = in(reg) p,
            exp_lo = in(reg) exp_lo,
            exp_hi = in(reg) exp_hi,
            new_lo = in(reg) new_lo,
            new_hi = in(reg) new_hi,
            lo = out(reg) lo,
            hi = out(reg) hi,
            status = out(reg) _,
            options(nostack),
        );
    }
    ((hi as u128) << 64) | lo as u128
}

/// Atomically reads `*p` (a compare-and-swap that changes nothing).
///
/// # Safety
/// As for [`cas`].
pub unsafe fn load(p: *mut u128) -> u128 {
    // SAFETY: forwarded contract; swapping 0 for 0 leaves memory unchanged.
    unsafe { cas(p, 0, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(align(16))]
    struct Cell(u128);

    #[test]
    fn cas_swaps_only_on_a_match() {
        let mut c = Cell(5 | (7 << 64));
        let p = &mut c.0 as *mut u128;
        unsafe {
            assert_eq!(load(p), 5 | (7 << 64));
            assert_eq!(cas(p, 1, 2), 5 | (7 << 64), "mismatch leaves it");
            assert_eq!(cas(p, 5 | (7 << 64), u128::MAX), 5 | (7 << 64));
            assert_eq!(load(p), u128::MAX);
        }
    }
}
