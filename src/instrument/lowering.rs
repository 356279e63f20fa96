//! Replacing atomic instructions, fences and memory intrinsics by the hook calls that perform
//! them (`__tsan_atomicN_*`, `__tsan_atomic_*_fence`, `__tsan_memcpy/memmove/memset`).
//!
//! Every function returns either the replacement lines or, when the instruction is outside
//! what the ABI covers, the name of the counter explaining why it was left untouched.

use super::analysis::loops::int_literal;
use super::hooks::Emitter;
use super::instructions::{Arg, Atomic, Inst, Op, Ordering, Value};
use super::module::Module;
use super::types::Type;

/// Outcome of lowering one instruction.
pub enum Lowered {
    /// Replace the instruction by these lines.
    Replace(Vec<String>),
    /// Keep the instruction and put these lines before it.
    Before(Vec<String>),
    /// Keep the instruction; nothing to add (the counter says why).
    Keep(&'static str),
}

/// Width in bits of the atomic hooks that fit a value of `ty`, if any.
fn atomic_bits(m: &Module<'_>, ty: &Type) -> Option<u64> {
    let size = m.layout.store_size(ty)?;
    matches!(size, 1 | 2 | 4 | 8 | 16).then_some(size * 8)
}

/// Whether the value type can travel through an integer of the hook's width.
fn int_carried(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Int(_) | Type::Ptr(_) | Type::TypedPtr(..) | Type::Float(_) | Type::Vector { .. }
    )
}

/// The ABI name of an `atomicrmw` operation, for the operations the ABI has.
fn rmw_name(op: &str) -> Option<&'static str> {
    Some(match op {
        "xchg" => "exchange",
        "add" => "fetch_add",
        "sub" => "fetch_sub",
        "and" => "fetch_and",
        "or" => "fetch_or",
        "xor" => "fetch_xor",
        "nand" => "fetch_nand",
        _ => return None,
    })
}

fn mo(o: Ordering) -> (String, String) {
    ("i32".to_string(), o.abi_code().to_string())
}

/// Lowers an atomic load/store, `atomicrmw`, `cmpxchg` or `fence`. Returns `None` for any
/// other instruction (and for `syncscope("singlethread")` loads and stores, which are plain
/// accesses to the ABI).
pub fn lower_atomic(em: &mut Emitter, m: &Module<'_>, inst: &Inst) -> Option<Lowered> {
    let dbg = inst.dbg.as_deref();
    let mut out = Vec::new();
    match &inst.op {
        Op::Fence(Atomic {
            ordering,
            single_thread,
        }) => {
            let name = if *single_thread {
                "__tsan_atomic_signal_fence"
            } else {
                "__tsan_atomic_thread_fence"
            };
            em.call(&mut out, None, "void", name, &[mo(*ordering)], dbg);
            em.stats.bump(if *single_thread {
                "atomic.signal_fence"
            } else {
                "atomic.thread_fence"
            });
            Some(Lowered::Replace(out))
        }
        Op::Load {
            ty,
            ty_text,
            ptr,
            atomic: Some(a),
            ..
        } if !a.single_thread => Some(atomic_load(em, m, inst, ty, ty_text, ptr, a.ordering)),
        Op::Store {
            val,
            ptr,
            atomic: Some(a),
            ..
        } if !a.single_thread => {
            if ptr.ty.addrspace() != 0 {
                return Some(Lowered::Keep("untouched.atomic_addrspace"));
            }
            let Some(bits) = atomic_bits(m, &val.ty).filter(|_| int_carried(&val.ty)) else {
                return Some(Lowered::Keep("untouched.atomic_type"));
            };
            let p = em.cast_ptr(ptr, &em.int_ptr_ty(bits), &mut out);
            let v = em.int_of(val, bits, &mut out)?;
            let name = format!("__tsan_atomic{bits}_store");
            let args = [
                (em.int_ptr_ty(bits), p),
                (format!("i{bits}"), v),
                mo(a.ordering),
            ];
            em.call(&mut out, None, "void", &name, &args, dbg);
            em.stats.bump("atomic.store");
            Some(Lowered::Replace(out))
        }
        Op::AtomicRmw {
            op,
            ptr,
            val,
            atomic,
            ..
        } => {
            let Some(fname) = rmw_name(op) else {
                return Some(Lowered::Keep("untouched.atomicrmw_op"));
            };
            if ptr.ty.addrspace() != 0 {
                return Some(Lowered::Keep("untouched.atomic_addrspace"));
            }
            let arith_ok = op == "xchg" || matches!(val.ty, Type::Int(_));
            let Some(bits) = atomic_bits(m, &val.ty).filter(|_| int_carried(&val.ty) && arith_ok)
            else {
                return Some(Lowered::Keep("untouched.atomic_type"));
            };
            let p = em.cast_ptr(ptr, &em.int_ptr_ty(bits), &mut out);
            let v = em.int_of(val, bits, &mut out)?;
            let name = format!("__tsan_atomic{bits}_{fname}");
            let args = [
                (em.int_ptr_ty(bits), p),
                (format!("i{bits}"), v),
                mo(atomic.ordering),
            ];
            let same = val.ty == Type::Int(u32::try_from(bits).unwrap_or(0));
            let result = inst.result.clone().unwrap_or_else(|| em.fresh());
            let tmp = if same { result.clone() } else { em.fresh() };
            em.call(&mut out, Some(&tmp), &format!("i{bits}"), &name, &args, dbg);
            if !same {
                em.int_to(&tmp, bits, &val.ty, &val.ty_text, &result, &mut out);
            }
            em.stats.bump("atomic.rmw");
            Some(Lowered::Replace(out))
        }
        Op::CmpXchg {
            ptr,
            cmp,
            new,
            success,
            failure,
            ..
        } => Some(cmpxchg(em, m, inst, ptr, cmp, new, *success, *failure)),
        _ => None,
    }
}

fn atomic_load(
    em: &mut Emitter,
    m: &Module<'_>,
    inst: &Inst,
    ty: &Type,
    ty_text: &str,
    ptr: &Value,
    ordering: Ordering,
) -> Lowered {
    let mut out = Vec::new();
    if ptr.ty.addrspace() != 0 {
        return Lowered::Keep("untouched.atomic_addrspace");
    }
    let Some(bits) = atomic_bits(m, ty).filter(|_| int_carried(ty)) else {
        return Lowered::Keep("untouched.atomic_type");
    };
    let p = em.cast_ptr(ptr, &em.int_ptr_ty(bits), &mut out);
    let name = format!("__tsan_atomic{bits}_load");
    let args = [(em.int_ptr_ty(bits), p), mo(ordering)];
    let same = *ty == Type::Int(u32::try_from(bits).unwrap_or(0));
    let result = inst.result.clone().unwrap_or_else(|| em.fresh());
    let tmp = if same { result.clone() } else { em.fresh() };
    em.call(
        &mut out,
        Some(&tmp),
        &format!("i{bits}"),
        &name,
        &args,
        inst.dbg.as_deref(),
    );
    if !same {
        em.int_to(&tmp, bits, ty, ty_text, &result, &mut out);
    }
    em.stats.bump("atomic.load");
    Lowered::Replace(out)
}

#[allow(clippy::too_many_arguments)]
fn cmpxchg(
    em: &mut Emitter,
    m: &Module<'_>,
    inst: &Inst,
    ptr: &Value,
    cmp: &Value,
    new: &Value,
    success: Ordering,
    failure: Ordering,
) -> Lowered {
    let mut out = Vec::new();
    if ptr.ty.addrspace() != 0 {
        return Lowered::Keep("untouched.atomic_addrspace");
    }
    let Some(bits) = atomic_bits(m, &cmp.ty).filter(|_| int_carried(&cmp.ty)) else {
        return Lowered::Keep("untouched.atomic_type");
    };
    let ity = format!("i{bits}");
    let p = em.cast_ptr(ptr, &em.int_ptr_ty(bits), &mut out);
    let (Some(c), Some(n)) = (
        em.int_of(cmp, bits, &mut out),
        em.int_of(new, bits, &mut out),
    ) else {
        return Lowered::Keep("untouched.atomic_type");
    };
    let old = em.fresh();
    let args = [
        (em.int_ptr_ty(bits), p),
        (ity.clone(), c.clone()),
        (ity.clone(), n),
        mo(success),
        mo(failure),
    ];
    let name = format!("__tsan_atomic{bits}_compare_exchange_val");
    em.call(
        &mut out,
        Some(&old),
        &ity,
        &name,
        &args,
        inst.dbg.as_deref(),
    );
    if let Some(result) = &inst.result {
        // Rebuild `{ T, i1 }`: the old value and whether it equalled the expected one.
        let ok = em.fresh();
        out.push(format!("  {ok} = icmp eq {ity} {old}, {c}"));
        let old_t = if cmp.ty == Type::Int(u32::try_from(bits).unwrap_or(0)) {
            old.clone()
        } else {
            let t = em.fresh();
            em.int_to(&old, bits, &cmp.ty, &cmp.ty_text, &t, &mut out);
            t
        };
        let sty = format!("{{ {}, i1 }}", cmp.ty_text);
        let partial = em.fresh();
        out.push(format!(
            "  {partial} = insertvalue {sty} undef, {} {old_t}, 0",
            cmp.ty_text
        ));
        out.push(format!(
            "  {result} = insertvalue {sty} {partial}, i1 {ok}, 1"
        ));
    }
    em.stats.bump("atomic.cmpxchg");
    Lowered::Replace(out)
}

/// Which memory intrinsic a callee is, if it is a plain one.
pub fn mem_intrinsic_kind(callee: &str) -> Option<&'static str> {
    if callee.starts_with("@llvm.memcpy.p") {
        Some("memcpy")
    } else if callee.starts_with("@llvm.memmove.p") {
        Some("memmove")
    } else if callee.starts_with("@llvm.memset.p") {
        Some("memset")
    } else {
        None
    }
}

/// The length operand as an `i64` value text.
fn len64(em: &mut Emitter, len: &Arg, out: &mut Vec<String>) -> String {
    if len.ty == Type::Int(64) {
        return len.value.clone();
    }
    if let Some(v) = int_literal(&len.value) {
        return v.to_string();
    }
    let name = em.fresh();
    out.push(format!(
        "  {name} = zext {} {} to i64",
        len.ty_text, len.value
    ));
    name
}

fn arg_value(a: &Arg) -> Value {
    Value {
        ty: a.ty.clone(),
        ty_text: a.ty_text.clone(),
        text: a.value.clone(),
    }
}

/// Lowers a call to `llvm.memcpy`/`memmove`/`memset`. `dst_checked`/`src_checked` say whether
/// the destination and source need checks (a private stack slot or constant source does not):
/// both → the `__tsan_mem*` hook replaces the call; one → the intrinsic stays and a range
/// check of that operand goes before it; none → the intrinsic stays unchecked.
pub fn lower_mem(
    em: &mut Emitter,
    kind: &str,
    args: &[Arg],
    dbg: Option<&str>,
    dst_checked: bool,
    src_checked: bool,
) -> Lowered {
    let mut out = Vec::new();
    if args.len() != 4 || args[0].ty.addrspace() != 0 {
        return Lowered::Keep("untouched.mem_intrinsic");
    }
    let is_set = kind == "memset";
    if !is_set && args[1].ty.addrspace() != 0 {
        return Lowered::Keep("untouched.mem_intrinsic");
    }
    let src_checked = src_checked && !is_set;
    if !dst_checked && !src_checked {
        em.stats.bump("skip.mem_private");
        return Lowered::Keep("");
    }
    let n = len64(em, &args[2], &mut out);
    let pty = em.byte_ptr_ty().to_string();
    if dst_checked && (src_checked || is_set) {
        let d = em.byte_ptr(&arg_value(&args[0]), &mut out);
        let second = if is_set {
            let v = match int_literal(&args[1].value) {
                Some(v) => (v & 0xff).to_string(),
                None => {
                    let name = em.fresh();
                    out.push(format!(
                        "  {name} = zext {} {} to i32",
                        args[1].ty_text, args[1].value
                    ));
                    name
                }
            };
            ("i32".to_string(), v)
        } else {
            (pty.clone(), em.byte_ptr(&arg_value(&args[1]), &mut out))
        };
        let res = em.fresh();
        let name = format!("__tsan_{kind}");
        em.call(
            &mut out,
            Some(&res),
            &pty,
            &name,
            &[(pty.clone(), d), second, ("i64".to_string(), n)],
            dbg,
        );
        em.stats.bump(match kind {
            "memcpy" => "mem.memcpy",
            "memmove" => "mem.memmove",
            _ => "mem.memset",
        });
        return Lowered::Replace(out);
    }
    // Exactly one side needs a check.
    let (write, which) = if dst_checked { (true, 0) } else { (false, 1) };
    let p = em.byte_ptr(&arg_value(&args[which]), &mut out);
    em.range_check(&mut out, write, &p, &n, dbg);
    em.stats.bump("mem.one_side_range");
    Lowered::Before(out)
}

#[cfg(test)]
mod tests {
    use super::super::instructions::parse_inst;
    use super::super::module::parse;
    use super::*;

    fn lower(src_inst: &str, opaque: bool) -> Vec<String> {
        let m = parse("").expect("parses");
        let mut em = Emitter::new(opaque, "h.");
        let inst = parse_inst(src_inst).expect("parses");
        match lower_atomic(&mut em, &m, &inst) {
            Some(Lowered::Replace(l)) => l,
            _ => panic!("not lowered: {src_inst}"),
        }
    }

    #[test]
    fn atomics() {
        assert_eq!(
            lower(
                "%1 = atomicrmw add ptr @ag, i32 1 seq_cst, align 4, !dbg !9",
                true
            ),
            vec!["  %1 = call i32 @__tsan_atomic32_fetch_add(ptr @ag, i32 1, i32 5), !dbg !9"]
        );
        assert_eq!(
            lower("fence syncscope(\"singlethread\") release", true),
            vec!["  call void @__tsan_atomic_signal_fence(i32 3)"]
        );
        assert_eq!(
            lower("%4 = load atomic ptr, ptr @p acquire, align 8", true),
            vec![
                "  %h.1 = call i64 @__tsan_atomic64_load(ptr @p, i32 2)",
                "  %4 = inttoptr i64 %h.1 to ptr"
            ]
        );
        assert_eq!(
            lower("store atomic float %f, float* @x release, align 4", false),
            vec![
                "  %h.1 = bitcast float* @x to i32*",
                "  %h.2 = bitcast float %f to i32",
                "  call void @__tsan_atomic32_store(i32* %h.1, i32 %h.2, i32 3)"
            ]
        );
        let cx = lower(
            "%2 = cmpxchg ptr @ag, i32 0, i32 2 seq_cst monotonic, align 4",
            true,
        );
        assert_eq!(
            cx,
            vec![
                "  %h.1 = call i32 @__tsan_atomic32_compare_exchange_val(ptr @ag, i32 0, i32 2, i32 5, i32 0)",
                "  %h.2 = icmp eq i32 %h.1, 0",
                "  %h.3 = insertvalue { i32, i1 } undef, i32 %h.1, 0",
                "  %2 = insertvalue { i32, i1 } %h.3, i1 %h.2, 1"
            ]
        );
        let m = parse("").expect("parses");
        let mut em = Emitter::new(true, "h.");
        let inst = parse_inst("%1 = atomicrmw fadd ptr @f, float 1.0 seq_cst").expect("parses");
        assert!(matches!(
            lower_atomic(&mut em, &m, &inst),
            Some(Lowered::Keep("untouched.atomicrmw_op"))
        ));
    }

    #[test]
    fn memory_intrinsics() {
        let inst =
            parse_inst("call void @llvm.memset.p0i8.i32(i8* align 1 %0, i8 -1, i32 %n, i1 false)")
                .expect("parses");
        let Op::Call { args, .. } = &inst.op else {
            panic!()
        };
        let mut em = Emitter::new(false, "h.");
        let Lowered::Replace(l) = lower_mem(&mut em, "memset", args, None, true, true) else {
            panic!()
        };
        assert_eq!(
            l,
            vec![
                "  %h.1 = zext i32 %n to i64",
                "  %h.2 = call i8* @__tsan_memset(i8* %0, i32 255, i64 %h.1)"
            ]
        );
        let inst = parse_inst(
            "call void @llvm.memcpy.p0.p0.i64(ptr align 4 %d, ptr align 4 %s, i64 40, i1 false)",
        )
        .expect("parses");
        let Op::Call { args, .. } = &inst.op else {
            panic!()
        };
        let mut em = Emitter::new(true, "h.");
        let Lowered::Before(l) = lower_mem(&mut em, "memcpy", args, None, false, true) else {
            panic!()
        };
        assert_eq!(l, vec!["  call void @__tsan_read_range(ptr %s, i64 40)"]);
        assert!(matches!(
            lower_mem(&mut em, "memcpy", args, None, false, false),
            Lowered::Keep(_)
        ));
    }
}
