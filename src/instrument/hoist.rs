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
use super::analysis::loops::{self, Loop, block_of};
use super::analysis::objects::Defs;
use super::hooks::Emitter;
use super::instructions::{Op, Value};
use super::lexer::{Kind, replace_locals, tokenize};
use super::module::{Function, Module};

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
        if !matches!(
            inst.op,
            Op::Gep { .. } | Op::Cast { .. } | Op::Binary { .. }
        ) {
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

/// A hoistable access: its index in the access list and its stride in bytes per iteration.
struct Candidate {
    index: usize,
    stride: i128,
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
    let blocks_of = block_of(f);
    let mut out = Vec::new();
    for l in loops::find(m, f, cfg, defs) {
        let stmts: HashSet<usize> = (0..f.stmts.len())
            .filter(|s| l.blocks.contains(&blocks_of[*s]))
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
        let Some(aff) = view.affine(&a.ptr.text, &mut memo) else {
            continue;
        };
        if aff.coef.unsigned_abs() <= u128::from(a.size) {
            cands.push(Candidate {
                index: i,
                stride: aff.coef,
            });
        }
    }
    if cands.is_empty() {
        return None;
    }
    // Same canonical pointer and stride: the ranges are nested by size, so a write range
    // covers reads and smaller writes (the argument of the redundancy analysis, per iteration).
    cands.sort_by_key(|c| {
        let a = &accesses[c.index];
        (!a.write, std::cmp::Reverse(a.size), a.stmt)
    });
    let mut kept: Vec<&Candidate> = Vec::new();
    for c in &cands {
        let a = &accesses[c.index];
        let by = kept.iter().any(|k| {
            let b = &accesses[k.index];
            b.canon == a.canon && k.stride == c.stride && (b.write || !a.write) && b.size >= a.size
        });
        if !by {
            kept.push(c);
        }
    }
    // First the values of iteration 0; give up on the loop if any cannot be rebuilt.
    let mut lines = Vec::new();
    let mut cloner = Cloner {
        view,
        memo: HashMap::new(),
    };
    let mut starts = Vec::new();
    for c in &kept {
        starts.push(cloner.value(&accesses[c.index].ptr.text, em, &mut lines, 0)?);
    }
    let k64 = if kept.iter().any(|c| c.stride != 0) {
        Some(last_iteration(l, em, &mut lines)?)
    } else {
        None
    };
    let pty = em.byte_ptr_ty();
    for (c, start) in kept.iter().zip(starts) {
        let a = &accesses[c.index];
        let dbg = f.stmts[a.stmt].inst().and_then(|i| i.dbg.clone());
        let v = Value {
            ty: a.ptr.ty.clone(),
            ty_text: a.ptr.ty_text.clone(),
            text: start,
        };
        let p = em.byte_ptr(&v, &mut lines);
        match (&k64, c.stride) {
            (Some(k), s) if s != 0 => {
                let m = em.fresh();
                lines.push(format!("  {m} = mul i64 {k}, {}", s.unsigned_abs()));
                let len = em.fresh();
                lines.push(format!("  {len} = add i64 {m}, {}", a.size));
                let lo = if s > 0 {
                    p
                } else {
                    let neg = em.fresh();
                    lines.push(format!("  {neg} = sub i64 0, {m}"));
                    let lo = em.fresh();
                    lines.push(format!("  {lo} = getelementptr i8, {pty} {p}, i64 {neg}"));
                    lo
                };
                em.range_check(&mut lines, a.write, &lo, &len, dbg.as_deref());
            }
            _ => {
                em.access_check(
                    &mut lines,
                    a.write,
                    a.size,
                    a.align,
                    false,
                    a.ty.is_aggregate(),
                    &p,
                    dbg.as_deref(),
                );
            }
        }
    }
    for c in &cands {
        accesses[c.index].action = Action::Hoisted;
    }
    em.stats.add("loop.accesses_covered", cands.len() as u64);
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
    let init = &l.ivs.get(&t.iv)?.init;
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
        "  {more} = icmp {} {ty} {first}, {}",
        t.first_pred, t.bound
    ));
    let delta = t.adjust - t.d;
    let boundary = if delta == 0 {
        t.bound.clone()
    } else {
        let b = em.fresh();
        out.push(format!("  {b} = add {ty} {}, {delta}", t.bound));
        b
    };
    let last = em.fresh();
    out.push(format!(
        "  {last} = select i1 {more}, {ty} {boundary}, {ty} {init}"
    ));
    let k = em.fresh();
    if t.step > 0 {
        out.push(format!("  {k} = sub {ty} {last}, {init}"));
    } else {
        out.push(format!("  {k} = sub {ty} {init}, {last}"));
    }
    if t.bits == 64 {
        return Some(k);
    }
    let k64 = em.fresh();
    out.push(format!("  {k64} = zext {ty} {k} to i64"));
    Some(k64)
}
