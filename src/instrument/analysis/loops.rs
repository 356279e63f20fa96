//! Loops whose accesses can be checked once, before the loop, as ranges.
//!
//! Only simple loops qualify (all conditions are checked, none assumed):
//! - a natural loop with one latch, innermost (no cycle inside it but through its header),
//!   whose only exit is the latch's conditional branch;
//! - a header with exactly one predecessor outside the loop, ending in `br` (either an
//!   unconditional branch — a dedicated preheader — or a conditional one whose edge to the
//!   header can be split);
//! - no instruction in the loop that synchronizes, calls anything but harmless intrinsics,
//!   allocates stack, or may trap (division by a non-constant);
//! - an integer induction variable `iv` (header phi, step ±1 with `nsw` or `nuw`) compared in
//!   the latch against a value defined outside the loop, so the last value of `iv` can be
//!   computed at the preheader.
//!
//! Under these conditions every iteration runs from the header to the latch, every block that
//! dominates the latch runs in every iteration, and the number of iterations is known before
//! the loop starts.

use std::collections::{HashMap, HashSet};

use super::super::instructions::{Inst, Op};
use super::super::module::{Function, Module};
use super::super::types::Type;
use super::cfg::Cfg;
use super::harmless_intrinsic;
use super::objects::Defs;

/// An induction variable: a header phi advanced by a constant each iteration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Iv {
    /// Value entering from the preheader.
    pub init: String,
    /// The phi's type (`i64`, `ptr`).
    pub ty: Type,
    /// The phi's type as written.
    pub ty_text: String,
    /// The name of the incremented value (the phi's latch operand).
    pub next: String,
    /// Increment per iteration: in units for integers, in bytes for pointers.
    pub step: i128,
    /// The increment cannot wrap as a signed number (`nsw`).
    pub nsw: bool,
    /// The increment cannot wrap as an unsigned number (`nuw`).
    pub nuw: bool,
}

/// How the last value of the primary induction variable is computed before the loop.
///
/// With `v = iv + d` the compared value (`d` is 0 when the latch compares `iv`, the step
/// when it compares the incremented value), the loop runs more than once iff
/// `icmp first_pred (init + d), bound` holds, and then its last `iv` is
/// `bound - d + adjust`; otherwise it runs once and the last `iv` is `init`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trip {
    /// The primary induction variable's phi name.
    pub iv: String,
    /// Integer width of the induction variable.
    pub bits: u32,
    /// 0 or the step (see above).
    pub d: i128,
    /// Predicate deciding whether a second iteration happens.
    pub first_pred: &'static str,
    /// The loop-invariant bound as written.
    pub bound: String,
    /// `-1`, `0` or `1` (see above).
    pub adjust: i128,
    /// The step of the induction variable (±1, or any step when the latch tests `!=`).
    pub step: i128,
    /// For a pointer induction variable: its type as written (the computation runs on the
    /// addresses, converted with `ptrtoint` to `i64`).
    pub pointer: Option<String>,
}

/// A loop whose accesses may be hoisted.
#[derive(Clone, Debug)]
pub struct Loop {
    /// Header block index.
    pub header: usize,
    /// Latch block index.
    pub latch: usize,
    /// All block indices of the loop.
    pub blocks: HashSet<usize>,
    /// The header's predecessor outside the loop.
    pub pred: usize,
    /// Whether the edge from `pred` must be split to get a block that runs only when the
    /// loop is entered.
    pub split: bool,
    /// Induction variables by phi name.
    pub ivs: HashMap<String, Iv>,
    /// Trip computation.
    pub trip: Trip,
}

/// Opcodes (parsed as [`Op::Other`]) that may appear in a hoistable loop: pure, non-trapping.
const PURE_OTHERS: [&str; 15] = [
    "select",
    "fcmp",
    "fneg",
    "fadd",
    "fsub",
    "fmul",
    "fdiv",
    "frem",
    "extractvalue",
    "insertvalue",
    "extractelement",
    "insertelement",
    "shufflevector",
    "freeze",
    "switch",
];

/// Parses an integer literal operand.
pub fn int_literal(s: &str) -> Option<i128> {
    match s {
        "true" => Some(1),
        "false" => Some(0),
        _ => s.parse::<i128>().ok(),
    }
}

/// Whether an instruction may stand inside a loop whose checks are hoisted.
fn allowed_in_loop(inst: &Inst) -> bool {
    match &inst.op {
        Op::Load { atomic, .. } | Op::Store { atomic, .. } => atomic.is_none(),
        Op::Call { kind, callee, .. } => *kind == "call" && harmless_intrinsic(callee),
        Op::Gep { .. } | Op::Cast { .. } | Op::ICmp { .. } | Op::Phi { .. } | Op::Br { .. } => true,
        Op::Binary { op, b, .. } => match op.as_str() {
            "udiv" | "sdiv" | "urem" | "srem" => int_literal(b).is_some_and(|d| d != 0 && d != -1),
            _ => true,
        },
        Op::Other(op) => PURE_OTHERS.contains(&op.as_str()),
        _ => false,
    }
}

/// Finds the loops of `f` that qualify.
pub fn find(m: &Module<'_>, f: &Function, cfg: &Cfg, defs: &Defs) -> Vec<Loop> {
    let n = f.blocks.len();
    let mut back_edges: Vec<(usize, usize)> = Vec::new();
    for t in 0..n {
        for &h in &cfg.succs[t] {
            if cfg.dominates(h, t) {
                back_edges.push((t, h));
            }
        }
    }
    let mut out = Vec::new();
    let blocks_of = block_of(f);
    for &(latch, header) in &back_edges {
        if back_edges.iter().filter(|e| e.1 == header).count() != 1 {
            continue;
        }
        if let Some(l) = analyze(m, f, cfg, defs, &blocks_of, &back_edges, latch, header) {
            out.push(l);
        }
    }
    out
}

/// The blocks of the natural loop of back edge `latch -> header`.
fn body(cfg: &Cfg, latch: usize, header: usize) -> HashSet<usize> {
    let mut set = HashSet::from([header]);
    let mut stack = vec![latch];
    while let Some(b) = stack.pop() {
        if set.insert(b) {
            stack.extend(cfg.preds[b].iter().copied().filter(|p| cfg.reachable[*p]));
        }
    }
    set
}

/// Whether the loop body has a cycle that avoids the header (irreducible or nested).
fn inner_cycle(cfg: &Cfg, blocks: &HashSet<usize>, header: usize) -> bool {
    // Iterative DFS with colors over edges inside the loop, not returning to the header.
    let mut color: HashMap<usize, u8> = HashMap::new();
    let mut stack = vec![(header, 0usize)];
    color.insert(header, 1);
    while let Some(&(b, i)) = stack.last() {
        let succ = cfg.succs[b]
            .iter()
            .copied()
            .filter(|s| *s != header && blocks.contains(s))
            .nth(i);
        match succ {
            Some(s) => {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match color.get(&s).copied().unwrap_or(0) {
                    0 => {
                        color.insert(s, 1);
                        stack.push((s, 0));
                    }
                    1 => return true,
                    _ => {}
                }
            }
            None => {
                color.insert(b, 2);
                stack.pop();
            }
        }
    }
    false
}

/// The block index of every statement (`usize::MAX` for statements outside blocks).
pub fn block_of(f: &Function) -> Vec<usize> {
    let mut out = vec![usize::MAX; f.stmts.len()];
    for (bi, b) in f.blocks.iter().enumerate() {
        for &s in &b.stmts {
            out[s] = bi;
        }
    }
    out
}

fn last_inst(f: &Function, b: usize) -> Option<&Inst> {
    f.blocks[b]
        .stmts
        .iter()
        .rev()
        .find_map(|&s| f.stmts[s].inst())
}

#[allow(clippy::too_many_arguments)]
fn analyze(
    m: &Module<'_>,
    f: &Function,
    cfg: &Cfg,
    defs: &Defs,
    block_of: &[usize],
    back_edges: &[(usize, usize)],
    latch: usize,
    header: usize,
) -> Option<Loop> {
    let blocks = body(cfg, latch, header);
    // Innermost and reducible: no other back edge targets a block of this loop, and no
    // cycle avoids the header.
    if back_edges
        .iter()
        .any(|&(t, h)| h != header && blocks.contains(&h) && blocks.contains(&t))
        || inner_cycle(cfg, &blocks, header)
    {
        return None;
    }
    // Single exit, at the latch.
    for &b in &blocks {
        let term = last_inst(f, b)?;
        let ok_term =
            matches!(&term.op, Op::Br { .. }) || matches!(&term.op, Op::Other(o) if o == "switch");
        if !ok_term {
            return None;
        }
        let leaves = cfg.succs[b].iter().any(|s| !blocks.contains(s));
        if leaves && b != latch {
            return None;
        }
    }
    let latch_term = last_inst(f, latch)?;
    let Op::Br { cond: Some(cond) } = &latch_term.op else {
        return None;
    };
    if latch_term.succs.len() != 2 {
        return None;
    }
    let header_name = &f.blocks[header].name;
    let header_on_true = latch_term.succs[0] == *header_name;
    let other = if header_on_true {
        &latch_term.succs[1]
    } else {
        &latch_term.succs[0]
    };
    if other == header_name || blocks.contains(cfg.index.get(other)?) {
        return None;
    }
    // Contents.
    for &b in &blocks {
        for &s in &f.blocks[b].stmts {
            if let Some(inst) = f.stmts[s].inst()
                && !allowed_in_loop(inst)
            {
                return None;
            }
        }
    }
    // Preheader.
    let outside: Vec<usize> = cfg.preds[header]
        .iter()
        .copied()
        .filter(|p| !blocks.contains(p))
        .collect();
    let [pred] = outside[..] else { return None };
    if !cfg.reachable[pred] {
        return None;
    }
    let pterm = last_inst(f, pred)?;
    let Op::Br { cond: pcond } = &pterm.op else {
        return None;
    };
    if pterm.succs.iter().filter(|s| *s == header_name).count() != 1 {
        return None;
    }
    let split = pcond.is_some();
    let in_loop = |name: &str| {
        defs.get(name)
            .is_some_and(|&si| block_of.get(si).is_some_and(|b| blocks.contains(b)))
    };
    let ivs = induction_variables(
        m,
        f,
        defs,
        header,
        &f.blocks[pred].name,
        &f.blocks[latch].name,
    );
    let trip = trip(f, defs, &ivs, cond, header_on_true, &in_loop)?;
    Some(Loop {
        header,
        latch,
        blocks,
        pred,
        split,
        ivs,
        trip,
    })
}

/// Header phis of the form `phi [init, %pred], [next, %latch]` with `next = iv ± C`.
fn induction_variables(
    m: &Module<'_>,
    f: &Function,
    defs: &Defs,
    header: usize,
    pred: &str,
    latch: &str,
) -> HashMap<String, Iv> {
    let mut out = HashMap::new();
    for &s in &f.blocks[header].stmts {
        let Some(inst) = f.stmts[s].inst() else {
            continue;
        };
        let (
            Op::Phi {
                ty,
                ty_text,
                incoming,
            },
            Some(name),
        ) = (&inst.op, &inst.result)
        else {
            continue;
        };
        if incoming.len() != 2 {
            continue;
        }
        let init = incoming.iter().find(|(_, b)| b == pred);
        let next = incoming.iter().find(|(_, b)| b == latch);
        let (Some((init, _)), Some((next, _))) = (init, next) else {
            continue;
        };
        if matches!(init.as_str(), "undef" | "poison") {
            continue;
        }
        let Some(def) = defs.get(next).and_then(|&i| f.stmts[i].inst()) else {
            continue;
        };
        let iv = match (&def.op, ty) {
            (
                Op::Binary {
                    op, nsw, nuw, a, b, ..
                },
                Type::Int(_),
            ) => {
                let step = match op.as_str() {
                    "add" if a == name => int_literal(b),
                    "add" if b == name => int_literal(a),
                    "sub" if a == name => int_literal(b).and_then(i128::checked_neg),
                    _ => None,
                };
                step.map(|step| Iv {
                    init: init.clone(),
                    ty: ty.clone(),
                    ty_text: ty_text.clone(),
                    next: next.clone(),
                    step,
                    nsw: *nsw,
                    nuw: *nuw,
                })
            }
            (
                Op::Gep {
                    source,
                    base,
                    indices,
                },
                t,
            ) if t.is_ptr() && base.text == *name && indices.len() == 1 => {
                let c = int_literal(&indices[0].text);
                let size = m.layout.alloc_size(source).map(i128::from);
                match (c, size) {
                    // Pointers never go through sext/zext; their trip count uses the
                    // modular `!=` rule, so no wrap flags are claimed.
                    (Some(c), Some(sz)) => c.checked_mul(sz).map(|step| Iv {
                        init: init.clone(),
                        ty: ty.clone(),
                        ty_text: ty_text.clone(),
                        next: next.clone(),
                        step,
                        nsw: false,
                        nuw: false,
                    }),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(iv) = iv {
            out.insert(name.clone(), iv);
        }
    }
    out
}

/// Inverse of an integer predicate (for branches whose false edge continues the loop).
fn invert(p: &str) -> Option<&'static str> {
    Some(match p {
        "eq" => "ne",
        "ne" => "eq",
        "slt" => "sge",
        "sge" => "slt",
        "sle" => "sgt",
        "sgt" => "sle",
        "ult" => "uge",
        "uge" => "ult",
        "ule" => "ugt",
        "ugt" => "ule",
        _ => return None,
    })
}

/// The same predicate with operands swapped.
fn swap(p: &str) -> Option<&'static str> {
    Some(match p {
        "eq" => "eq",
        "ne" => "ne",
        "slt" => "sgt",
        "sgt" => "slt",
        "sle" => "sge",
        "sge" => "sle",
        "ult" => "ugt",
        "ugt" => "ult",
        "ule" => "uge",
        "uge" => "ule",
        _ => return None,
    })
}

/// Derives the trip computation from the latch condition.
fn trip(
    f: &Function,
    defs: &Defs,
    ivs: &HashMap<String, Iv>,
    cond: &str,
    header_on_true: bool,
    in_loop: &dyn Fn(&str) -> bool,
) -> Option<Trip> {
    let inst = defs.get(cond).and_then(|&i| f.stmts[i].inst())?;
    let Op::ICmp { pred, ty, a, b } = &inst.op else {
        return None;
    };
    let pointer = ty.is_ptr();
    let bits = if pointer { 64 } else { ty.int_bits()? };
    if bits > 64 || !in_loop(cond) {
        return None;
    }
    // Find which side is the induction variable (or its increment).
    for (iv_name, iv) in ivs {
        let same_type = if pointer {
            iv.ty.is_ptr()
        } else {
            iv.ty == Type::Int(bits)
        };
        if !same_type || iv.step == 0 {
            continue;
        }
        let d_of = |s: &str| {
            if s == iv_name {
                Some(0)
            } else if s == iv.next {
                Some(iv.step)
            } else {
                None
            }
        };
        let (d, bound, mut p) = if let Some(d) = d_of(a) {
            (d, b, pred.as_str())
        } else if let Some(d) = d_of(b) {
            (d, a, swap(pred)?)
        } else {
            continue;
        };
        if (bound.starts_with('%') && in_loop(bound))
            || matches!(bound.as_str(), "undef" | "poison")
        {
            return None;
        }
        if !header_on_true {
            p = invert(p)?;
        }
        let signed = |iv: &Iv| iv.nsw;
        let unsigned = |iv: &Iv| iv.nuw;
        // A step of ±1 reaches every value, so an ordering comparison stops exactly at the
        // bound; a wider step (vectorized loops) is accepted only with `!=`, which a
        // well-defined loop must hit exactly (overshooting would wrap, which nsw/nuw forbid).
        //
        // Without wrap flags, a `!=` exit is still exact in modular arithmetic: the loop ends
        // at the first k with init + d + k*step == bound (mod 2^W), which for a power-of-two
        // step is k = ((bound - d - init) mod 2^W) / step — the formula below, computed with
        // wrapping instructions. (A loop that never meets the bound never ends; its range is
        // clamped when emitted.)
        // With 64 bits no loop wraps around in practice, so any step is exact there: the first
        // k with k*C == (bound - d - init) mod 2^64 is that distance divided by C whenever it
        // divides, and a loop whose distance does not divide never ends.
        let unit = iv.step.unsigned_abs() == 1;
        let pow2 = iv.step.unsigned_abs().is_power_of_two() || bits == 64;
        let (first_pred, adjust) = match (iv.step > 0, p) {
            (true, "ne") if signed(iv) => ("slt", 0),
            (true, "ne") if unsigned(iv) => ("ult", 0),
            (true, "ne") if pow2 => ("ne", 0),
            (true, "slt") if unit && signed(iv) => ("slt", 0),
            (true, "sle") if unit && signed(iv) => ("sle", 1),
            (true, "ult") if unit && unsigned(iv) => ("ult", 0),
            (true, "ule") if unit && unsigned(iv) => ("ule", 1),
            (false, "ne") if signed(iv) => ("sgt", 0),
            (false, "ne") if unsigned(iv) => ("ugt", 0),
            (false, "ne") if pow2 => ("ne", 0),
            (false, "sgt") if unit && signed(iv) => ("sgt", 0),
            (false, "sge") if unit && signed(iv) => ("sge", -1),
            (false, "ugt") if unit && unsigned(iv) => ("ugt", 0),
            (false, "uge") if unit && unsigned(iv) => ("uge", -1),
            _ => return None,
        };
        return Some(Trip {
            iv: iv_name.clone(),
            bits,
            d,
            first_pred,
            bound: bound.clone(),
            adjust,
            step: iv.step,
            pointer: pointer.then(|| iv.ty_text.clone()),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::super::module::parse;
    use super::super::objects::defs;
    use super::*;

    fn loops(src: &str) -> Vec<Loop> {
        let m = parse(src).expect("parses");
        let f = &m.functions[0];
        let cfg = Cfg::build(f).expect("cfg");
        find(&m, f, &cfg, &defs(f))
    }

    const SUM: &str = "define i32 @sum(ptr %0, i32 %1) {
  %3 = icmp sgt i32 %1, 0
  br i1 %3, label %4, label %6

4:
  %5 = zext i32 %1 to i64
  br label %8

6:
  %7 = phi i32 [ 0, %2 ], [ %13, %8 ]
  ret i32 %7

8:
  %9 = phi i64 [ 0, %4 ], [ %14, %8 ]
  %10 = phi i32 [ 0, %4 ], [ %13, %8 ]
  %11 = getelementptr inbounds i32, ptr %0, i64 %9
  %12 = load i32, ptr %11, align 4
  %13 = add nsw i32 %12, %10
  %14 = add nuw nsw i64 %9, 1
  %15 = icmp eq i64 %14, %5
  br i1 %15, label %6, label %8
}
";

    #[test]
    fn canonical_rotated_loop() {
        let ls = loops(SUM);
        assert_eq!(ls.len(), 1);
        let l = &ls[0];
        assert!(!l.split);
        assert_eq!(
            l.trip,
            Trip {
                iv: "%9".into(),
                bits: 64,
                d: 1,
                first_pred: "slt",
                bound: "%5".into(),
                adjust: 0,
                step: 1,
                pointer: None,
            }
        );
        assert_eq!(l.ivs.len(), 1);
    }

    #[test]
    fn rejects_calls_and_extra_exits() {
        let with_call = SUM.replace("%13 = add nsw i32 %12, %10", "%13 = call i32 @g(i32 %12)");
        assert!(loops(&with_call).is_empty());
        let with_fence = SUM.replace(
            "%13 = add nsw i32 %12, %10",
            "%13 = add nsw i32 %12, %10\n  fence seq_cst",
        );
        assert!(loops(&with_fence).is_empty());
        let no_nsw = SUM.replace("add nuw nsw i64 %9, 1", "add i64 %9, 1");
        assert_eq!(
            loops(&no_nsw)[0].trip.first_pred,
            "ne",
            "modular trip count"
        );
        let no_nsw_lt = no_nsw.replace("icmp eq i64 %14, %5", "icmp uge i64 %14, %5");
        assert!(
            loops(&no_nsw_lt).is_empty(),
            "an ordering exit needs wrap flags"
        );
        let step3 = no_nsw.replace("add i64 %9, 1", "add i64 %9, 3");
        assert_eq!(loops(&step3).len(), 1, "any step is exact on 64 bits");
        let narrow = "define void @f(ptr %a, i32 %n) {
entry:
  br label %body
body:
  %i = phi i32 [ 0, %entry ], [ %i.next, %body ]
  %p = getelementptr inbounds i32, ptr %a, i32 %i
  store i32 0, ptr %p, align 4
  %i.next = add i32 %i, STEP
  %done = icmp eq i32 %i.next, %n
  br i1 %done, label %exit, label %body
exit:
  ret void
}
";
        assert_eq!(loops(&narrow.replace("STEP", "4")).len(), 1);
        assert!(
            loops(&narrow.replace("STEP", "3")).is_empty(),
            "a 32-bit counter with step 3 may wrap and still end"
        );
        let pointer = "define void @f(ptr %b, ptr %e) {
entry:
  br label %body
body:
  %p = phi ptr [ %b, %entry ], [ %p.next, %body ]
  store i32 0, ptr %p, align 4
  %p.next = getelementptr inbounds i8, ptr %p, i64 12
  %done = icmp eq ptr %p.next, %e
  br i1 %done, label %exit, label %body
exit:
  ret void
}
";
        let l = loops(pointer);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].trip.pointer.as_deref(), Some("ptr"));
        assert_eq!(l[0].trip.step, 12);
        let in_loop_bound = SUM.replace("icmp eq i64 %14, %5", "icmp eq i64 %14, %13");
        assert!(loops(&in_loop_bound).is_empty());
        let div = SUM.replace("%13 = add nsw i32 %12, %10", "%13 = sdiv i32 %12, %10");
        assert!(loops(&div).is_empty());
    }

    #[test]
    fn splits_edge_from_guard() {
        let guarded = "define void @f(ptr %a, i64 %n) {
entry:
  %c = icmp sgt i64 %n, 0
  br i1 %c, label %body, label %exit
body:
  %i = phi i64 [ 0, %entry ], [ %i.next, %body ]
  %p = getelementptr inbounds i32, ptr %a, i64 %i
  store i32 0, ptr %p, align 4
  %i.next = add nuw nsw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %body
exit:
  ret void
}
";
        let ls = loops(guarded);
        assert_eq!(ls.len(), 1, "{guarded}");
        assert!(ls[0].split);
    }

    #[test]
    fn decreasing_and_inverted() {
        let down = SUM
            .replace("%14 = add nuw nsw i64 %9, 1", "%14 = add nsw i64 %9, -1")
            .replace("%15 = icmp eq i64 %14, %5", "%15 = icmp sgt i64 %9, %5")
            .replace(
                "br i1 %15, label %6, label %8",
                "br i1 %15, label %8, label %6",
            );
        let ls = loops(&down);
        assert_eq!(ls.len(), 1);
        assert_eq!(ls[0].trip.first_pred, "sgt");
        assert_eq!(ls[0].trip.d, 0);
        assert_eq!(ls[0].trip.step, -1);
    }
}
