//! x86-64: the access hooks of the compiler ABI (`__tsan_read8` and kin, 1
//! to 8 bytes) written by hand, so that the common case, an access already
//! recorded in this epoch, is 12 instructions without a stack frame or a
//! jump through a trampoline:
//!
//! ```text
//! mov  rax, [rip + hbsan_tls_fast@GOTTPOFF]      ; the thread's fast fields
//! test dil, 7; jnz slow                           ; (8 bytes: misaligned)
//! movabs rdx, FOLD; and rdx, rdi                  ; the primary cell …
//! movabs r8, PRIMARY; mov rdx, [rdx + r8]         ; … whatever the address
//! xor  rdx, fs:[rax]                              ; differences from the
//! xor  rdx, KIND | BYTES                          ;   access's cell
//! test rdx, M; jnz slow                           ; `covers`
//! ret
//! miss: … jmp slow_word                           ; the slow path, with
//!                                                 ;   the state, the cell,
//!                                                 ;   the primary cell, the pc
//! ```
//!
//! For 8-byte accesses the two `xor`s are one, with the cell of a whole-word
//! read or write (`fast_stamp | KIND | 0xff`) kept next to the stamp.
//!
//! The fields read are a thread-local copy of the current state's
//! (`hbsan_tls_fast`, kept by `thread::current`): no load of the state
//! pointer before them. It decides exactly as the Rust hook's first test
//! does (`check::covers` on the primary cell, see `check::access_word`):
//! `M` keeps every bit but the byte mask (and READ for a read), plus the
//! access's bytes. A miss goes straight to the slow path
//! (`check::slow_word`, with the state pointer loaded then); anything else
//! (no thread state, an access spanning words, counting hooks) to the Rust
//! hook, which checks again from the start.
//! `fast_stamp` is the thread's stamp, or 0 while hooks are counted
//! (`stats=1`) and for a thread without a state: epoch 0 is no access's,
//! so nothing matches and every such access goes to the Rust hook (which
//! counts it, or attaches the thread).

use crate::shadow::cell::{AccessKind, Cell, MASK, READ};
use crate::shadow::layout::Layout;
use crate::thread::ThreadState;

/// `fold(addr)`'s mask (the window of eight chunks, whole words).
pub(super) const FOLD: u64 = Layout::X86_64.fold(usize::MAX) as u64;
/// The primary cell of the folded address 0.
pub(super) const PRIMARY: u64 = Layout::X86_64.primary(0) as u64;

/// Where the thread-local copy of the fast fields (`hbsan_tls_fast`, see
/// `thread::current`: the stamp at 0, then the whole-word cells) keeps the
/// cell of a whole-word access of `kind` (a plain read or write):
/// `fast_stamp | kind | 0xff`.
pub(super) const fn word_cell_offset(kind: AccessKind) -> usize {
    if kind.is_read() { 8 } else { 16 }
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
    // SAFETY: `thr` was read from the calling thread's TLS slot after the
    // fast fields showed a stamp other than 0, which only a current state
    // has (without one the fields are `NO_STATE_FAST`, stamp 0, which the
    // fast path sends to the Rust hook instead); the slot holds the
    // thread's own state, which no other thread touches (see
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
            "mov rax, qword ptr [rip + hbsan_tls_fast@GOTTPOFF]",
            "test dil, 7",
            concat!("jnz .L", stringify!($name), "_slow"),
            "movabs rdx, {fold}",
            "and rdx, rdi",
            "movabs r8, {primary}",
            "mov r9, qword ptr [rdx + r8]",
            "mov rdx, qword ptr fs:[rax + {word_cell}]",
            "xor rdx, r9",
            "test rdx, {m}",
            concat!("jnz .L", stringify!($name), "_miss"),
            "ret",
            concat!(".L", stringify!($name), "_miss:"),
            "mov rcx, qword ptr fs:[rax]",
            "test rcx, rcx",
            concat!("jz .L", stringify!($name), "_slow"),
            "or rcx, {cur}",
            "mov rsi, rdi",
            "mov rdi, qword ptr [rip + hbsan_tls_current@GOTTPOFF]",
            "mov rdi, qword ptr fs:[rdi]",
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
            "mov rax, qword ptr [rip + hbsan_tls_fast@GOTTPOFF]",
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
            "mov rdx, qword ptr fs:[rax]",
            "xor rdx, r9",
            "xor rdx, r10",
            "xor rdx, {kind}",
            "mov r8, r10",
            "or r8, {m}",
            "test rdx, r8",
            concat!("jnz .L", stringify!($name), "_miss"),
            "ret",
            concat!(".L", stringify!($name), "_miss:"),
            "mov rcx, qword ptr fs:[rax]",
            "test rcx, rcx",
            concat!("jz .L", stringify!($name), "_slow"),
            "or rcx, r10",
            "or rcx, {kind}",
            "mov rsi, rdi",
            "mov rdi, qword ptr [rip + hbsan_tls_current@GOTTPOFF]",
            "mov rdi, qword ptr fs:[rdi]",
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
