//! The shadow memory itself: reserving it, and handing out references to the
//! cells of application words.
//!
//! This is the one module that turns shadow addresses into references. It
//! relies on one invariant: a [`Shadow`] token exists only after every region
//! of the layout has been reserved, and reservations are never undone, so any
//! address the layout computes for an application word is mapped memory for
//! the rest of the process.

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};

use super::layout::{CELLS, Layout, Range, Region};
use crate::platform::mmap::{self, Use};

/// Proof that the shadow is mapped. Free to copy; obtained from [`Shadow::init`].
#[derive(Copy, Clone, Debug)]
pub struct Shadow {
    _mapped: (),
}

static MAPPED: AtomicBool = AtomicBool::new(false);

#[cfg(target_arch = "aarch64")]
static VMA_BITS: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(48);

/// The layout of this process.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn layout() -> Layout {
    Layout::X86_64
}

/// The layout of this process (decided once, from the stack's address).
#[cfg(target_arch = "aarch64")]
#[inline(always)]
pub fn layout() -> Layout {
    Layout::for_vma(VMA_BITS.load(Relaxed))
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("hbsan supports Linux on x86-64 and aarch64");

#[cfg(target_arch = "aarch64")]
fn detect_layout() -> Result<(), String> {
    let probe = 0u8;
    let addr = &probe as *const u8 as usize;
    match Layout::for_aarch64_stack_address(addr) {
        Some(l) => {
            VMA_BITS.store(l.vma_bits(), Relaxed);
            Ok(())
        }
        None => Err(format!(
            "unsupported virtual address width (stack at {addr:#x}); supported: 39, 42, 48 bits"
        )),
    }
}

#[cfg(target_arch = "x86_64")]
fn detect_layout() -> Result<(), String> {
    Ok(())
}

impl Shadow {
    /// Reserves the shadow regions (once; later calls return the token).
    pub fn init() -> Result<Shadow, String> {
        // Concurrent first calls (unit tests in parallel) must not both
        // reserve: the second would find the regions taken and fail.
        static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _serialized = INIT.lock().unwrap_or_else(|e| e.into_inner());
        if MAPPED.load(Relaxed) {
            return Ok(Shadow { _mapped: () });
        }
        detect_layout()?;
        let l = layout();
        for region in Region::ALL {
            // Only the primary plane is touched densely.
            let usage = if region == Region::Primary {
                Use::Dense
            } else {
                Use::Sparse
            };
            for r in l.shadow_ranges(region) {
                mmap::reserve_fixed(page_align_out(r), usage).map_err(|e| e.to_string())?;
            }
        }
        // Never written: only read by `primary_of` for addresses that are
        // not application memory.
        for r in l.primary_window_gaps() {
            mmap::reserve_fixed(r, Use::Sparse).map_err(|e| e.to_string())?;
        }
        MAPPED.store(true, Relaxed);
        Ok(Shadow { _mapped: () })
    }

    /// The token, if [`Shadow::init`] has succeeded.
    pub fn get() -> Option<Shadow> {
        MAPPED.load(Relaxed).then_some(Shadow { _mapped: () })
    }

    /// The shadow of the word holding `addr`, or `None` when `addr` is not
    /// application memory.
    #[inline(always)]
    pub fn word(self, addr: usize) -> Option<WordShadow> {
        if layout().is_app(addr) {
            Some(WordShadow { addr })
        } else {
            None
        }
    }

    /// The primary cell `addr` folds to, for any address: the cell of its
    /// word if `addr` is application memory, else some cell that must only
    /// be read (the whole window of the primary plane is reserved).
    #[inline(always)]
    pub fn primary_of(self, addr: usize) -> &'static AtomicU64 {
        // SAFETY: `layout().primary` folds any address into the primary
        // plane's window, which `init` reserved whole (images and gaps); it
        // stays mapped and zero-initialized, and the address is 8-aligned.
        unsafe { &*(layout().primary(addr) as *const AtomicU64) }
    }

    /// Forgets every access recorded for `[start, end)`: fresh memory, a new
    /// mapping, a new thread's stack. Addresses outside application memory
    /// are skipped.
    pub fn reset(self, start: usize, end: usize) {
        let l = layout();
        for app in l.app_ranges() {
            let s = start.max(app.start) & !7;
            let e = end.min(app.end).next_multiple_of(8).min(app.end);
            if s < e {
                reset_app_range(l, s, e);
            }
        }
    }

    /// Forgets every access recorded anywhere (used when thread slots must
    /// be recycled; see `clock::slots`).
    pub fn reset_all(self) {
        let l = layout();
        for region in Region::ALL {
            for r in l.shadow_ranges(region) {
                mmap::discard(page_align_out(r));
            }
        }
    }
}

/// The shadow of one application word.
#[derive(Copy, Clone, Debug)]
pub struct WordShadow {
    addr: usize,
}

impl WordShadow {
    /// The application address this shadow was found for (inside the word).
    #[inline(always)]
    pub fn app_addr(self) -> usize {
        self.addr
    }

    /// The word's primary cell.
    #[inline(always)]
    pub fn primary(self) -> &'static AtomicU64 {
        self.cell(0)
    }

    /// The word's cell `k` (`0..CELLS`: 0 is the primary cell; secondary
    /// cells are filled in order, so the first empty one ends the word's
    /// cells).
    #[inline(always)]
    pub fn cell(self, k: usize) -> &'static AtomicU64 {
        // SAFETY: `addr` is application memory (checked when `self` was
        // made), so its cell lies in a reserved range of the primary plane
        // or of the secondary blocks, which stays mapped and
        // zero-initialized; the address is 8-aligned.
        unsafe { &*(layout().cell(self.addr, k) as *const AtomicU64) }
    }

    /// The word's meta cell: the sync-table index of the objects in it.
    #[inline(always)]
    pub fn meta(self) -> &'static AtomicU32 {
        // SAFETY: as for `cell`: a reserved, zero-initialized, 4-aligned
        // cell of the meta plane.
        unsafe { &*(layout().meta(self.addr) as *const AtomicU32) }
    }

    /// Whether the word's secondary cells may hold something.
    #[inline(always)]
    pub fn is_shared(self) -> bool {
        let (word, bit) = self.shared_bit();
        word.load(Relaxed) & bit != 0
    }

    /// The shared bits of the 64 words of the 512-byte block holding this
    /// word (bit `i`: the block's word `i`).
    #[inline(always)]
    pub fn shared_bits(self) -> u64 {
        self.shared_bit().0.load(Relaxed)
    }

    /// The shadow of the word `8 * n` bytes further (`n` words; the caller
    /// keeps the result inside the application range of `self`).
    #[inline(always)]
    pub fn offset(self, n: usize) -> WordShadow {
        WordShadow {
            addr: self.addr + 8 * n,
        }
    }

    /// Marks the word as having secondary cells in use. Must happen before
    /// the first secondary cell is written, so no reader skips one.
    #[inline(never)]
    pub fn mark_shared(self) {
        let (word, bit) = self.shared_bit();
        if word.load(Relaxed) & bit == 0 {
            word.fetch_or(bit, Relaxed);
        }
    }

    #[inline(always)]
    fn shared_bit(self) -> (&'static AtomicU64, u64) {
        let (addr, bit) = layout().shared_bit(self.addr);
        // SAFETY: as for `primary`: a reserved bitmap word, 8-aligned.
        (unsafe { &*(addr as *const AtomicU64) }, bit)
    }
}

/// Application ranges at least this large have their shadow pages given
/// back to the kernel instead of being cleared word by word (one system
/// call per region, against up to 8 K loads and stores).
const DISCARD_MIN: usize = 64 << 10;

/// Resets the shadow of `[start, end)`, word-aligned and inside one app range.
fn reset_app_range(l: Layout, start: usize, end: usize) {
    let inner_start = start.next_multiple_of(mmap::PAGE);
    let inner_end = end & !(mmap::PAGE - 1);
    if end - start < DISCARD_MIN || inner_start >= inner_end {
        clear_words(l, start, end);
        return;
    }
    // Whole application pages: the primary plane maps them page for page
    // and the secondary blocks three pages for one, so their pages go back
    // to the kernel (they read as zero afterwards); the edges are cleared
    // word by word.
    clear_words(l, start, inner_start);
    clear_words(l, inner_end, end);
    let inner = Range {
        start: inner_start,
        end: inner_end,
    };
    mmap::discard(l.primary_cells(inner));
    mmap::discard(l.secondary_cells(inner));
    // The bitmap is 64 times smaller: its whole pages are discarded, the
    // words at either end cleared.
    let bits = Range {
        start: l.shared_bit(inner_start).0,
        end: l.shared_bit(inner_end - 8).0 + 8,
    };
    let whole = mmap::inner_pages(bits);
    if whole.is_empty() {
        zero_cells(bits.start, bits.end);
    } else {
        zero_cells(bits.start, whole.start);
        zero_cells(whole.end, bits.end);
        mmap::discard(whole);
    }
}

/// Clears the cells of the words of `[start, end)` one by one.
fn clear_words(l: Layout, start: usize, end: usize) {
    if start >= end {
        return;
    }
    let mut a = start;
    // Walk bitmap word by bitmap word (64 application words each).
    while a < end {
        let group_end = ((a | 511) + 1).min(end);
        let (bits, _) = WordShadow { addr: a }.shared_bit();
        let first = (a >> 3) & 63;
        let count = (group_end - a) >> 3;
        let in_range = if count == 64 {
            u64::MAX
        } else {
            ((1u64 << count) - 1) << first
        };
        let shared = bits.load(Relaxed) & in_range;
        if shared != 0 {
            let mut todo = shared;
            while todo != 0 {
                let i = todo.trailing_zeros() as usize;
                todo &= todo - 1;
                clear_secondary(WordShadow {
                    addr: (a & !511) + 8 * i,
                });
            }
            bits.fetch_and(!in_range, Relaxed);
        }
        a = group_end;
    }
    zero_cells(l.primary(start), l.primary(end - 8) + 8);
}

/// Empties a word's secondary cells, writing only those that hold
/// something (a write would make an untouched page cost memory).
pub(crate) fn clear_secondary(word: WordShadow) {
    for k in 1..CELLS {
        let c = word.cell(k);
        if c.load(Relaxed) == 0 {
            break;
        }
        c.store(0, Relaxed);
    }
}

/// Zeroes the 8-byte shadow words in `[from, to)` (shadow addresses),
/// writing only those that are not zero already: reading a page that was
/// never written costs no memory, writing it costs a page.
fn zero_cells(from: usize, to: usize) {
    let mut c = from;
    while c < to {
        // SAFETY: callers pass sub-ranges of a reserved shadow region (the
        // primary plane's image of an app range, or the bitmap's); 8-aligned.
        let cell = unsafe { &*(c as *const AtomicU64) };
        if cell.load(Relaxed) != 0 {
            cell.store(0, Relaxed);
        }
        c += 8;
    }
}

fn page_align_out(r: Range) -> Range {
    Range {
        start: r.start & !(mmap::PAGE - 1),
        end: r.end.next_multiple_of(mmap::PAGE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reset forgets every cell of the words inside its range, primary and
    /// secondary, by discarding whole pages in the middle and clearing the
    /// edges, and not one cell of the words around it.
    #[test]
    fn reset_clears_the_range_and_nothing_around_it() {
        let shadow = Shadow::init().expect("shadow");
        let buf = vec![0u64; 64 << 10]; // 512 KiB: discarded, not cleared
        let base = buf.as_ptr() as usize;
        let end = base + 8 * buf.len();
        let words = || (base..end).step_by(8).map(|a| shadow.word(a).expect("app"));
        for w in words() {
            w.mark_shared();
            for k in 0..CELLS {
                w.cell(k).store(0x100 + k as u64, Relaxed);
            }
        }
        // Unaligned to pages at both ends, and not at word boundaries.
        let (start, stop) = (base + 8 * 300 + 3, end - 8 * 700 - 5);
        shadow.reset(start, stop);
        for w in words() {
            let a = w.app_addr();
            // The reset covers every word it touches a byte of.
            let inside = a + 8 > start && a < stop;
            for k in 0..CELLS {
                let c = w.cell(k).load(Relaxed);
                if inside {
                    assert_eq!(c, 0, "cell {k} of {a:#x} survived the reset");
                } else {
                    assert_eq!(c, 0x100 + k as u64, "cell {k} of {a:#x} was lost");
                }
            }
            assert_eq!(w.is_shared(), !inside, "shared bit of {a:#x}");
        }
        shadow.reset(base, end);
        drop(buf);
    }
}
