//! Analyses that decide which accesses need a check: escape of stack slots, underlying
//! objects, redundancy inside a basic block, and loops whose accesses collapse into ranges.

pub mod accesses;
pub mod affine;
pub mod cfg;
pub mod escape;
pub mod loops;
pub mod objects;
pub mod redundant;

use super::instructions::{Inst, Op};

/// Intrinsics that neither synchronize nor run user code (so they do not end an access
/// segment and may appear in a loop whose accesses are hoisted).
pub fn harmless_intrinsic(callee: &str) -> bool {
    const PREFIXES: [&str; 27] = [
        "@llvm.dbg.",
        "@llvm.lifetime.",
        "@llvm.assume",
        "@llvm.expect",
        "@llvm.experimental.noalias.scope.decl",
        "@llvm.invariant.",
        "@llvm.smax.",
        "@llvm.smin.",
        "@llvm.umax.",
        "@llvm.umin.",
        "@llvm.abs.",
        "@llvm.fabs.",
        "@llvm.fma.",
        "@llvm.fmuladd.",
        "@llvm.sqrt.",
        "@llvm.minnum.",
        "@llvm.maxnum.",
        "@llvm.copysign.",
        "@llvm.ctpop.",
        "@llvm.ctlz.",
        "@llvm.cttz.",
        "@llvm.bswap.",
        "@llvm.bitreverse.",
        "@llvm.fshl.",
        "@llvm.fshr.",
        "@llvm.vector.reduce.",
        "@llvm.prefetch",
    ];
    PREFIXES.iter().any(|p| callee.starts_with(p))
        || (callee.starts_with("@llvm.") && callee.contains(".with.overflow."))
}

/// Whether an instruction may synchronize with another thread or run code we cannot see:
/// calls (other than harmless intrinsics and the plain memory intrinsics, which neither
/// synchronize nor call back), invokes, atomics and fences. Accesses on either side of such an
/// instruction may be ordered differently against other threads, so no check may stand in for
/// another across it.
pub fn is_boundary(inst: &Inst) -> bool {
    match &inst.op {
        Op::Call { kind, callee, .. } => {
            *kind != "call"
                || !(harmless_intrinsic(callee) || escape::is_plain_mem_intrinsic(callee))
        }
        Op::Load { atomic, .. } | Op::Store { atomic, .. } => atomic.is_some(),
        Op::AtomicRmw { .. } | Op::CmpXchg { .. } | Op::Fence(_) => true,
        Op::Other(op) => matches!(op.as_str(), "call" | "invoke" | "callbr" | "va_arg"),
        _ => false,
    }
}
