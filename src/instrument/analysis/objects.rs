//! What a pointer points into: its defining statements, its underlying object (an `alloca`, a
//! global, a slot of a vtable), and its canonical spelling for "same address" comparisons.

use std::collections::HashMap;

use super::super::cursor::Cursor;
use super::super::instructions::{Op, parse_typed_value};
use super::super::lexer::{Kind, tokenize};
use super::super::module::{Function, Module};
use super::super::types::parse_type;

/// Result name (`%x`) to the index of the statement defining it.
pub type Defs = HashMap<String, usize>;

/// How far pointer chains are followed; deeper chains count as unknown.
const MAX_STEPS: usize = 64;

/// Indexes a function's definitions.
pub fn defs(f: &Function) -> Defs {
    let mut d = HashMap::new();
    for (i, s) in f.stmts.iter().enumerate() {
        if let Some(r) = s.inst().and_then(|inst| inst.result.clone()) {
            d.insert(r, i);
        }
    }
    d
}

/// The object a pointer is derived from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Object {
    /// A stack slot (`%name` of the `alloca`).
    Alloca(String),
    /// A global variable or function (`@name`).
    Global(String),
    /// A slot of a vtable: the address was loaded from an object's vtable pointer.
    Vtable,
    /// Anything else (arguments, loaded pointers, integer casts, ...).
    Unknown,
}

/// Follows `getelementptr` and `bitcast` (instructions and constant expressions) down to the
/// underlying object of a pointer value.
pub fn underlying(m: &Module<'_>, f: &Function, defs: &Defs, value: &str) -> Object {
    underlying_through_phis(m, f, defs, value, &mut Vec::new()).unwrap_or(Object::Unknown)
}

/// Whether a `phi` operand is no pointer to any object (`null`, `undef`, `poison`).
pub fn is_null_like(v: &str) -> bool {
    matches!(v, "null" | "undef" | "poison")
}

/// [`underlying`], also through `phi`s whose operands all lead to the same stack slot or
/// global (a pointer induction variable stepping through one array, a pointer chosen among
/// fields of one struct). `None` means "only back to a `phi` being resolved" (a loop's
/// back edge), which agrees with anything.
fn underlying_through_phis(
    m: &Module<'_>,
    f: &Function,
    defs: &Defs,
    value: &str,
    open_phis: &mut Vec<String>,
) -> Option<Object> {
    let mut v = value.to_string();
    for _ in 0..MAX_STEPS {
        if let Some(Op::Phi { incoming, .. }) = defs
            .get(&v)
            .and_then(|&i| f.stmts[i].inst())
            .map(|inst| &inst.op)
        {
            if open_phis.contains(&v) {
                return None;
            }
            if open_phis.len() >= 8 {
                return Some(Object::Unknown);
            }
            open_phis.push(v.clone());
            let mut found: Option<Object> = None;
            for (value, _) in incoming {
                if is_null_like(value) {
                    continue;
                }
                match underlying_through_phis(m, f, defs, value, open_phis) {
                    None => {}
                    Some(o @ (Object::Alloca(_) | Object::Global(_)))
                        if found.is_none() || found.as_ref() == Some(&o) =>
                    {
                        found = Some(o)
                    }
                    Some(_) => {
                        found = Some(Object::Unknown);
                        break;
                    }
                }
            }
            open_phis.pop();
            // A phi of nothing but null-like values and back edges points to no object.
            return Some(found.unwrap_or(Object::Unknown));
        }
        let object = step(m, f, defs, &mut v);
        if object.is_some() {
            return object;
        }
    }
    Some(Object::Unknown)
}

/// One step down a pointer chain: the object `v` is, or `None` after replacing `v` by the
/// pointer it is derived from.
fn step(m: &Module<'_>, f: &Function, defs: &Defs, v: &mut String) -> Option<Object> {
    if v.starts_with('@') {
        return Some(Object::Global(v.clone()));
    }
    if v.starts_with('%') {
        let Some(inst) = defs.get(v.as_str()).and_then(|&i| f.stmts[i].inst()) else {
            return Some(Object::Unknown);
        };
        match &inst.op {
            Op::Alloca { .. } => return Some(Object::Alloca(v.clone())),
            Op::Gep { base, .. } => *v = base.text.clone(),
            Op::Cast { op, val, .. } if op == "bitcast" || op == "addrspacecast" => {
                *v = val.text.clone()
            }
            Op::Load { .. } if inst.tbaa.as_deref().is_some_and(|t| is_vtable_tag(m, t)) => {
                return Some(Object::Vtable);
            }
            _ => return Some(Object::Unknown),
        }
        return None;
    }
    match const_expr_base(v) {
        Some(base) => {
            *v = base;
            None
        }
        None => Some(Object::Unknown),
    }
}

/// The pointer operand of a `getelementptr (...)`, `bitcast (...)` or `addrspacecast (...)`
/// constant expression.
fn const_expr_base(text: &str) -> Option<String> {
    let toks = tokenize(text).ok()?;
    let mut c = Cursor::new(&toks, text.len());
    let kw = c.ident().ok()?;
    match kw {
        "getelementptr" => {
            while let Some(t) = c.peek() {
                if t.kind != Kind::Ident {
                    break;
                }
                c.next();
                if t.text == "inrange" {
                    c.skip_group().ok()?;
                }
            }
            c.expect_punct('(').ok()?;
            parse_type(&mut c).ok()?;
            c.expect_punct(',').ok()?;
            Some(parse_typed_value(&mut c, text).ok()?.text)
        }
        "bitcast" | "addrspacecast" => {
            c.expect_punct('(').ok()?;
            Some(parse_typed_value(&mut c, text).ok()?.text)
        }
        _ => None,
    }
}

/// The spelling of a pointer with `bitcast`s and all-zero `getelementptr`s removed: two
/// accesses whose canonical pointers are equal access the same address.
pub fn canonical(f: &Function, defs: &Defs, value: &str) -> String {
    let mut v = value.to_string();
    for _ in 0..MAX_STEPS {
        let Some(inst) = defs.get(&v).and_then(|&i| f.stmts[i].inst()) else {
            return v;
        };
        match &inst.op {
            Op::Cast { op, val, .. } if op == "bitcast" => v = val.text.clone(),
            Op::Gep { base, indices, .. } if indices.iter().all(|i| i.text == "0") => {
                v = base.text.clone()
            }
            _ => return v,
        }
    }
    v
}

/// Whether a `!tbaa` access tag describes a vtable pointer (clang's `"vtable pointer"` type).
pub fn is_vtable_tag(m: &Module<'_>, tag: &str) -> bool {
    let Some(text) = m.metadata.get(tag) else {
        return false;
    };
    // An access tag is `!{!base, !access, i64 offset}`; its access type names the type.
    let Ok(toks) = tokenize(text) else {
        return false;
    };
    let Some(access) = toks.iter().find(|t| t.kind == Kind::Meta) else {
        return false;
    };
    m.metadata
        .get(access.text)
        .is_some_and(|node| node.contains("!\"vtable pointer\""))
}

/// Globals whose accesses are bookkeeping of other tools (profilers, coverage, LLVM itself),
/// never shared program data; ThreadSanitizer skips them too.
pub fn is_special_global(m: &Module<'_>, name: &str) -> bool {
    const PREFIXES: [&str; 7] = [
        "@llvm.",
        "@__llvm_gcov",
        "@__llvm_gcda",
        "@__profc_",
        "@__profd_",
        "@__profvp_",
        "@__llvm_prf",
    ];
    if PREFIXES.iter().any(|p| name.starts_with(p)) {
        return true;
    }
    m.globals.get(name).is_some_and(|g| {
        g.addrspace != 0
            || g.section
                .as_deref()
                .is_some_and(|s| s.starts_with("llvm.") || s.starts_with("__llvm_prf"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::module::parse;
    use super::*;

    const SRC: &str = "@t = constant [4 x i32] zeroinitializer
define void @f(ptr %p) {
  %a = alloca [4 x i32], align 16
  %b = getelementptr inbounds [4 x i32], ptr %a, i64 0, i64 2
  %c = bitcast ptr %b to ptr
  %v = load ptr, ptr %p, align 8, !tbaa !1
  %s = getelementptr inbounds ptr, ptr %v, i64 3
  %z = getelementptr inbounds i8, ptr %p, i64 0
  ret void
}
!1 = !{!2, !2, i64 0}
!2 = !{!\"vtable pointer\", !3, i64 0}
!3 = !{!\"Simple C++ TBAA\"}
";

    #[test]
    fn objects() {
        let m = parse(SRC).expect("parses");
        let f = &m.functions[0];
        let d = defs(f);
        assert_eq!(underlying(&m, f, &d, "%c"), Object::Alloca("%a".into()));
        assert_eq!(
            underlying(
                &m,
                f,
                &d,
                "getelementptr inbounds ([4 x i32], ptr @t, i64 0, i64 1)"
            ),
            Object::Global("@t".into())
        );
        assert_eq!(underlying(&m, f, &d, "%s"), Object::Vtable);
        assert_eq!(underlying(&m, f, &d, "%p"), Object::Unknown);
        assert_eq!(canonical(f, &d, "%z"), "%p");
        assert_eq!(canonical(f, &d, "%c"), "%b");
        assert!(is_special_global(&m, "@llvm.used"));
        assert!(!is_special_global(&m, "@t"));
    }
}
