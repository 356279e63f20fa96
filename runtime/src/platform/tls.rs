//! The bounds of the calling thread's static TLS block: where its
//! `__thread` / `thread_local` variables live, so that a report can say
//! `Location is TLS of thread T1.`
//!
//! glibc places the static TLS blocks of the modules loaded at start-up
//! next to the thread pointer: below it on x86-64 (TLS variant II: module
//! 1 right under the pointer, the next below that), above its 16-byte
//! header on aarch64 (variant I). The blocks' total size is the sum of the
//! modules' `PT_TLS` sizes, each rounded up to its alignment; it is
//! computed once. Blocks of libraries opened later live elsewhere (or in
//! glibc's surplus, which is not counted) and are not described.

use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The static TLS size, plus one (0: not computed yet).
static STATIC_SIZE: AtomicUsize = AtomicUsize::new(0);

/// `[lo, hi)` of the calling thread's static TLS, or `None` when the
/// modules loaded at start-up have no TLS (or the platform is unknown).
pub fn current_thread_tls() -> Option<(usize, usize)> {
    let size = static_size();
    if size == 0 {
        return None;
    }
    let tp = thread_pointer()?;
    if cfg!(target_arch = "aarch64") {
        Some((tp + 16, tp + 16 + size))
    } else {
        Some((tp.checked_sub(size)?, tp))
    }
}

fn static_size() -> usize {
    match STATIC_SIZE.load(Relaxed) {
        0 => {
            let size = sum_of_tls_segments();
            STATIC_SIZE.store(size + 1, Relaxed);
            size
        }
        n => n - 1,
    }
}

/// The thread pointer (`fs` base on x86-64, `tpidr_el0` on aarch64).
fn thread_pointer() -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        let tp: usize;
        // SAFETY: glibc's TCB starts with a pointer to itself (`tcbhead_t`'s
        // `tcb`), so reading `fs:0` is how the C library itself finds the
        // thread pointer; it reads memory of the calling thread only.
        unsafe {
            core::arch::asm!("mov {}, qword ptr fs:[0]", out(reg) tp, options(nostack, readonly, preserves_flags));
        }
        Some(tp)
    }
    #[cfg(target_arch = "aarch64")]
    {
        let tp: usize;
        // SAFETY: reading the thread-pointer register has no side effects.
        unsafe {
            core::arch::asm!("mrs {}, tpidr_el0", out(reg) tp, options(nomem, nostack, preserves_flags));
        }
        Some(tp)
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        None
    }
}

/// The sum of the loaded modules' `PT_TLS` sizes, each rounded up to its
/// alignment.
fn sum_of_tls_segments() -> usize {
    extern "C" fn visit(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        total: *mut libc::c_void,
    ) -> libc::c_int {
        // SAFETY: dl_iterate_phdr passes a valid `info` whose `dlpi_phdr`
        // points to `dlpi_phnum` program headers, and our own `total`.
        unsafe {
            let info = &*info;
            let total = &mut *(total as *mut usize);
            for i in 0..info.dlpi_phnum as usize {
                let ph = &*info.dlpi_phdr.add(i);
                if ph.p_type == libc::PT_TLS {
                    let align = (ph.p_align as usize).max(1);
                    *total += (ph.p_memsz as usize).div_ceil(align) * align;
                }
            }
        }
        0
    }
    let mut total = 0usize;
    // SAFETY: `visit` only reads what it is given and writes `total`,
    // which outlives the call.
    unsafe {
        libc::dl_iterate_phdr(Some(visit), &mut total as *mut usize as *mut libc::c_void);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static MARK: core::cell::Cell<u64> = const { core::cell::Cell::new(7) };
    }

    #[test]
    fn thread_locals_are_inside_the_block() {
        let here = |()| {
            let addr = MARK.with(|m| m.as_ptr() as usize);
            let (lo, hi) = current_thread_tls().expect("the test binary has TLS");
            assert!(
                lo <= addr && addr < hi,
                "{addr:#x} not in [{lo:#x}, {hi:#x})"
            );
            (lo, hi)
        };
        let main = here(());
        let other = std::thread::spawn(move || here(())).join().unwrap();
        // Every thread has its own block.
        assert!(other.1 <= main.0 || main.1 <= other.0);
    }
}
