//! x86-64: the access hooks of the compiler ABI (`__tsan_read8` and kin, 1
//! to 8 bytes) written by hand, so that the common case, an access already
//! recorded in this epoch, is 13 instructions without a stack frame or a
//! jump through a trampoline:
//!
//! ```text
//! mov  rax, [rip + hbsan_tls_current@GOTTPOFF]   ; the thread's state
//! mov  rax, fs:[rax]                             ; (no state: a stand-in, below)
//! test dil, 7; jnz slow                           ; (8 bytes: misaligned)
//! movabs rdx, FOLD; and rdx, rdi                  ; the primary cell …
//! movabs r8, PRIMARY; mov rdx, [rdx + r8]         ; … whatever the address
//! xor  rdx, [rax + fast_stamp]                    ; differences from the
//! xor  rdx, KIND | BYTES                          ;   access's cell
//! test rdx, M; jnz slow                           ; `covers`
//! ret
//! miss: … jmp slow_word                           ; the slow path, with
//!                                                 ;   the cell, the primary
//!                                                 ;   cell and the pc
//! ```
//!
//! For 8-byte accesses the two `xor`s are one, with the cell of a whole-word
//! read or write (`fast_stamp | KIND | 0xff`) kept in the thread's state.
//!
//! It decides exactly as the Rust hook's first test does (`check::covers`
//! on the primary cell, see `check::access_word`): `M` keeps every bit but
//! the byte mask (and READ for a read), plus the access's bytes. A miss
//! goes straight to the slow path (`check::slow_word`); anything else (no
//! thread state, an access spanning words, counting hooks) to the Rust hook,
//! which checks again from the start.
//! `fast_stamp` is the thread's stamp, or 0 while hooks are counted
//! (`stats=1`): epoch 0 is no access's, so nothing matches and every
//! access is counted by the Rust hook. A thread without a state finds a
//! stand-in with the same fields in its TLS slot (`thread::current`), so
//! its accesses go to the Rust hook too, which attaches it: no test for a
//! null state on the fast path.

use core::mem::offset_of;

use crate::shadow::cell::{AccessKind, Cell, MASK, READ};
use crate::shadow::layout::Layout;
use crate::thread::ThreadState;

/// `fold(addr)`'s mask (the window of eight chunks, whole words).
pub(super) const FOLD: u64 = Layout::X86_64.fold(usize::MAX) as u64;
/// The primary cell of the folded address 0.
pub(super) const PRIMARY: u64 = Layout::X86_64.primary(0) as u64;
pub(super) const FAST_STAMP: usize = offset_of!(ThreadState, fast_stamp);

/// Where the thread's state keeps the cell of a whole-word access of
/// `kind` (a plain read or write): `fast_stamp | kind | 0xff`.
pub(super) const fn word_cell_offset(kind: AccessKind) -> usize {
    offset_of!(ThreadState, fast_word_cells) + if kind.is_read() { 0 } else { 8 }
}

/// The mask `M` of `covers` for an access of `kind` with byte mask `bytes`.
pub(super) const fn covers_mask(kind: AccessKind, bytes: u64) -> u64 {
    let loose = if kind.is_read() { READ } else { 0 };
    !(MASK | loose) | bytes
}

/// After a miss: the slow path of the access check, straight from the
/// registers the fast path filled (`thr` from the thread's TLS slot, the
/// access's cell, the primary cell it loaded).
///
/// # Safety
/// Called by the fast paths only, with the calling thread's own state.
pub(super) unsafe extern "C" fn slow_word(
    thr: *mut ThreadState,
    addr: usize,
    size: usize,
    cur: u64,
    pc: usize,
    primary: u64,
) {
    // SAFETY: `thr` was read from the calling thread's TLS slot and is a
    // real state: the stand-in of a thread without one has `fast_stamp` 0,
    // which the fast path sends to the Rust hook instead; the slot holds
    // the thread's own state, which no other thread touches (see
    // `thread::current`).
    let thr = unsafe { &mut *thr };
    crate::shadow::check::slow_word_after_fast_path(
        thr,
        addr,
        size,
        Cell::from_raw(cur),
        pc as u64,
        primary,
    );
}

/// `fast_hook!(NAME, IMPL, SIZE, KIND)`: the exported hook `NAME` for a
/// `SIZE`-byte access (1, 2, 4 or 8) of `KIND`. Falls back to `IMPL(addr,
/// pc)` (the whole Rust hook) when the thread has no state, the access
/// spans two words, or hooks are counted; to [`slow_word`] when the
/// primary cell does not cover the access.
macro_rules! fast_hook {
    ($name:ident, $imp:path, 8, $kind:expr) => {
        core::arch::global_asm!(
            concat!(".pushsection .text.", stringify!($name), ",\"ax\",@progbits"),
            concat!(".globl ", stringify!($name)),
            concat!(".type ", stringify!($name), ",@function"),
            ".p2align 4",
            concat!(stringify!($name), ":"),
            "mov rax, qword ptr [rip + hbsan_tls_current@GOTTPOFF]",
            "mov rax, qword ptr fs:[rax]",
            "test dil, 7",
            concat!("jnz .L", stringify!($name), "_slow"),
            "movabs rdx, {fold}",
            "and rdx, rdi",
            "movabs r8, {primary}",
            "mov r9, qword ptr [rdx + r8]",
            "mov rdx, qword ptr [rax + {word_cell}]",
            "xor rdx, r9",
            "test rdx, {m}",
            concat!("jnz .L", stringify!($name), "_miss"),
            "ret",
            concat!(".L", stringify!($name), "_miss:"),
            "mov rcx, qword ptr [rax + {fast_stamp}]",
            "test rcx, rcx",
            concat!("jz .L", stringify!($name), "_slow"),
            "or rcx, {cur}",
            "mov rsi, rdi",
            "mov rdi, rax",
            "mov edx, 8",
            "mov r8, qword ptr [rsp]",
            "jmp {slow_word}",
            concat!(".L", stringify!($name), "_slow:"),
            "mov rsi, qword ptr [rsp]",
            "jmp {imp}",
            concat!(".size ", stringify!($name), ", .-", stringify!($name)),
            ".popsection",
            fold = const $crate::abi::fast::FOLD,
            primary = const $crate::abi::fast::PRIMARY,
            fast_stamp = const $crate::abi::fast::FAST_STAMP,
            word_cell = const $crate::abi::fast::word_cell_offset($kind),
            cur = const ($kind.bits() | 0xff) as i32,
            m = const $crate::abi::fast::covers_mask($kind, 0xff) as i32,
            imp = sym $imp,
            slow_word = sym $crate::abi::fast::slow_word,
        );
    };
    ($name:ident, $imp:path, $size:literal, $kind:expr) => {
        core::arch::global_asm!(
            concat!(".pushsection .text.", stringify!($name), ",\"ax\",@progbits"),
            concat!(".globl ", stringify!($name)),
            concat!(".type ", stringify!($name), ",@function"),
            ".p2align 4",
            concat!(stringify!($name), ":"),
            "mov rax, qword ptr [rip + hbsan_tls_current@GOTTPOFF]",
            "mov rax, qword ptr fs:[rax]",
            "mov ecx, edi",
            "and ecx, 7",
            "cmp ecx, {max_offset}",
            concat!("ja .L", stringify!($name), "_slow"),
            // The access's bytes: `(1 << SIZE) - 1` shifted by the offset.
            "mov r10d, {low}",
            "shl r10d, cl",
            "movabs rdx, {fold}",
            "and rdx, rdi",
            "movabs r8, {primary}",
            "mov r9, qword ptr [rdx + r8]",
            "mov rdx, qword ptr [rax + {fast_stamp}]",
            "xor rdx, r9",
            "xor rdx, r10",
            "xor rdx, {kind}",
            "mov r8, r10",
            "or r8, {m}",
            "test rdx, r8",
            concat!("jnz .L", stringify!($name), "_miss"),
            "ret",
            concat!(".L", stringify!($name), "_miss:"),
            "mov rcx, qword ptr [rax + {fast_stamp}]",
            "test rcx, rcx",
            concat!("jz .L", stringify!($name), "_slow"),
            "or rcx, r10",
            "or rcx, {kind}",
            "mov rsi, rdi",
            "mov rdi, rax",
            "mov edx, {size}",
            "mov r8, qword ptr [rsp]",
            "jmp {slow_word}",
            concat!(".L", stringify!($name), "_slow:"),
            "mov rsi, qword ptr [rsp]",
            "jmp {imp}",
            concat!(".size ", stringify!($name), ", .-", stringify!($name)),
            ".popsection",
            max_offset = const 8 - $size,
            size = const $size,
            fold = const $crate::abi::fast::FOLD,
            primary = const $crate::abi::fast::PRIMARY,
            fast_stamp = const $crate::abi::fast::FAST_STAMP,
            low = const (1u32 << $size) - 1,
            kind = const $kind.bits() as i32,
            m = const $crate::abi::fast::covers_mask($kind, 0) as i32,
            imp = sym $imp,
            slow_word = sym $crate::abi::fast::slow_word,
        );
    };
}

pub(crate) use fast_hook;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_are_the_layouts() {
        let l = Layout::X86_64;
        for a in [0usize, 8, 0x5555_5555_5550, 0x7fff_ffff_fff8, 0x1234_5678] {
            assert_eq!(PRIMARY as usize + (a & FOLD as usize), l.primary(a));
        }
        // Sign-extended 32-bit immediates.
        assert_eq!(
            covers_mask(AccessKind::READ, 0xff) as i32 as i64 as u64,
            covers_mask(AccessKind::READ, 0xff)
        );
        assert_eq!(
            covers_mask(AccessKind::WRITE, 0) as i32 as i64 as u64,
            covers_mask(AccessKind::WRITE, 0)
        );
    }
}
