//! Address-space reservations at fixed addresses, and giving pages back.
//!
//! These go straight to the kernel with `syscall(2)`: in a native program the
//! `mmap` symbol is our own interceptor, and the runtime must never re-enter
//! its hooks from inside itself.

use crate::shadow::layout::Range;

/// Why a reservation failed.
#[derive(Debug)]
pub struct ReserveError {
    /// The range that could not be reserved.
    pub range: Range,
    /// `errno` of the failed call.
    pub errno: i32,
}

impl core::fmt::Display for ReserveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let why = match self.errno {
            libc::EEXIST => "something is already mapped there",
            libc::ENOMEM => {
                "the kernel refused (is vm.overcommit_memory=2 or an address-space limit set?)"
            }
            _ => "mmap failed",
        };
        write!(
            f,
            "cannot reserve {:#x}..{:#x}: {} (errno {})",
            self.range.start, self.range.end, why, self.errno
        )
    }
}

/// How a reserved region will be used, which decides its `madvise` hints.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Use {
    /// Touched densely where touched at all: transparent huge pages are fine.
    Dense,
    /// Touched sparsely: keep 4 KiB pages so one write costs 4 KiB, not 2 MiB.
    Sparse,
}

/// Reserves `range` (page-aligned) as readable, writable, zero-filled memory
/// that costs nothing until touched. Fails instead of replacing an existing
/// mapping.
pub fn reserve_fixed(range: Range, usage: Use) -> Result<(), ReserveError> {
    let flags =
        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED_NOREPLACE;
    // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping, so no
    // memory that Rust or the program owns can be affected; the result is
    // checked below.
    let got = unsafe {
        libc::syscall(
            libc::SYS_mmap,
            range.start,
            range.len(),
            libc::PROT_READ | libc::PROT_WRITE,
            flags,
            -1 as libc::c_int,
            0 as libc::off_t,
        )
    };
    if got < 0 {
        return Err(ReserveError {
            range,
            errno: -got as i32,
        });
    }
    if got as usize != range.start {
        // Kernels older than 4.17 ignore MAP_FIXED_NOREPLACE and treat the
        // address as a hint. Give the mapping back and fail.
        unmap(Range {
            start: got as usize,
            end: got as usize + range.len(),
        });
        return Err(ReserveError {
            range,
            errno: libc::EEXIST,
        });
    }
    advise(range, libc::MADV_DONTDUMP);
    if usage == Use::Sparse {
        advise(range, libc::MADV_NOHUGEPAGE);
    }
    Ok(())
}

/// Gives the pages of `range` (page-aligned) back to the kernel; they read as
/// zero afterwards and cost nothing until touched again.
pub fn discard(range: Range) {
    advise(range, libc::MADV_DONTNEED);
}

fn advise(range: Range, advice: libc::c_int) {
    // SAFETY: madvise with these advices never unmaps memory; DONTNEED on a
    // private anonymous mapping only zeroes it, and callers pass ranges of
    // runtime-owned regions that hold no Rust objects.
    unsafe {
        libc::syscall(libc::SYS_madvise, range.start, range.len(), advice);
    }
}

fn unmap(range: Range) {
    // SAFETY: only called on a mapping this module just created.
    unsafe {
        libc::syscall(libc::SYS_munmap, range.start, range.len());
    }
}

/// The size of a page.
pub const PAGE: usize = 4096;

/// The largest page-aligned range inside `range`.
pub const fn inner_pages(range: Range) -> Range {
    let start = (range.start + PAGE - 1) & !(PAGE - 1);
    let end = range.end & !(PAGE - 1);
    if start < end {
        Range { start, end }
    } else {
        Range { start, end: start }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_pages_rounds_inwards() {
        assert_eq!(
            inner_pages(Range {
                start: 1,
                end: 3 * PAGE + 5
            }),
            Range {
                start: PAGE,
                end: 3 * PAGE
            }
        );
        assert!(inner_pages(Range { start: 10, end: 20 }).is_empty());
        assert_eq!(
            inner_pages(Range {
                start: PAGE,
                end: 2 * PAGE
            }),
            Range {
                start: PAGE,
                end: 2 * PAGE
            }
        );
    }
}
