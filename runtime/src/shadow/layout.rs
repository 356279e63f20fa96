//! Where application memory lives and where its shadow goes: a fixed
//! arithmetic mapping, parametrized by the width of the user address space.
//!
//! ## Application memory
//! The user address space (`2^vma` bytes) is cut into 64 equal **chunks**.
//! Programs put their memory in four of them, in every supported
//! configuration, because Linux places things at fixed fractions of the
//! address space:
//!
//! | chunk | x86-64 (47-bit)                         | what lives there |
//! |-------|-----------------------------------------|------------------|
//! | 0     | `0x0000_0000_0000..0x0200_0000_0000`    | non-PIE images, their brk heap, MAP_32BIT, Go's heap at `0xc0_0000_0000` |
//! | 42-43 | `0x5400_0000_0000..0x5800_0000_0000`    | PIE images (loaded at 2/3 of the space) and their brk heap |
//! | 63    | `0x7e00_0000_0000..0x8000_0000_0000`    | mmap area, shared libraries, thread stacks, the main stack |
//!
//! Any other address is not application memory: accesses to it are
//! ignored, never a crash.
//!
//! ## Shadow
//! Every aligned 8-byte word has [`CELLS`] shadow cells of 8 bytes: one
//! **primary** cell in the primary plane and three **secondary** cells side
//! by side in the word's **secondary block**:
//! - the primary plane has one shadow byte per application byte: a word
//!   used by one thread costs one shadow cache line per application cache
//!   line and nothing else;
//! - the secondary block (24 bytes, three per application byte) is filled
//!   in order, only for words that need more than one cell (typically a
//!   write and a later read by another thread or in a later epoch:
//!   FastTrack's two facts per variable); a page of blocks costs memory only
//!   once a word on it needs one. A word's secondary cells are together so
//!   that a word several threads take turns at costs two shadow cache lines
//!   (its primary cell's and its block's, which a quarter of the blocks
//!   straddle), not one per cell: those lines move between the threads'
//!   caches at every turn (docs/PERFORMANCE.md §30);
//! - one bit per word in the **shared bitmap**, set (atomically, never
//!   cleared but by a reset) before the block is first written for the word,
//!   says whether to look past the primary cell.
//!
//! All are addressed by folding the application address modulo the
//! **window** `W = 2^(vma-3)` (eight chunks): the three application ranges
//! fold onto disjoint parts of a window (its chunks 0, 2-3 and 7), so
//! distinct words get distinct shadow, and only the images of the
//! application ranges are reserved. With `c` = one chunk:
//!
//! | region    | address of word `w`'s shadow     | base  | occupies chunks |
//! |-----------|----------------------------------|-------|-----------------|
//! | primary   | `base + fold(w)`                 | `48c` | 48, 50-51, 55 |
//! | secondary | `base + 3 fold(w)` (cell `k` at `+ 8 (k - 1)`) | `8c` | 8-10, 14-19, 29-31 |
//! | bitmap    | `base + fold(w) / 64` (bit `w/8 % 64`) | `32c` | part of 32 |
//! | meta      | `base + fold(w) / 2` (4 bytes)   | `36c` | 36, 37, 39 |
//! | runtime   | the thread-state pool            | `44c` | 44 |
//!
//! The **meta** plane is not shadow of accesses: it holds, for a word that
//! is (or holds) a synchronization object, the index of that object in the
//! sync table (`sync::table`), so finding it takes one load and no lock.
//!
//! The same layout, scaled, serves aarch64 with 39-, 42- and 48-bit user
//! address spaces: there too PIE images load at 2/3 of the space and mmap
//! grows down from the top.

/// Shadow cells per application word: one primary, three secondary.
pub const CELLS: usize = 4;

/// Bytes of a word's secondary block: its cells `1..CELLS`.
pub const SECONDARY_BLOCK: usize = 8 * (CELLS - 1);

/// Bitmap of the chunks that hold application memory.
const APP_CHUNKS: u64 = 1 | (1 << 42) | (1 << 43) | (1 << 63);
/// The first chunk of the primary plane's window.
const PRIMARY_CHUNK: usize = 48;
/// The first chunk of the secondary blocks' window (three windows long:
/// chunks 8 to 31).
const SECONDARY_CHUNK: usize = 8;
const BITMAP_CHUNK: usize = 32;
const META_CHUNK: usize = 36;
const RUNTIME_CHUNK: usize = 44;

/// A memory layout for a user address space of `2^vma_bits` bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    vma_bits: u32,
}

/// A half-open address range `[start, end)`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// First address.
    pub start: usize,
    /// One past the last address.
    pub end: usize,
}

impl Range {
    /// Number of bytes.
    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the range is empty.
    pub const fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// Whether the two ranges share a byte.
    pub const fn overlaps(&self, other: &Range) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `addr` is inside.
    pub const fn contains(&self, addr: usize) -> bool {
        self.start <= addr && addr < self.end
    }
}

/// The shadow regions to reserve: one set of ranges per kind of shadow.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Region {
    /// The primary cells.
    Primary,
    /// The secondary blocks.
    Secondary,
    /// The shared bitmap.
    Bitmap,
    /// The sync-object index of each word.
    Meta,
}

impl Region {
    /// Every region.
    pub const ALL: [Region; 4] = [
        Region::Primary,
        Region::Secondary,
        Region::Bitmap,
        Region::Meta,
    ];
}

impl Layout {
    /// Linux on x86-64 with 4-level page tables.
    pub const X86_64: Layout = Layout::for_vma(47);
    /// Linux on aarch64 with a 39-bit user address space (3-level, 4K pages).
    pub const AARCH64_39: Layout = Layout::for_vma(39);
    /// Linux on aarch64 with a 42-bit user address space (3-level, 64K pages).
    pub const AARCH64_42: Layout = Layout::for_vma(42);
    /// Linux on aarch64 with a 48-bit user address space (4-level).
    pub const AARCH64_48: Layout = Layout::for_vma(48);

    /// The layout for a `vma_bits`-bit user address space.
    ///
    /// # Panics
    /// If the space is too small to hold the layout or too large for `usize`.
    pub const fn for_vma(vma_bits: u32) -> Layout {
        assert!(vma_bits >= 36 && vma_bits <= 56);
        Layout { vma_bits }
    }

    /// Width of the user address space in bits.
    pub const fn vma_bits(&self) -> u32 {
        self.vma_bits
    }

    #[inline(always)]
    const fn chunk_shift(&self) -> u32 {
        self.vma_bits - 6
    }

    #[inline(always)]
    const fn chunk(&self, n: usize) -> usize {
        n << self.chunk_shift()
    }

    /// Folds an application address into its window and drops the byte
    /// offset inside its word.
    #[inline(always)]
    pub const fn fold(&self, addr: usize) -> usize {
        addr & (self.chunk(8) - 1) & !7
    }

    /// Whether `addr` is application memory.
    #[inline(always)]
    pub const fn is_app(&self, addr: usize) -> bool {
        let chunk = addr >> self.chunk_shift();
        chunk < 64 && (APP_CHUNKS >> chunk) & 1 != 0
    }

    /// Address of cell `k` of `addr`'s word (0: the primary cell, `1..CELLS`:
    /// the secondary ones, in its block). Meaningful only when `is_app(addr)`.
    #[inline(always)]
    pub const fn cell(&self, addr: usize, k: usize) -> usize {
        if k == 0 {
            self.primary(addr)
        } else {
            self.secondary(addr) + 8 * (k - 1)
        }
    }

    /// Address of the primary cell of `addr`'s word.
    #[inline(always)]
    pub const fn primary(&self, addr: usize) -> usize {
        self.chunk(PRIMARY_CHUNK) + self.fold(addr)
    }

    /// Address of the secondary block of `addr`'s word (its cell 1; cells 2
    /// and 3 follow).
    #[inline(always)]
    pub const fn secondary(&self, addr: usize) -> usize {
        self.chunk(SECONDARY_CHUNK) + (CELLS - 1) * self.fold(addr)
    }

    /// The primary cells of the application words in `app` (word-aligned,
    /// inside one application range): one run of shadow.
    pub const fn primary_cells(&self, app: Range) -> Range {
        Range {
            start: self.primary(app.start),
            end: self.primary(app.end - 8) + 8,
        }
    }

    /// The secondary blocks of the application words in `app` (word-aligned,
    /// inside one application range): one run of shadow.
    pub const fn secondary_cells(&self, app: Range) -> Range {
        Range {
            start: self.secondary(app.start),
            end: self.secondary(app.end - 8) + SECONDARY_BLOCK,
        }
    }

    /// Address of the bitmap word holding `addr`'s shared bit, and the bit.
    #[inline(always)]
    pub const fn shared_bit(&self, addr: usize) -> (usize, u64) {
        let fold = self.fold(addr);
        (
            self.chunk(BITMAP_CHUNK) + (fold >> 9 << 3),
            1 << ((fold >> 3) & 63),
        )
    }

    /// Address of the 4-byte meta cell of `addr`'s word.
    #[inline(always)]
    pub const fn meta(&self, addr: usize) -> usize {
        self.chunk(META_CHUNK) + self.fold(addr) / 2
    }

    /// The application ranges (chunks 42 and 43 merged).
    pub const fn app_ranges(&self) -> [Range; 3] {
        [
            Range {
                start: 0,
                end: self.chunk(1),
            },
            Range {
                start: self.chunk(42),
                end: self.chunk(44),
            },
            Range {
                start: self.chunk(63),
                end: self.chunk(64),
            },
        ]
    }

    /// The parts of `region` to reserve: the images of the app ranges.
    pub const fn shadow_ranges(&self, region: Region) -> [Range; 3] {
        let apps = self.app_ranges();
        let mut out = [Range { start: 0, end: 0 }; 3];
        let mut i = 0;
        while i < 3 {
            let first = apps[i].start;
            let last = apps[i].end - 8;
            out[i] = match region {
                Region::Primary => self.primary_cells(apps[i]),
                Region::Secondary => self.secondary_cells(apps[i]),
                Region::Bitmap => Range {
                    start: self.shared_bit(first).0,
                    end: self.shared_bit(last).0 + 8,
                },
                Region::Meta => Range {
                    start: self.meta(first),
                    end: self.meta(last) + 4,
                },
            };
            i += 1;
        }
        out
    }

    /// The chunks of the primary plane's window that hold no image of an
    /// application range. Reserved too (and never written), so that the
    /// primary cell of *any* address, folded into the window, is readable:
    /// the access hooks then look at it before asking whether the address is
    /// application memory (a non-application address can only alias a cell
    /// and be let through as a repeat, which it would be anyway: ignored).
    pub const fn primary_window_gaps(&self) -> [Range; 4] {
        let base = PRIMARY_CHUNK;
        // Window chunks 0, 2, 3 and 7 hold the images of chunks 0, 42-43
        // and 63 (see the module documentation).
        const GAPS: [usize; 4] = [1, 4, 5, 6];
        let mut out = [Range { start: 0, end: 0 }; 4];
        let mut i = 0;
        while i < 4 {
            out[i] = Range {
                start: self.chunk(base + GAPS[i]),
                end: self.chunk(base + GAPS[i] + 1),
            };
            i += 1;
        }
        out
    }

    /// The chunk reserved for the runtime's own fixed regions.
    pub const fn runtime_range(&self) -> Range {
        Range {
            start: self.chunk(RUNTIME_CHUNK),
            end: self.chunk(RUNTIME_CHUNK + 1),
        }
    }

    /// One past the highest user address.
    pub const fn vma_end(&self) -> usize {
        self.chunk(64)
    }

    /// The aarch64 layout matching an address known to be near the top of the
    /// user address space (the stack), or `None` for an unsupported width.
    pub const fn for_aarch64_stack_address(addr: usize) -> Option<Layout> {
        let bits = usize::BITS - addr.leading_zeros();
        match bits {
            39 => Some(Self::AARCH64_39),
            42 => Some(Self::AARCH64_42),
            48 => Some(Self::AARCH64_48),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_primary_window_is_its_images_and_its_gaps() {
        for l in [
            Layout::X86_64,
            Layout::AARCH64_39,
            Layout::AARCH64_42,
            Layout::AARCH64_48,
        ] {
            let mut parts: Vec<Range> = l.shadow_ranges(Region::Primary).to_vec();
            parts.extend(l.primary_window_gaps());
            parts.sort_by_key(|r| r.start);
            let window = Range {
                start: l.chunk(PRIMARY_CHUNK),
                end: l.chunk(PRIMARY_CHUNK + 8),
            };
            assert_eq!(parts[0].start, window.start);
            assert_eq!(parts.last().unwrap().end, window.end);
            for w in parts.windows(2) {
                assert_eq!(w[0].end, w[1].start, "{l:?}: {:?} then {:?}", w[0], w[1]);
            }
            // Any address, folded, lands in the window.
            for a in [
                0usize,
                8,
                1 << 40,
                0x7fff_ffff_fff8,
                usize::MAX,
                0x5555_5555_5558,
            ] {
                let p = l.primary(a);
                assert!(window.contains(p), "{l:?}: {a:#x} -> {p:#x}");
            }
        }
    }

    use super::*;

    const ALL: [Layout; 4] = [
        Layout::X86_64,
        Layout::AARCH64_39,
        Layout::AARCH64_42,
        Layout::AARCH64_48,
    ];

    fn all_shadow(l: &Layout) -> Vec<Range> {
        Region::ALL
            .iter()
            .flat_map(|&r| l.shadow_ranges(r))
            .collect()
    }

    #[test]
    fn app_memory_never_overlaps_shadow_or_runtime_regions() {
        for l in ALL {
            let shadow = all_shadow(&l);
            for app in l.app_ranges() {
                for s in &shadow {
                    assert!(
                        !app.overlaps(s),
                        "{l:?}: app {app:x?} overlaps shadow {s:x?}"
                    );
                    assert!(
                        !l.is_app(s.start) && !l.is_app(s.end - 1),
                        "{l:?}: shadow {s:x?} looks like app"
                    );
                }
                assert!(!app.overlaps(&l.runtime_range()));
            }
            for s in &shadow {
                assert!(!s.overlaps(&l.runtime_range()));
                assert!(
                    s.end <= l.vma_end(),
                    "{l:?}: shadow {s:x?} beyond the address space"
                );
            }
            assert!(!l.is_app(l.runtime_range().start));
        }
    }

    #[test]
    fn shadow_ranges_are_pairwise_disjoint() {
        for l in ALL {
            let shadow = all_shadow(&l);
            for (i, a) in shadow.iter().enumerate() {
                for b in &shadow[i + 1..] {
                    assert!(!a.overlaps(b), "{l:?}: {a:x?} overlaps {b:x?}");
                }
            }
        }
    }

    #[test]
    fn each_app_range_folds_without_wrapping() {
        for l in ALL {
            for app in l.app_ranges() {
                for k in 0..CELLS {
                    let first = l.cell(app.start, k);
                    let last = l.cell(app.end - 8, k);
                    let stride = if k == 0 { 1 } else { CELLS - 1 };
                    assert_eq!(
                        last - first,
                        stride * (app.len() - 8),
                        "{l:?}: {app:x?} wraps around cell {k}'s window"
                    );
                }
                // A range's cells are one run of shadow per region.
                let primary = l.primary_cells(app);
                assert_eq!(primary.start, l.cell(app.start, 0));
                assert_eq!(primary.end, l.cell(app.end - 8, 0) + 8);
                let secondary = l.secondary_cells(app);
                assert_eq!(secondary.start, l.cell(app.start, 1));
                assert_eq!(secondary.end, l.cell(app.end - 8, CELLS - 1) + 8);
            }
        }
    }

    fn sample_words(l: &Layout) -> Vec<usize> {
        let mut words = Vec::new();
        for app in l.app_ranges() {
            let step = app.len() / 997 & !7;
            let mut a = app.start;
            while a < app.end {
                words.push(a);
                a += step;
            }
            words.extend([app.start + 8, app.end - 8, app.end - 16]);
            // A run of neighbours, so that bitmap bits are checked too.
            words.extend((0..130).map(|i| app.start + 4096 + 8 * i));
        }
        words
    }

    /// Distinct words map to distinct cells and bits, and every cell is
    /// inside a reserved range: checked at the edges of every app range and
    /// at many addresses in between.
    #[test]
    fn distinct_words_get_distinct_reserved_shadow() {
        for l in ALL {
            let words = sample_words(&l);
            let mut cells = Vec::new();
            let mut bits = Vec::new();
            let mut metas = Vec::new();
            for &w in &words {
                assert!(l.is_app(w));
                for k in 0..CELLS {
                    let c = l.cell(w, k);
                    let region = if k == 0 {
                        Region::Primary
                    } else {
                        Region::Secondary
                    };
                    assert!(
                        l.shadow_ranges(region)
                            .iter()
                            .any(|r| r.contains(c) && r.contains(c + 7))
                    );
                    cells.push(c);
                    // Every byte of a word shares its shadow.
                    assert_eq!(l.cell(w + 5, k), c);
                }
                let m = l.meta(w);
                assert!(
                    l.shadow_ranges(Region::Meta)
                        .iter()
                        .any(|r| r.contains(m) && r.contains(m + 3))
                );
                assert_eq!(m % 4, 0);
                metas.push(m);
                let (b, bit) = l.shared_bit(w);
                assert!(
                    l.shadow_ranges(Region::Bitmap)
                        .iter()
                        .any(|r| r.contains(b) && r.contains(b + 7))
                );
                assert_eq!(bit.count_ones(), 1);
                assert_eq!(l.shared_bit(w + 3), (b, bit));
                bits.push((b, bit));
            }
            let distinct_words = {
                let mut w = words.clone();
                w.sort();
                w.dedup();
                w.len()
            };
            cells.sort();
            cells.dedup();
            assert_eq!(
                cells.len(),
                distinct_words * CELLS,
                "{l:?}: two words share a cell"
            );
            for pair in cells.windows(2) {
                assert!(pair[0] + 8 <= pair[1], "{l:?}: cells overlap");
            }
            bits.sort();
            bits.dedup();
            assert_eq!(
                bits.len(),
                distinct_words,
                "{l:?}: two words share a bitmap bit"
            );
        }
    }

    #[test]
    fn addresses_programs_really_use_are_app_memory_on_x86_64() {
        let l = Layout::X86_64;
        for a in [
            0x40_0000usize,   // non-PIE image
            0x0200_0000,      // brk heap after it
            0xc0_0000_0000,   // Go's heap
            0x5555_5555_4000, // PIE without ASLR
            0x55d0_1234_5000, // PIE with ASLR
            0x56ff_ffff_f000, // top of the PIE range
            0x7f12_3456_7000, // shared libraries, mmap
            0x7fff_ffff_e000, // main thread stack
            0x7e00_0000_0000, // deep mmap area
        ] {
            assert!(l.is_app(a), "{a:#x}");
        }
        for a in [
            0x1000_0000_0000usize,
            0x3000_0000_0000,
            0x8000_0000_0000,
            usize::MAX,
            0xffff_ffff_ff60_0000,
        ] {
            assert!(!l.is_app(a), "{a:#x}");
        }
    }

    #[test]
    fn addresses_programs_really_use_are_app_memory_on_aarch64() {
        // PIE base at 2/3 of the space, mmap and stack below the top.
        for (l, pie, top) in [
            (Layout::AARCH64_39, 0x55_5555_5000usize, 0x7f_ffff_f000usize),
            (Layout::AARCH64_42, 0x2aa_aaaa_a000, 0x3ff_ffff_f000),
            (Layout::AARCH64_48, 0xaaaa_aaaa_a000, 0xffff_ffff_f000),
        ] {
            assert!(l.is_app(0x40_0000), "{l:?}");
            assert!(l.is_app(pie), "{l:?} {pie:#x}");
            assert!(l.is_app(top), "{l:?} {top:#x}");
            assert!(!l.is_app(l.vma_end()), "{l:?}");
            assert_eq!(Layout::for_aarch64_stack_address(top), Some(l));
        }
        assert!(Layout::AARCH64_48.is_app(0xc0_0000_0000), "Go's heap");
        assert_eq!(Layout::for_aarch64_stack_address(0x7fff_ffff_e000), None);
    }

    #[test]
    fn x86_64_constants_are_the_documented_ones() {
        let l = Layout::X86_64;
        assert_eq!(l.primary(0), 0x6000_0000_0000);
        assert_eq!(l.cell(0, 1), 0x1000_0000_0000);
        assert_eq!(l.cell(0, 3), 0x1000_0000_0010);
        assert_eq!(l.cell(0x40, 1), 0x1000_0000_00c0);
        assert_eq!(
            l.cell(0x7fff_ffff_fff8, 3),
            0x1000_0000_0000 + 3 * 0xfff_ffff_fff8 + 16
        );
        assert_eq!(l.shared_bit(0), (0x4000_0000_0000, 1));
        assert_eq!(l.runtime_range().start, 0x5800_0000_0000);
        assert_eq!(
            l.app_ranges()[1],
            Range {
                start: 0x5400_0000_0000,
                end: 0x5800_0000_0000
            }
        );
        assert_eq!(l.primary(0x7fff_ffff_fff8), 0x6fff_ffff_fff8);
    }
}
