//! Keeping `__tsan_func_entry`/`__tsan_func_exit` balanced when a C++ exception unwinds
//! through a function.
//!
//! `ret` and `resume` get their `__tsan_func_exit` directly. An exception thrown by a callee
//! and not caught here leaves the function without passing either, so the runtime's shadow
//! stack would keep a stale frame (and, with enough exceptions, overflow). Like LLVM's pass,
//! every call that may unwind becomes an `invoke` whose unwind edge goes to one cleanup landing
//! pad that calls `__tsan_func_exit` and resumes unwinding. Calls that cannot unwind (in a
//! `nounwind` function, to a `nounwind` callee, intrinsics, inline asm) stay calls.

use std::collections::{HashMap, HashSet};

use super::hooks::Emitter;
use super::instructions::{Marker, Op};
use super::lexer::{Kind, tokenize};
use super::module::{Function, Module, StmtKind};

/// The changes that make a function's calls unwind through a cleanup pad.
pub struct Plan {
    /// A new header text, when a personality had to be added.
    pub header: Option<String>,
    /// Call statements rewritten as `invoke`: (statement, new text, label of the block
    /// continuing after it).
    pub calls: Vec<(usize, String, String)>,
    /// Phi statements whose incoming block names change: statement to (old, new).
    pub relabel: Vec<(usize, String, String)>,
    /// The cleanup block's lines.
    pub cleanup: Vec<String>,
}

/// Whether attribute words (inline or through `#N` groups) include `attr`.
fn has(m: &Module<'_>, words: &[String], attr: &str) -> bool {
    words.iter().any(|w| {
        w == attr
            || (w.starts_with('#')
                && m.attr_groups
                    .get(w)
                    .is_some_and(|g| tokenize(g).is_ok_and(|t| t.iter().any(|t| t.is_ident(attr)))))
    })
}

/// Whether attribute words (inline or through `#N` groups) include `nounwind`.
fn says_nounwind(m: &Module<'_>, words: &[String]) -> bool {
    has(m, words, "nounwind")
}

/// Plans the conversion for `f`; `None` when no call can unwind. `split_edges` are the
/// (predecessor, header) block pairs whose edge gets a new block for loop range checks: the
/// header's phis then name that block, not the predecessor.
pub fn plan(
    m: &Module<'_>,
    f: &Function,
    em: &mut Emitter,
    split_edges: &HashSet<(usize, usize)>,
) -> Option<Plan> {
    if says_nounwind(m, &f.fn_attrs) {
        return None;
    }
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    for (bi, b) in f.blocks.iter().enumerate() {
        // In the entry block, only calls after the last alloca (allocas must stay in it).
        let first = if bi == 0 {
            b.stmts
                .iter()
                .rposition(|&s| matches!(f.stmts[s].inst().map(|i| &i.op), Some(Op::Alloca { .. })))
                .map_or(0, |p| p + 1)
        } else {
            0
        };
        for &s in &b.stmts[first..] {
            let Some(inst) = f.stmts[s].inst() else {
                continue;
            };
            if let Op::Call {
                kind: "call",
                tail,
                callee,
                fn_attrs,
                fast_math: false,
                bundles: false,
                ..
            } = &inst.op
            {
                let callee_attrs = m.fn_attrs.get(callee);
                // `returns_twice` callees (setjmp) stay calls: their second return must not
                // meet a block boundary we introduced.
                let can_unwind = *tail != Marker::MustTail
                    && !callee.starts_with("@llvm.")
                    && !callee.starts_with("asm")
                    && !says_nounwind(m, fn_attrs)
                    && !has(m, fn_attrs, "returns_twice")
                    && !callee_attrs.is_some_and(|a| says_nounwind(m, a))
                    && !callee_attrs.is_some_and(|a| has(m, a, "returns_twice"));
                if can_unwind {
                    candidates.push((bi, s));
                }
            }
        }
    }
    if candidates.is_empty() {
        return None;
    }
    let pty = em.byte_ptr_ty();
    let header_text = m.lines[f.header_line..f.header_line + f.header_nlines].join("\n");
    let header =
        if tokenize(&header_text).is_ok_and(|t| t.iter().any(|t| t.is_ident("personality"))) {
            None
        } else {
            let personality = if em.opaque {
                "ptr @__gcc_personality_v0".to_string()
            } else {
                "i8* bitcast (i32 (...)* @__gcc_personality_v0 to i8*)".to_string()
            };
            if !m.symbols.contains("@__gcc_personality_v0") {
                em.decls.insert(
                    "__gcc_personality_v0".to_string(),
                    "declare i32 @__gcc_personality_v0(...)".to_string(),
                );
            }
            Some(add_personality(&header_text, &personality)?)
        };
    // All landing pads of a function share one type; reuse the existing one if any.
    let lp_ty = f
        .stmts
        .iter()
        .find_map(|s| landingpad_type(&s.text))
        .unwrap_or_else(|| format!("{{ {pty}, i32 }}"));
    let cleanup = em.fresh();
    let lp = em.fresh();
    let mut lines = vec![
        String::new(),
        format!("{}:", &cleanup[1..]),
        format!("  {lp} = landingpad {lp_ty}"),
        "          cleanup".to_string(),
    ];
    em.call(&mut lines, None, "void", "__tsan_func_exit", &[], None);
    lines.push(format!("  resume {lp_ty} {lp}"));
    let mut calls = Vec::new();
    let mut last_cont: HashMap<usize, String> = HashMap::new();
    for (bi, s) in candidates {
        let stmt = &f.stmts[s];
        let Some(Op::Call { end, .. }) = stmt.inst().map(|i| &i.op) else {
            continue;
        };
        let cont = em.fresh();
        let Some(text) = to_invoke(&stmt.text, *end, &cont, &cleanup) else {
            continue;
        };
        calls.push((s, text, cont.clone()));
        last_cont.insert(bi, cont);
        em.stats.bump("func.calls_given_cleanup");
    }
    // Successors now follow the block's last part.
    let mut relabel = Vec::new();
    for (&bi, cont) in &last_cont {
        let Some(term) = f.blocks[bi]
            .stmts
            .iter()
            .rev()
            .find_map(|&s| f.stmts[s].inst())
        else {
            continue;
        };
        for succ in &term.succs {
            let Some(si) = f.blocks.iter().position(|b| b.name == *succ) else {
                continue;
            };
            if split_edges.contains(&(bi, si)) {
                continue;
            }
            for &p in &f.blocks[si].stmts {
                if matches!(&f.stmts[p].kind, StmtKind::Inst(i) if matches!(i.op, Op::Phi { .. })) {
                    relabel.push((p, f.blocks[bi].name.clone(), cont.clone()));
                }
            }
        }
    }
    Some(Plan {
        header,
        calls,
        relabel,
        cleanup: lines,
    })
}

/// The type of a `landingpad` statement.
fn landingpad_type(text: &str) -> Option<String> {
    let toks = tokenize(text).ok()?;
    let at = toks.iter().position(|t| t.is_ident("landingpad"))?;
    let first = toks.get(at + 1)?;
    let mut d = 0;
    for t in &toks[at + 1..] {
        d += t.depth_delta();
        if d == 0 {
            return text.get(first.start..t.end).map(String::from);
        }
    }
    None
}

/// Inserts `personality P` into a function header, before its metadata attachments and `{`.
fn add_personality(header: &str, personality: &str) -> Option<String> {
    let toks = tokenize(header).ok()?;
    let name = toks.iter().position(|t| t.kind == Kind::Global)?;
    let mut d = 0;
    let mut after_params = None;
    for (i, t) in toks.iter().enumerate().skip(name + 1) {
        d += t.depth_delta();
        if d == 0 {
            after_params = Some(i + 1);
            break;
        }
    }
    let at = toks[after_params?..]
        .iter()
        .find(|t| t.kind == Kind::Meta || t.is_punct('{'))?
        .start;
    Some(format!(
        "{}personality {personality} {}",
        header.get(..at)?,
        header.get(at..)?
    ))
}

/// Rewrites `[tail] call ...` as `invoke ... to label %cont unwind label %cleanup`.
fn to_invoke(text: &str, end: usize, cont: &str, cleanup: &str) -> Option<String> {
    let toks = tokenize(text).ok()?;
    let call = toks.iter().position(|t| t.is_ident("call"))?;
    let from = if call > 0 && matches!(toks[call - 1].text, "tail" | "notail") {
        toks[call - 1].start
    } else {
        toks[call].start
    };
    Some(format!(
        "{}invoke{} to label {cont} unwind label {cleanup}{}",
        text.get(..from)?,
        text.get(toks[call].end..end)?,
        text.get(end..)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_invokes_and_phi_renames() {
        let src = "declare void @may_throw()
declare void @quiet() nounwind
declare i32 @setjmp(ptr) returns_twice
define void @f(i1 %c) {
entry:
  %s = alloca i32, align 4
  call void @may_throw()
  call void @quiet()
  %j = call i32 @setjmp(ptr %s)
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %n, %loop ]
  call void @may_throw() nounwind
  %n = add i32 %i, 1
  br i1 %c, label %loop, label %out
out:
  ret void
}
";
        let m = super::super::module::parse(src).expect("parses");
        let f = &m.functions[0];
        let mut em = Emitter::new(true, "h.");
        let p = plan(&m, f, &mut em, &HashSet::new()).expect("a call may unwind");
        assert_eq!(p.calls.len(), 1, "only the first call may unwind");
        assert!(
            p.calls[0]
                .1
                .contains("invoke void @may_throw() to label %h.3 unwind label %h.1")
        );
        assert_eq!(
            p.header.as_deref(),
            Some("define void @f(i1 %c) personality ptr @__gcc_personality_v0 {")
        );
        assert_eq!(p.relabel.len(), 1);
        assert_eq!(
            (p.relabel[0].1.as_str(), p.relabel[0].2.as_str()),
            ("%entry", "%h.3")
        );
        assert!(
            p.cleanup
                .iter()
                .any(|l| l.contains("landingpad { ptr, i32 }"))
        );
        let nounwind = src.replace(
            "define void @f(i1 %c) {",
            "define void @f(i1 %c) nounwind {",
        );
        let m = super::super::module::parse(&nounwind).expect("parses");
        assert!(plan(&m, &m.functions[0], &mut em, &HashSet::new()).is_none());
    }

    #[test]
    fn rewrites_calls_and_headers() {
        let text = "  %r = tail call i32 @f(i32 1) #3, !dbg !7";
        let Ok(super::super::instructions::Inst {
            op: Op::Call { end, .. },
            ..
        }) = super::super::instructions::parse_inst(text)
        else {
            panic!("not a call")
        };
        assert_eq!(
            to_invoke(text, end, "%c", "%u").as_deref(),
            Some("  %r = invoke i32 @f(i32 1) #3 to label %c unwind label %u, !dbg !7")
        );
        assert_eq!(
            add_personality("define void @f(ptr %0) #0 !dbg !5 {", "ptr @p").as_deref(),
            Some("define void @f(ptr %0) #0 personality ptr @p !dbg !5 {")
        );
        assert_eq!(
            add_personality("define void @f() {", "ptr @p").as_deref(),
            Some("define void @f() personality ptr @p {")
        );
        assert_eq!(
            landingpad_type("  %5 = landingpad { i8*, i32 }\n     cleanup").as_deref(),
            Some("{ i8*, i32 }")
        );
    }
}
