//! Stack slots whose address never escapes the function.
//!
//! Another thread can only reach memory whose address it can learn. An `alloca` whose address
//! (or any pointer derived from it by `getelementptr`/`bitcast`) is only ever used as the
//! address of plain loads and stores, by lifetime markers, by debug intrinsics and records, and
//! as an operand of `llvm.memcpy`/`memmove`/`memset` (which do not capture) is invisible to
//! every other thread: no access to it can race, so none needs a check.
//!
//! A `phi` whose operands all point into the same slot (or are null, or are the loop's own
//! back edge) is a pointer into that slot like any `getelementptr` of it.
//!
//! Every other use — stored as a value, passed to a call, returned, compared, merged with
//! other pointers by a `phi`/`select`, converted to an integer, used by an atomic — counts as
//! an escape.

use std::collections::{HashMap, HashSet};

use super::super::instructions::{Arg, Op};
use super::super::lexer::tokenize;
use super::super::module::{Function, Module, StmtKind};
use super::objects::{Defs, defs, is_null_like};

/// Whether a callee leaves its pointer arguments uncaptured and unshared.
fn non_capturing_intrinsic(callee: &str) -> bool {
    callee.starts_with("@llvm.lifetime.")
        || callee.starts_with("@llvm.dbg.")
        || is_plain_mem_intrinsic(callee)
}

/// `llvm.memcpy`/`memmove`/`memset` (not the element-wise atomic or `inline` variants).
pub fn is_plain_mem_intrinsic(callee: &str) -> bool {
    let plain = ["@llvm.memcpy.p", "@llvm.memmove.p", "@llvm.memset.p"];
    plain.iter().any(|p| callee.starts_with(p))
}

/// C library functions known to use their pointer arguments only during the call, in the
/// calling thread, without retaining or returning them: (name, argument indices; empty = all).
const NON_CAPTURING_LIBC: [(&str, &[usize]); 19] = [
    ("@pthread_create", &[0, 1]),
    ("@pthread_join", &[1]),
    ("@clock_gettime", &[1]),
    ("@gettimeofday", &[]),
    ("@nanosleep", &[]),
    ("@time", &[]),
    ("@printf", &[]),
    ("@fprintf", &[]),
    ("@sprintf", &[]),
    ("@snprintf", &[]),
    ("@puts", &[]),
    ("@fputs", &[]),
    ("@strlen", &[]),
    ("@strnlen", &[]),
    ("@strcmp", &[]),
    ("@strncmp", &[]),
    ("@memcmp", &[]),
    ("@sscanf", &[]),
    ("@__isoc99_sscanf", &[]),
];

/// Function families that use every pointer argument during the call only, by name prefix:
/// the POSIX synchronization and timing functions (the object, its attributes, a deadline; a
/// sync object private to one function cannot be used by another thread anyway), and the
/// libstdc++ `std::thread` members that take the thread object (and, for `_M_start_thread`,
/// the `unique_ptr` slot it moves the state out of) by address and keep neither — so a
/// `std::thread` on the stack stays private.
const NON_CAPTURING_FAMILIES: [&str; 17] = [
    "@_ZNSt6thread15_M_start_thread",
    "@_ZNSt6thread4joinEv",
    "@_ZNSt6thread6detachEv",
    "@pthread_mutex_",
    "@pthread_mutexattr_",
    "@pthread_cond_",
    "@pthread_condattr_",
    "@pthread_rwlock_",
    "@pthread_rwlockattr_",
    "@pthread_spin_",
    "@pthread_barrier_",
    "@pthread_barrierattr_",
    "@pthread_attr_",
    "@pthread_timedjoin_np",
    "@pthread_tryjoin_np",
    "@sem_",
    "@clock_nanosleep",
];

/// Whether attribute text marks a pointer parameter as not captured.
fn says_nocapture(attrs: &str) -> bool {
    let Ok(toks) = tokenize(attrs) else {
        return false;
    };
    toks.iter().enumerate().any(|(i, t)| {
        t.is_ident("nocapture")
            || (t.is_ident("captures")
                && toks.get(i + 2).is_some_and(|n| n.is_ident("none"))
                && toks.get(i + 3).is_some_and(|n| n.is_punct(')')))
    })
}

/// Whether the callee neither retains nor returns argument `i`: by its `nocapture`
/// attribute (at the call or on its declaration) or by the C library's contract.
fn non_capturing_arg(m: &Module<'_>, callee: &str, i: usize, arg: &Arg) -> bool {
    if arg.attrs.iter().any(|a| says_nocapture(a)) {
        return true;
    }
    if m.params
        .get(callee)
        .and_then(|p| p.get(i))
        .is_some_and(|p| says_nocapture(p))
    {
        return true;
    }
    NON_CAPTURING_LIBC
        .iter()
        .any(|(name, idx)| *name == callee && (idx.is_empty() || idx.contains(&i)))
        || NON_CAPTURING_FAMILIES.iter().any(|p| callee.starts_with(p))
}

/// The pointer a `phi` is derived from, if all its operands are pointers into one slot: each
/// one already known to derive from it (`root_of`), a null-like constant, or a loop's back
/// edge (a `getelementptr`/`bitcast` chain leading back to the phi itself). Returns a
/// derived pointer of that slot (any one: only its root matters).
fn phi_root<'a>(
    defs: &Defs,
    f: &Function,
    root_of: &'a HashMap<String, String>,
    phi: &str,
    incoming: &'a [(String, String)],
) -> Option<&'a String> {
    let mut found: Option<&'a String> = None;
    for (v, _) in incoming {
        if is_null_like(v) || leads_back_to(defs, f, v, phi) {
            continue;
        }
        match root_of.get(v) {
            Some(root) if found.is_none_or(|r| root_of.get(r) == Some(root)) => {
                found = found.or(Some(v))
            }
            _ => return None,
        }
    }
    found
}

/// Whether `v` is `target` or derived from it by a `getelementptr`/`bitcast` chain.
fn leads_back_to(defs: &Defs, f: &Function, v: &str, target: &str) -> bool {
    let mut v = v;
    for _ in 0..64 {
        if v == target {
            return true;
        }
        let Some(inst) = defs.get(v).and_then(|&i| f.stmts[i].inst()) else {
            return false;
        };
        v = match &inst.op {
            Op::Gep { base, .. } => &base.text,
            Op::Cast { op, val, .. } if op == "bitcast" => &val.text,
            _ => return false,
        };
    }
    false
}

/// The allocas (by `%name`) whose address never escapes.
pub fn private_allocas(m: &Module<'_>, f: &Function) -> HashSet<String> {
    // Roots, then every pointer derived from them, each mapped to its root.
    let mut root_of: HashMap<String, String> = HashMap::new();
    for s in &f.stmts {
        if let Some(inst) = s.inst()
            && let (Op::Alloca { addrspace: 0 }, Some(r)) = (&inst.op, &inst.result)
        {
            root_of.insert(r.clone(), r.clone());
        }
    }
    if root_of.is_empty() {
        return HashSet::new();
    }
    let defs = defs(f);
    // Derivations may appear textually before their base is known (blocks are not in
    // dominance order), so iterate to a fixed point.
    let mut changed = true;
    let mut rounds = 0;
    while changed && rounds <= f.stmts.len() {
        changed = false;
        rounds += 1;
        for s in &f.stmts {
            let Some(inst) = s.inst() else { continue };
            let Some(r) = &inst.result else { continue };
            let base = match &inst.op {
                Op::Gep { base, .. } => &base.text,
                Op::Cast { op, val, .. } if op == "bitcast" => &val.text,
                Op::Phi { incoming, .. } => match phi_root(&defs, f, &root_of, r, incoming) {
                    Some(root) => root,
                    None => continue,
                },
                _ => continue,
            };
            if let Some(root) = root_of.get(base).cloned()
                && !root_of.contains_key(r)
            {
                root_of.insert(r.clone(), root);
                changed = true;
            }
        }
    }
    let mut escaped = HashSet::new();
    for s in &f.stmts {
        let inst = match &s.kind {
            StmtKind::Inst(i) => i,
            _ => continue, // debug records and labels never capture
        };
        let mut benign: HashMap<&str, usize> = HashMap::new();
        let mut all_benign = false;
        match &inst.op {
            Op::Load {
                ptr, atomic: None, ..
            } => *benign.entry(ptr.text.as_str()).or_default() += 1,
            Op::Store {
                ptr, atomic: None, ..
            } => *benign.entry(ptr.text.as_str()).or_default() += 1,
            Op::Gep { base, .. } => *benign.entry(base.text.as_str()).or_default() += 1,
            // A phi of pointers into one slot is a pointer into that slot (see `phi_root`).
            Op::Phi { .. }
                if inst
                    .result
                    .as_ref()
                    .is_some_and(|r| root_of.contains_key(r)) =>
            {
                all_benign = true
            }
            Op::Cast { op, val, .. } if op == "bitcast" => {
                *benign.entry(val.text.as_str()).or_default() += 1
            }
            Op::Call {
                kind: "call",
                callee,
                args,
                ..
            } if non_capturing_intrinsic(callee) => {
                if is_plain_mem_intrinsic(callee) {
                    for a in args.iter().take(2) {
                        *benign.entry(a.value.as_str()).or_default() += 1;
                    }
                } else {
                    all_benign = true;
                }
            }
            // `invoke` passes arguments like `call` (C++ calls inside try regions).
            Op::Call { callee, args, .. } if callee.starts_with('@') => {
                for (i, a) in args.iter().enumerate() {
                    if non_capturing_arg(m, callee, i, a) {
                        *benign.entry(a.value.as_str()).or_default() += 1;
                    }
                }
            }
            _ => {}
        }
        if all_benign {
            continue;
        }
        let mut count: HashMap<&str, usize> = HashMap::new();
        for u in &inst.uses {
            *count.entry(u.as_str()).or_default() += 1;
        }
        for (name, n) in count {
            if n > benign.get(name).copied().unwrap_or(0)
                && let Some(root) = root_of.get(name)
            {
                escaped.insert(root.clone());
            }
        }
    }
    root_of
        .iter()
        .filter(|(k, v)| k == v && !escaped.contains(*k))
        .map(|(k, _)| k.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::super::module::parse;
    use super::*;

    #[test]
    fn escapes() {
        let src = "declare void @g(ptr)
declare void @llvm.lifetime.start.p0(i64, ptr)
define void @f(ptr %out) {
  %a = alloca i32, align 4
  %b = alloca i32, align 4
  %c = alloca [4 x i32], align 4
  %d = alloca ptr, align 8
  %e = alloca i32, align 4
  %f = alloca i64, align 8
  call void @llvm.lifetime.start.p0(i64 4, ptr %a)
  store i32 1, ptr %a, align 4
  %x = load i32, ptr %a, align 4
  call void @g(ptr %b)
  call void @h(ptr nocapture %f)
  %t = call i32 @pthread_create(ptr %f, ptr null, ptr @g, ptr null)
  invoke void @_ZNSt6thread4joinEv(ptr %f) to label %next unwind label %next
next:
  %p = getelementptr inbounds [4 x i32], ptr %c, i64 0, i64 1
  store i32 2, ptr %p, align 4
  store ptr %d, ptr %d, align 8
    #dbg_declare(ptr %e, !1, !DIExpression(), !2)
  %v = load atomic i32, ptr %e seq_cst, align 4
  ret void
}
";
        let m = parse(src).expect("parses");
        let p = private_allocas(&m, &m.functions[0]);
        assert!(p.contains("%a"));
        assert!(!p.contains("%b"), "passed to a call");
        assert!(p.contains("%c"));
        assert!(!p.contains("%d"), "stored as a value");
        assert!(!p.contains("%e"), "atomic use");
        assert!(
            p.contains("%f"),
            "nocapture and pthread_create's out-parameter"
        );
    }

    #[test]
    fn phis_of_one_slot_stay_private() {
        let src = "declare void @g(ptr)
define void @f(i1 %c, i64 %n) {
entry:
  %buf = alloca [8 x i64], align 8
  %s = alloca { i64, i64 }, align 8
  %x = alloca i64, align 8
  %y = alloca i64, align 8
  %f1 = getelementptr inbounds i8, ptr %s, i64 8
  br label %loop
loop:
  %p = phi ptr [ %buf, %entry ], [ %p.next, %loop ]
  %q = phi ptr [ %s, %entry ], [ %f1, %loop ]
  %m = phi ptr [ %x, %entry ], [ %y, %loop ]
  store i64 0, ptr %p, align 8
  store i64 1, ptr %q, align 8
  store i64 2, ptr %m, align 8
  %p.next = getelementptr inbounds i64, ptr %p, i64 1
  br i1 %c, label %loop, label %out
out:
  ret void
}
";
        let m = parse(src).expect("parses");
        let f = &m.functions[0];
        let p = private_allocas(&m, f);
        assert!(
            p.contains("%buf"),
            "a pointer induction variable over one array"
        );
        assert!(p.contains("%s"), "a phi of two fields of one struct");
        assert!(!p.contains("%x") && !p.contains("%y"), "a phi of two slots");
        let d = super::super::objects::defs(f);
        use super::super::objects::{Object, underlying};
        assert_eq!(
            underlying(&m, f, &d, "%p.next"),
            Object::Alloca("%buf".into())
        );
        assert_eq!(underlying(&m, f, &d, "%q"), Object::Alloca("%s".into()));
        assert_eq!(underlying(&m, f, &d, "%m"), Object::Unknown);
    }

    #[test]
    fn typed_pointer_casts() {
        let src = "declare void @llvm.lifetime.start.p0i8(i64, i8*)
declare void @llvm.memset.p0i8.i64(i8*, i8, i64, i1)
define i32 @f() {
  %1 = alloca i32, align 4
  %2 = bitcast i32* %1 to i8*
  call void @llvm.lifetime.start.p0i8(i64 4, i8* nonnull %2)
  call void @llvm.memset.p0i8.i64(i8* align 4 %2, i8 0, i64 4, i1 false)
  %3 = load volatile i32, i32* %1, align 4
  ret i32 %3
}
";
        let m = parse(src).expect("parses");
        assert!(private_allocas(&m, &m.functions[0]).contains("%1"));
    }
}
