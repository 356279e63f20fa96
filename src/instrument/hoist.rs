//! One range check before a loop instead of one check per iteration (the idea of BigFoot,
//! PLDI 2017), for the loops [`loops::find`] accepts.
//!
//! For an access executed in every iteration whose address is affine in the iteration number
//! `k` (`addr(k) = addr(0) + S*k`, see [`affine`]) with `|S|` at most the access size, the
//! bytes touched by iterations `0..=K` form one contiguous range: from `addr(0)` (or
//! `addr(K)` when `S < 0`) of length `|S|*K + size`. The preheader computes `K` (the last
//! iteration number, from the induction variable's start and bound), rebuilds `addr(0)` by
//! cloning the address computation with every induction variable replaced by its start value,
//! and calls `__tsan_read_range`/`__tsan_write_range` once. An access with `S = 0` gets one
//! ordinary check. docs/INSTRUMENTATION.md argues why verdicts do not change.

use std::collections::{HashMap, HashSet};

use super::analysis::accesses::{Access, Action};
use super::analysis::affine::LoopView;
use super::analysis::cfg::Cfg;
use super::analysis::loops::{self, Loop};
use super::analysis::objects::Defs;
use super::hooks::Emitter;
use super::instructions::{Op, Value};
use super::lexer::{Kind, replace_locals, tokenize};
use super::module::{Function, Module};

/// Ranges longer than this (1 TiB) cannot come from a terminating loop; they are clamped.
const MAX_SPAN: u64 = 1 << 40;

/// Code to place before one loop.
#[derive(Clone, Debug)]
pub struct Hoist {
    /// The header's predecessor outside the loop.
    pub pred: usize,
    /// The loop header.
    pub header: usize,
    /// When the edge `pred -> header` is split: the new block's `%name`.
    pub split: Option<String>,
    /// The instructions (indented lines).
    pub lines: Vec<String>,
}

/// Rebuilds values of the first iteration in front of the loop.
struct Cloner<'v, 'a> {
    view: &'v LoopView<'a>,
    memo: HashMap<String, String>,
}

impl Cloner<'_, '_> {
    /// The first-iteration value of `v` as an operand text, emitting clones as needed.
    fn value(
        &mut self,
        v: &str,
        em: &mut Emitter,
        out: &mut Vec<String>,
        depth: usize,
    ) -> Option<String> {
        if depth > 48 {
            return None;
        }
        if !v.starts_with('%') || !self.view.defined_inside(v) {
            return Some(v.to_string());
        }
        if let Some(iv) = self.view.ivs.get(v) {
            return Some(iv.init.clone());
        }
        if let Some(c) = self.memo.get(v) {
            return Some(c.clone());
        }
        let &si = self.view.defs.get(v)?;
        let stmt = &self.view.func.stmts[si];
        let inst = stmt.inst()?;
        // Only the pure instructions the affine analysis follows.
        let pure = match &inst.op {
            Op::Gep { .. } | Op::Cast { .. } | Op::Binary { .. } => true,
            Op::Other(o) => matches!(
                o.as_str(),
                "extractelement" | "insertelement" | "shufflevector"
            ),
            _ => false,
        };
        if !pure {
            return None;
        }
        let toks = tokenize(&stmt.text).ok()?;
        let mut map = HashMap::new();
        for t in toks.iter().skip(1) {
            if t.kind == Kind::Local && !map.contains_key(t.text) {
                let r = self.value(t.text, em, out, depth + 1)?;
                map.insert(t.text.to_string(), r);
            }
        }
        let new = em.fresh();
        map.insert(v.to_string(), new.clone());
        let text = replace_locals(&stmt.text, &map)?;
        out.push(format!("  {}", text.trim()));
        self.memo.insert(v.to_string(), new.clone());
        Some(new)
    }
}

/// A hoistable access: its index in the access list, its pointer as root plus constant
/// offset, and the root's stride in bytes per iteration.
struct Candidate {
    index: usize,
    root: String,
    offset: i128,
    stride: i128,
}

/// Bytes `[lo, hi)` relative to a root touched per iteration by some accesses of one kind.
struct Footprint {
    lo: i128,
    hi: i128,
    write: bool,
    /// Candidate indices (into the candidate list) inside it.
    members: Vec<usize>,
}

/// Merges the per-iteration intervals of candidates into maximal contiguous footprints.
fn footprints(
    accesses: &[Access],
    cands: &[Candidate],
    group: &[usize],
    write: bool,
) -> Vec<Footprint> {
    let mut items: Vec<(i128, i128, usize)> = group
        .iter()
        .filter(|&&c| accesses[cands[c].index].write == write)
        .map(|&c| {
            let lo = cands[c].offset;
            (
                lo,
                lo.saturating_add(i128::from(accesses[cands[c].index].size)),
                c,
            )
        })
        .collect();
    items.sort();
    let mut out: Vec<Footprint> = Vec::new();
    for (lo, hi, c) in items {
        match out.last_mut() {
            Some(f) if lo <= f.hi => {
                f.hi = f.hi.max(hi);
                f.members.push(c);
            }
            _ => out.push(Footprint {
                lo,
                hi,
                write,
                members: vec![c],
            }),
        }
    }
    out
}

/// Plans the range checks of every qualifying loop of `f`, marking the covered accesses
/// [`Action::Hoisted`].
pub fn plan(
    m: &Module<'_>,
    f: &Function,
    defs: &Defs,
    cfg: &Cfg,
    accesses: &mut [Access],
    em: &mut Emitter,
) -> Vec<Hoist> {
    let mut out = Vec::new();
    for l in loops::find(m, f, cfg, defs) {
        let stmts: HashSet<usize> = l
            .blocks
            .iter()
            .flat_map(|&b| f.blocks[b].stmts.iter().copied())
            .collect();
        let view = LoopView {
            module: m,
            func: f,
            defs,
            stmts: &stmts,
            ivs: &l.ivs,
        };
        if let Some(h) = plan_loop(f, cfg, &l, &view, accesses, em) {
            out.push(h);
        }
    }
    out
}

fn plan_loop(
    f: &Function,
    cfg: &Cfg,
    l: &Loop,
    view: &LoopView<'_>,
    accesses: &mut [Access],
    em: &mut Emitter,
) -> Option<Hoist> {
    let mut memo = HashMap::new();
    let mut cands = Vec::new();
    for (i, a) in accesses.iter().enumerate() {
        if a.action != Action::Check
            || a.volatile
            || a.vptr
            || !l.blocks.contains(&a.block)
            || !cfg.dominates(a.block, l.latch)
        {
            continue;
        }
        let Some(form) = view.ptr_form(&a.ptr.text, &mut memo) else {
            continue;
        };
        cands.push(Candidate {
            index: i,
            root: form.root,
            offset: form.offset,
            stride: form.stride,
        });
    }
    // Group by root and stride; within a group, each maximal run of overlapping or adjacent
    // per-iteration intervals (writes and reads apart) is one footprint. A footprint at least
    // as wide as the stride tiles a contiguous range over all iterations.
    let mut groups: Vec<((String, i128), Vec<usize>)> = Vec::new();
    for (ci, c) in cands.iter().enumerate() {
        let key = (c.root.clone(), c.stride);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(ci),
            None => groups.push((key, vec![ci])),
        }
    }
    let mut chosen: Vec<Footprint> = Vec::new();
    let mut covered: Vec<usize> = Vec::new();
    for ((_, stride), group) in &groups {
        let tiles = |fp: &Footprint| {
            *stride == 0 || fp.hi.saturating_sub(fp.lo).unsigned_abs() >= stride.unsigned_abs()
        };
        let writes: Vec<Footprint> = footprints(accesses, &cands, group, true)
            .into_iter()
            .filter(tiles)
            .collect();
        for r in footprints(accesses, &cands, group, false) {
            if writes.iter().any(|w| w.lo <= r.lo && r.hi <= w.hi) {
                // A write range of the same iterations covers these reads.
                covered.extend(r.members.iter().map(|&c| cands[c].index));
            } else if tiles(&r) {
                chosen.push(r);
            }
        }
        chosen.extend(writes);
    }
    if chosen.is_empty() {
        return None;
    }
    // The first iteration's address of one member of each footprint; give up on the loop if
    // any cannot be rebuilt in front of it.
    let mut lines = Vec::new();
    let mut cloner = Cloner {
        view,
        memo: HashMap::new(),
    };
    let mut starts = Vec::new();
    for fp in &chosen {
        let a = &accesses[cands[fp.members[0]].index];
        starts.push(cloner.value(&a.ptr.text, em, &mut lines, 0)?);
    }
    let k64 = if chosen.iter().any(|fp| cands[fp.members[0]].stride != 0) {
        Some(last_iteration(l, em, &mut lines)?)
    } else {
        None
    };
    let pty = em.byte_ptr_ty();
    for (fp, start) in chosen.iter().zip(starts) {
        let first = &cands[fp.members[0]];
        let a = &accesses[first.index];
        let dbg = f.stmts[a.stmt].inst().and_then(|i| i.dbg.clone());
        let v = Value {
            ty: a.ptr.ty.clone(),
            ty_text: a.ptr.ty_text.clone(),
            text: start,
        };
        let mut p = em.byte_ptr(&v, &mut lines);
        if fp.lo != first.offset {
            let q = em.fresh();
            lines.push(format!(
                "  {q} = getelementptr i8, {pty} {p}, i64 {}",
                fp.lo.saturating_sub(first.offset)
            ));
            p = q;
        }
        let width = fp.hi.saturating_sub(fp.lo);
        match (&k64, first.stride) {
            (Some(k), s) if s != 0 => {
                let product = em.fresh();
                lines.push(format!("  {product} = mul i64 {k}, {}", s.unsigned_abs()));
                // A range beyond any real loop's reach (a loop that would never meet its
                // bound) is cut back to the first iteration.
                let sane = em.fresh();
                lines.push(format!("  {sane} = icmp ult i64 {product}, {MAX_SPAN}"));
                let m = em.fresh();
                lines.push(format!("  {m} = select i1 {sane}, i64 {product}, i64 0"));
                let len = em.fresh();
                lines.push(format!("  {len} = add i64 {m}, {width}"));
                let lo = if s > 0 {
                    p
                } else {
                    let neg = em.fresh();
                    lines.push(format!("  {neg} = sub i64 0, {m}"));
                    let lo = em.fresh();
                    lines.push(format!("  {lo} = getelementptr i8, {pty} {p}, i64 {neg}"));
                    lo
                };
                em.range_check(&mut lines, fp.write, &lo, &len, dbg.as_deref());
            }
            _ if fp.members.len() == 1 => em.access_check(
                &mut lines,
                a.write,
                a.size,
                a.align,
                false,
                a.ty.is_aggregate(),
                &p,
                dbg.as_deref(),
            ),
            _ => em.range_check(&mut lines, fp.write, &p, &width.to_string(), dbg.as_deref()),
        }
    }
    let mut hoisted = covered;
    for fp in &chosen {
        hoisted.extend(fp.members.iter().map(|&c| cands[c].index));
    }
    for &i in &hoisted {
        accesses[i].action = Action::Hoisted;
    }
    em.stats.add("loop.accesses_covered", hoisted.len() as u64);
    em.stats.bump("loop.ranged");
    let split = if l.split { Some(em.fresh()) } else { None };
    Some(Hoist {
        pred: l.pred,
        header: l.header,
        split,
        lines,
    })
}

/// Emits the computation of the last iteration number `K` (as `i64`) in front of the loop;
/// returns its name.
fn last_iteration(l: &Loop, em: &mut Emitter, out: &mut Vec<String>) -> Option<String> {
    let t = &l.trip;
    let mut init = l.ivs.get(&t.iv)?.init.clone();
    let mut bound = t.bound.clone();
    if let Some(pty) = &t.pointer {
        // A pointer induction variable: count in addresses.
        for v in [&mut init, &mut bound] {
            let n = em.fresh();
            out.push(format!("  {n} = ptrtoint {pty} {v} to i64"));
            *v = n;
        }
    }
    let init = &init;
    let ty = format!("i{}", t.bits);
    let first = if t.d == 0 {
        init.clone()
    } else {
        let s = em.fresh();
        out.push(format!("  {s} = add {ty} {init}, {}", t.d));
        s
    };
    let more = em.fresh();
    out.push(format!(
        "  {more} = icmp {} {ty} {first}, {bound}",
        t.first_pred
    ));
    let delta = t.adjust.checked_sub(t.d)?;
    let boundary = if delta == 0 {
        bound.clone()
    } else {
        let b = em.fresh();
        out.push(format!("  {b} = add {ty} {bound}, {delta}"));
        b
    };
    let last = em.fresh();
    out.push(format!(
        "  {last} = select i1 {more}, {ty} {boundary}, {ty} {init}"
    ));
    let mut k = em.fresh();
    if t.step > 0 {
        out.push(format!("  {k} = sub {ty} {last}, {init}"));
    } else {
        out.push(format!("  {k} = sub {ty} {init}, {last}"));
    }
    if t.step.unsigned_abs() != 1 {
        // The distance is an exact multiple of the step (see `loops::Trip`).
        let q = em.fresh();
        out.push(format!("  {q} = udiv {ty} {k}, {}", t.step.unsigned_abs()));
        k = q;
    }
    if t.bits == 64 {
        return Some(k);
    }
    let k64 = em.fresh();
    out.push(format!("  {k64} = zext {ty} {k} to i64"));
    Some(k64)
}
