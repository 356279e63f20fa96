//! Writes the instrumented module: every line that is not rewritten is copied verbatim; hook
//! calls go in front of the accesses they check; atomics and memory intrinsics are replaced;
//! functions get `__tsan_func_entry`/`__tsan_func_exit`; the module gets a constructor calling
//! `__tsan_init` and declarations of the hooks it uses.

use std::collections::{HashMap, HashSet};

use super::analysis::accesses::{Action, Eliminations, collect};
use super::analysis::cfg::Cfg;
use super::analysis::escape::private_allocas;
use super::analysis::is_boundary;
use super::analysis::objects::{Object, defs, underlying};
use super::analysis::redundant;
use super::cursor::split_top_commas;
use super::hoist;
use super::hooks::Emitter;
use super::instructions::{Marker, Op};
use super::lexer::{Kind, replace_locals, tokenize};
use super::lowering::{Lowered, lower_atomic, lower_mem, mem_intrinsic_kind};
use super::module::{Function, ItemKind, Module, StmtKind, SyntaxError};
use super::stats::Stats;
use super::unwind;

/// What the user asked for.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Distinguish volatile accesses (`__tsan_volatile_*` hooks).
    pub volatile: bool,
    /// Which eliminations run.
    pub elim: Eliminations,
}

/// Name of the module constructor this pass adds.
const CTOR: &str = "@hbsan.module_ctor";

/// Lines to put around one statement.
#[derive(Default)]
struct Edit {
    before: Vec<String>,
    replace: Option<Vec<String>>,
    after: Vec<String>,
}

/// Whether a function's attributes (inline words or `#N` groups) include `word`.
fn has_attr(m: &Module<'_>, f: &Function, word: &str) -> bool {
    f.fn_attrs.iter().any(|a| {
        a == word
            || (a.starts_with('#')
                && m.attr_groups
                    .get(a)
                    .is_some_and(|g| tokenize(g).is_ok_and(|t| t.iter().any(|t| t.is_ident(word)))))
    })
}

/// Whether the module's only ThreadSanitizer content is the constructor clang's module pass
/// adds (`tsan.module_ctor` calling `__tsan_init`): IR compiled with `-fsanitize=thread` and the
/// function pass's instrumentation switched off (`-mllvm -tsan-instrument-*=0`), which is how
/// `hbsan cc --pass=hbsan` gets IR that was optimized the way ThreadSanitizer needs (no
/// speculative loads in `sanitize_thread` functions) but carries no checks yet.
fn clang_ctor_only(m: &Module<'_>) -> bool {
    m.symbols.contains("@tsan.module_ctor")
        && m.symbols.contains("@__tsan_init")
        && !m.symbols.iter().any(|s| is_check_hook(s))
}

/// Whether `symbol` is a hook that instrumentation places (an access, an atomic, a function
/// entry or exit, a memory intrinsic), as opposed to the part of the interface that programs
/// call themselves (`__tsan_acquire`/`__tsan_release`, the fiber and mutex annotations,
/// `__tsan_ignore_thread_begin`…), which a module may use before instrumentation.
fn is_check_hook(symbol: &str) -> bool {
    let Some(name) = symbol.strip_prefix("@__tsan_") else {
        return false;
    };
    let sized = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    };
    sized("read")
        || sized("write")
        || [
            "unaligned_",
            "volatile_",
            "atomic",
            "vptr_",
            "func_",
            "read_range",
            "write_range",
        ]
        .iter()
        .any(|p| name.starts_with(p))
        || matches!(name, "memcpy" | "memmove" | "memset")
}

/// A prefix for fresh names that occurs nowhere in the input.
fn fresh_prefix(src: &str) -> String {
    let mut p = "hbsan.".to_string();
    let mut n = 0;
    while src.contains(&format!("%{p}")) || src.contains(&format!("\n{p}")) {
        n += 1;
        p = format!("hbsan{n}.");
    }
    p
}

/// Instruments a parsed module; returns the new text and the counters.
pub fn instrument(src: &str, m: &Module<'_>, cfg: Config) -> Result<(String, Stats), SyntaxError> {
    let has_clang_ctor = clang_ctor_only(m);
    for marker in ["@__tsan_func_entry", "@__tsan_init", CTOR] {
        if m.symbols.contains(marker) && !(has_clang_ctor && marker == "@__tsan_init") {
            return Err(SyntaxError {
                line: 1,
                message: format!("the module is already instrumented (it mentions {marker})"),
            });
        }
    }
    let mut em = Emitter::new(m.opaque, &fresh_prefix(src));
    let sanitize_attr_mode = m
        .functions
        .iter()
        .any(|f| has_attr(m, f, "sanitize_thread"));
    let mut out: Vec<String> = Vec::with_capacity(m.lines.len() + 64);
    let mut ctors_rewritten = false;
    for item in &m.items {
        let lines = &m.lines[item.line..item.line + item.nlines];
        match item.kind {
            ItemKind::Function(fi)
                if has_clang_ctor && m.functions[fi].name == "@tsan.module_ctor" =>
            {
                // It runs before the runtime is initialized: left as clang wrote it.
                out.extend(lines.iter().map(|l| l.to_string()))
            }
            ItemKind::Function(fi) => {
                let f = &m.functions[fi];
                rewrite_function(m, f, cfg, sanitize_attr_mode, &mut em, &mut out);
            }
            ItemKind::GlobalCtors if has_clang_ctor => {
                out.extend(lines.iter().map(|l| l.to_string()))
            }
            ItemKind::GlobalCtors => {
                let text = lines.join("\n");
                match extend_ctors(&text) {
                    Some(t) => {
                        out.push(t);
                        ctors_rewritten = true;
                    }
                    None => {
                        return Err(SyntaxError {
                            line: item.line + 1,
                            message:
                                "expected '@llvm.global_ctors = appending global [N x T] [...]'"
                                    .to_string(),
                        });
                    }
                }
            }
            ItemKind::Other => out.extend(lines.iter().map(|l| l.to_string())),
        }
    }
    if has_clang_ctor {
        // clang's constructor already initializes the runtime.
        out.extend(em.decls.iter().filter_map(|(name, decl)| {
            (!m.symbols.contains(&format!("@{name}"))).then(|| decl.clone())
        }));
        let mut text = out.join("\n");
        text.push('\n');
        return Ok((text, em.stats));
    }
    // The constructor.
    let mut body = Vec::new();
    em.call(&mut body, None, "void", "__tsan_init", &[], None);
    out.push(String::new());
    out.push(format!("define internal void {CTOR}() nounwind {{"));
    out.extend(body);
    out.push("  ret void".to_string());
    out.push("}".to_string());
    if !ctors_rewritten {
        let (f, p) = if m.opaque {
            ("ptr", "ptr")
        } else {
            ("void ()*", "i8*")
        };
        out.push(format!(
            "@llvm.global_ctors = appending global [1 x {{ i32, {f}, {p} }}] [{{ i32, {f}, {p} }} {{ i32 0, {f} {CTOR}, {p} null }}]"
        ));
    }
    for (name, decl) in &em.decls {
        if !m.symbols.contains(&format!("@{name}")) {
            out.push(decl.clone());
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok((text, em.stats))
}

/// Appends this pass's constructor to an existing `@llvm.global_ctors` definition.
fn extend_ctors(text: &str) -> Option<String> {
    let toks = tokenize(text).ok()?;
    // `[N x T]` is the first bracket after `global`.
    let g = toks.iter().position(|t| t.is_ident("global"))?;
    let open = g + 1 + toks[g + 1..].iter().position(|t| t.is_punct('['))?;
    let count = toks.get(open + 1).filter(|t| t.kind == Kind::Int)?;
    if !toks.get(open + 2)?.is_ident("x") {
        return None;
    }
    let close = matching(&toks, open)?;
    let elem_toks = toks.get(open + 3..close)?;
    let elem_ty = text.get(elem_toks.first()?.start..elem_toks.last()?.end)?;
    // Field types of `{ i32, fnptr, dataptr }` (the third is absent in the old form).
    let inner = elem_toks.get(1..elem_toks.len().checked_sub(1)?)?;
    let fields: Vec<&str> = split_top_commas(inner)
        .iter()
        .map(|p| text.get(p.first().map_or(0, |t| t.start)..p.last().map_or(0, |t| t.end)))
        .collect::<Option<Vec<&str>>>()?;
    let elem = match fields.as_slice() {
        [_, fnp] => format!("{elem_ty} {{ i32 0, {fnp} {CTOR} }}"),
        [_, fnp, data] => format!("{elem_ty} {{ i32 0, {fnp} {CTOR}, {data} null }}"),
        _ => return None,
    };
    if let Some(z) = toks
        .get(close + 1)
        .filter(|t| t.is_ident("zeroinitializer"))
    {
        // `[0 x T] zeroinitializer`: an empty list.
        if count.text != "0" {
            return None;
        }
        return Some(format!(
            "{}1{}[{elem}]{}",
            text.get(..count.start)?,
            text.get(count.end..z.start)?,
            text.get(z.end..)?
        ));
    }
    let init_open = close + 1 + toks[close + 1..].iter().position(|t| t.is_punct('['))?;
    let init_close = matching(&toks, init_open)?;
    let n: u64 = count.text.parse().ok()?;
    let sep = if init_close == init_open + 1 {
        ""
    } else {
        ", "
    };
    let mut s = String::new();
    s.push_str(text.get(..count.start)?);
    s.push_str(&n.checked_add(1)?.to_string());
    s.push_str(text.get(count.end..toks[init_close].start)?);
    s.push_str(sep);
    s.push_str(&elem);
    s.push_str(text.get(toks[init_close].start..)?);
    Some(s)
}

/// Index of the bracket closing the one at `open`.
fn matching(toks: &[super::lexer::Token<'_>], open: usize) -> Option<usize> {
    let mut d = 0i32;
    for (i, t) in toks.iter().enumerate().skip(open) {
        d += t.depth_delta();
        if d == 0 {
            return Some(i);
        }
    }
    None
}

/// Rewrites one function, appending its lines to `out`.
fn rewrite_function(
    m: &Module<'_>,
    f: &Function,
    cfg: Config,
    sanitize_attr_mode: bool,
    em: &mut Emitter,
    out: &mut Vec<String>,
) {
    let all = &m.lines[f.header_line..=f.close_line];
    em.stats.bump("func.defined");
    if has_attr(m, f, "naked") || has_attr(m, f, "disable_sanitizer_instrumentation") {
        em.stats.bump("func.skipped");
        out.extend(all.iter().map(|l| l.to_string()));
        return;
    }
    let plain = !sanitize_attr_mode || has_attr(m, f, "sanitize_thread");
    let d = defs(f);
    let private = if plain && (cfg.elim.private) {
        private_allocas(m, f)
    } else {
        HashSet::new()
    };
    let mut accesses = if plain {
        collect(m, f, &d, &private, cfg.elim)
    } else {
        Vec::new()
    };
    if cfg.elim.redundant {
        redundant::mark(f, &mut accesses);
    }
    let mut hoists = Vec::new();
    if cfg.elim.loops && plain {
        match Cfg::build(f) {
            Some(g) => hoists = hoist::plan(m, f, &d, &g, &mut accesses, em),
            // Block names we could not resolve: no loop analysis (it needs an exact CFG).
            None => em.stats.bump("untouched.cfg_unresolved"),
        }
    }
    let mut edits: HashMap<usize, Edit> = HashMap::new();
    let mut frame = false;
    for a in &accesses {
        em.stats.bump(if a.write {
            "access.store"
        } else {
            "access.load"
        });
        match a.action {
            Action::Check => {
                let dbg = f.stmts[a.stmt].inst().and_then(|i| i.dbg.clone());
                let e = edits.entry(a.stmt).or_default();
                let p = em.byte_ptr(&a.ptr, &mut e.before);
                if a.vptr {
                    let pty = em.byte_ptr_ty().to_string();
                    if let Some(v) = a.stored.as_ref().filter(|v| v.ty.is_ptr()) {
                        let nv = em.byte_ptr(v, &mut e.before);
                        em.call(
                            &mut e.before,
                            None,
                            "void",
                            "__tsan_vptr_update",
                            &[(pty.clone(), p), (pty, nv)],
                            dbg.as_deref(),
                        );
                    } else {
                        em.call(
                            &mut e.before,
                            None,
                            "void",
                            "__tsan_vptr_read",
                            &[(pty, p)],
                            dbg.as_deref(),
                        );
                    }
                    em.stats.bump("check.vptr");
                } else {
                    em.access_check(
                        &mut e.before,
                        a.write,
                        a.size,
                        a.align,
                        a.volatile && cfg.volatile,
                        a.ty.is_aggregate(),
                        &p,
                        dbg.as_deref(),
                    );
                }
                frame = true;
            }
            Action::Private => em.stats.bump("skip.private"),
            Action::ConstantRead => em.stats.bump("skip.constant"),
            Action::Special => em.stats.bump("skip.special"),
            Action::Redundant => em.stats.bump("skip.redundant"),
            Action::Hoisted => em.stats.bump("skip.in_loop_range"),
            Action::Unsized => em.stats.bump("untouched.unsized"),
        }
    }
    // Atomics, fences, memory intrinsics; note calls (they need a frame for reports).
    for (si, s) in f.stmts.iter().enumerate() {
        let Some(inst) = s.inst() else { continue };
        if let Some(l) = lower_atomic(em, m, inst) {
            apply(&mut edits, si, l, em, &mut frame);
            continue;
        }
        match &inst.op {
            Op::Call {
                kind: "call",
                callee,
                args,
                ..
            } if plain && mem_intrinsic_kind(callee).is_some() => {
                let kind = mem_intrinsic_kind(callee).unwrap_or("memcpy");
                let needs = |v: &str, read: bool| match underlying(m, f, &d, v) {
                    Object::Alloca(a) => !private.contains(&a),
                    Object::Global(g) => {
                        !(read
                            && cfg.elim.constants
                            && m.globals.get(&g).is_some_and(|gv| gv.constant))
                    }
                    Object::Vtable => !(read && cfg.elim.constants),
                    Object::Unknown => true,
                };
                let dst = args.first().is_none_or(|a| needs(&a.value, false));
                let src = args.get(1).is_none_or(|a| needs(&a.value, true));
                let l = lower_mem(em, kind, args, inst.dbg.as_deref(), dst, src);
                apply(&mut edits, si, l, em, &mut frame);
            }
            Op::Call { callee, .. } if callee.starts_with("@llvm.") => {
                if callee.starts_with("@llvm.memcpy")
                    || callee.starts_with("@llvm.memmove")
                    || callee.starts_with("@llvm.memset")
                {
                    em.stats.bump("untouched.mem_intrinsic");
                }
            }
            Op::Call { .. } => frame = true,
            Op::Other(o) if matches!(o.as_str(), "call" | "invoke" | "callbr") => {
                em.stats.bump("untouched.unparsed_call");
                frame = true;
            }
            _ => {
                if is_boundary(inst) {
                    frame = true;
                }
            }
        }
    }
    // Loop range checks.
    let mut new_blocks: Vec<String> = Vec::new();
    let mut relabel: HashMap<usize, HashMap<String, String>> = HashMap::new();
    for h in &hoists {
        frame = true;
        let Some(&term) = f.blocks[h.pred]
            .stmts
            .iter()
            .rev()
            .find(|&&s| f.stmts[s].inst().is_some())
        else {
            continue;
        };
        match &h.split {
            None => edits
                .entry(term)
                .or_default()
                .before
                .extend(h.lines.iter().cloned()),
            Some(label) => {
                let header = f.blocks[h.header].name.clone();
                let pred = f.blocks[h.pred].name.clone();
                relabel
                    .entry(term)
                    .or_default()
                    .insert(header.clone(), label.clone());
                for &s in &f.blocks[h.header].stmts {
                    if matches!(f.stmts[s].inst().map(|i| &i.op), Some(Op::Phi { .. })) {
                        relabel
                            .entry(s)
                            .or_default()
                            .insert(pred.clone(), label.clone());
                    }
                }
                new_blocks.push(String::new());
                new_blocks.push(format!("{}:", &label[1..]));
                new_blocks.extend(h.lines.iter().cloned());
                new_blocks.push(format!("  br label {header}"));
            }
        }
    }
    let mut header = None;
    if frame {
        em.stats.bump("func.instrumented");
        add_frame(f, em, &mut edits);
        let split_edges: HashSet<(usize, usize)> = hoists
            .iter()
            .filter(|h| h.split.is_some())
            .map(|h| (h.pred, h.header))
            .collect();
        if let Some(p) = unwind::plan(m, f, em, &split_edges) {
            header = p.header;
            for (s, text, cont) in p.calls {
                let e = edits.entry(s).or_default();
                e.replace = Some(vec![text]);
                e.after = vec![String::new(), format!("{}:", &cont[1..])];
            }
            for (s, old, new) in p.relabel {
                relabel.entry(s).or_default().insert(old, new);
            }
            new_blocks.extend(p.cleanup);
        }
    } else {
        em.stats.bump("func.no_frame_needed");
    }
    // Emit.
    match header {
        Some(h) => out.push(h),
        None => out.extend(
            m.lines[f.header_line..f.header_line + f.header_nlines]
                .iter()
                .map(|l| l.to_string()),
        ),
    }
    for (si, s) in f.stmts.iter().enumerate() {
        let mut e = edits.remove(&si);
        if let Some(e) = &e {
            out.extend(e.before.iter().cloned());
        }
        let after = e
            .as_mut()
            .map(|e| std::mem::take(&mut e.after))
            .unwrap_or_default();
        match e.and_then(|e| e.replace) {
            Some(r) => out.extend(r),
            None => {
                let original = &m.lines[s.line..s.line + s.nlines];
                match relabel.get(&si) {
                    Some(map) => {
                        let text = original.join("\n");
                        out.push(replace_locals(&text, map).unwrap_or(text));
                    }
                    None => out.extend(original.iter().map(|l| l.to_string())),
                }
            }
        }
        out.extend(after);
    }
    out.extend(new_blocks);
    out.push(m.lines[f.close_line].to_string());
}

/// Records a lowering's lines.
fn apply(
    edits: &mut HashMap<usize, Edit>,
    si: usize,
    l: Lowered,
    em: &mut Emitter,
    frame: &mut bool,
) {
    match l {
        Lowered::Replace(lines) => {
            edits.entry(si).or_default().replace = Some(lines);
            *frame = true;
        }
        Lowered::Before(lines) => {
            edits.entry(si).or_default().before.extend(lines);
            *frame = true;
        }
        Lowered::Keep(reason) => {
            if !reason.is_empty() {
                em.stats.bump(reason);
            }
        }
    }
}

/// `__tsan_func_entry` after the entry block's allocas, `__tsan_func_exit` before every
/// `ret` and `resume` and before `musttail` calls (which must stay right before their `ret`).
fn add_frame(f: &Function, em: &mut Emitter, edits: &mut HashMap<usize, Edit>) {
    let pty = em.byte_ptr_ty().to_string();
    if let Some(entry) = f.blocks.first() {
        let at = entry
            .stmts
            .iter()
            .copied()
            .find(|&s| match &f.stmts[s].kind {
                StmtKind::Inst(i) => !matches!(i.op, Op::Alloca { .. }),
                _ => false,
            });
        if let Some(at) = at {
            let ra = em.fresh();
            let e = edits.entry(at).or_default();
            let mut lines = Vec::new();
            em.call(
                &mut lines,
                Some(&ra),
                &pty,
                "llvm.returnaddress",
                &[("i32".to_string(), "0".to_string())],
                None,
            );
            em.call(
                &mut lines,
                None,
                "void",
                "__tsan_func_entry",
                &[(pty.clone(), ra)],
                None,
            );
            lines.append(&mut e.before);
            e.before = lines;
        }
    }
    // The intrinsic's parameter must be `immarg`.
    if let Some(d) = em.decls.get_mut("llvm.returnaddress") {
        *d = format!("declare {pty} @llvm.returnaddress(i32 immarg) nounwind");
    }
    for b in &f.blocks {
        let mut prev_musttail = false;
        for &s in &b.stmts {
            let Some(inst) = f.stmts[s].inst() else {
                continue;
            };
            let exit = match &inst.op {
                Op::Call {
                    tail: Marker::MustTail,
                    ..
                } => true,
                Op::Ret => !prev_musttail,
                Op::Resume => true,
                _ => false,
            };
            prev_musttail = matches!(
                inst.op,
                Op::Call {
                    tail: Marker::MustTail,
                    ..
                }
            );
            if exit {
                let mut lines = Vec::new();
                em.call(
                    &mut lines,
                    None,
                    "void",
                    "__tsan_func_exit",
                    &[],
                    inst.dbg.as_deref(),
                );
                edits.entry(s).or_default().before.extend(lines);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_hooks_are_told_from_the_programs_own_calls() {
        for hook in [
            "@__tsan_read4",
            "@__tsan_write16",
            "@__tsan_unaligned_read8",
            "@__tsan_volatile_write2",
            "@__tsan_atomic32_load",
            "@__tsan_atomic_thread_fence",
            "@__tsan_vptr_update",
            "@__tsan_func_entry",
            "@__tsan_func_exit",
            "@__tsan_read_range",
            "@__tsan_memcpy",
        ] {
            assert!(is_check_hook(hook), "{hook}");
        }
        for api in [
            "@__tsan_acquire",
            "@__tsan_release",
            "@__tsan_create_fiber",
            "@__tsan_switch_to_fiber",
            "@__tsan_mutex_pre_lock",
            "@__tsan_ignore_thread_begin",
            "@__tsan_init",
            "@__tsan_readiness",
            "@read4",
        ] {
            assert!(!is_check_hook(api), "{api}");
        }
    }

    #[test]
    fn extends_ctors() {
        let t = "@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @_GLOBAL__sub_I_a.cpp, ptr null }]";
        assert_eq!(
            extend_ctors(t).as_deref(),
            Some(
                "@llvm.global_ctors = appending global [2 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @_GLOBAL__sub_I_a.cpp, ptr null }, { i32, ptr, ptr } { i32 0, ptr @hbsan.module_ctor, ptr null }]"
            )
        );
        let typed = "@llvm.global_ctors = appending global [1 x { i32, void ()*, i8* }] [{ i32, void ()*, i8* } { i32 65535, void ()* @f, i8* null }]";
        assert!(
            extend_ctors(typed).is_some_and(|s| s.contains("[2 x { i32, void ()*, i8* }]")
                && s.ends_with(
                    "{ i32, void ()*, i8* } { i32 0, void ()* @hbsan.module_ctor, i8* null }]"
                ))
        );
        assert!(extend_ctors("@llvm.global_ctors = appending global i32 0").is_none());
        assert_eq!(
            extend_ctors(
                "@llvm.global_ctors = appending global [0 x { i32, ptr, ptr }] zeroinitializer"
            )
            .as_deref(),
            Some(
                "@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 0, ptr @hbsan.module_ctor, ptr null }]"
            )
        );
    }
}
