//! Values that are affine in the iteration number of a loop.
//!
//! A value is affine when, in iteration `k` (0-based), it equals `v0 + coef * k` exactly (no
//! wrap-around), where `v0` is its value in the first iteration and `coef` a compile-time
//! constant. Pointers are measured in bytes. Loop-invariant values have `coef = 0`.
//!
//! Wrap-around matters only where a narrow integer is widened (`sext`, `zext`, or a narrow
//! `getelementptr` index, which is sign-extended): there the sequence must be free of signed
//! (resp. unsigned) overflow, which the `nsw`/`nuw` flags guarantee (overflow would be poison).

use std::collections::{HashMap, HashSet};

use super::super::cursor::{Cursor, split_top_commas};
use super::super::instructions::{Op, Value, parse_typed_value};
use super::super::lexer::{Kind, tokenize};
use super::super::module::{Function, Module};
use super::super::types::Type;
use super::loops::{Iv, int_literal};
use super::objects::Defs;

/// Deepest chain followed.
const MAX_DEPTH: usize = 48;

/// An affine value: its slope per iteration and whether its sequence is free of signed or
/// unsigned wrap-around.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Affine {
    /// Increase per iteration (bytes for pointers).
    pub coef: i128,
    /// No signed wrap across iterations.
    pub nsw: bool,
    /// No unsigned wrap across iterations.
    pub nuw: bool,
}

const INVARIANT: Affine = Affine {
    coef: 0,
    nsw: true,
    nuw: true,
};

/// How one `getelementptr` index moves the address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GepStep {
    /// By the index times this many bytes (pointer, array or vector element).
    Scaled(u64),
    /// To a struct field at this byte offset (the index is a constant).
    Field(u64),
}

/// The effect of each index of a `getelementptr` on the address.
pub fn gep_steps(m: &Module<'_>, source: &Type, indices: &[Value]) -> Option<Vec<GepStep>> {
    let layout = &m.layout;
    let mut cur = source.clone();
    let mut out = Vec::with_capacity(indices.len());
    for (i, idx) in indices.iter().enumerate() {
        if i == 0 {
            out.push(GepStep::Scaled(layout.alloc_size(&cur)?));
            continue;
        }
        match layout.resolve(&cur).clone() {
            Type::Array(_, e) => {
                cur = *e;
                out.push(GepStep::Scaled(layout.alloc_size(&cur)?));
            }
            Type::Vector {
                scalable: false,
                elem,
                ..
            } => {
                cur = *elem;
                out.push(GepStep::Scaled(layout.store_size(&cur)?));
            }
            st @ Type::Struct { .. } => {
                let k = usize::try_from(int_literal(&idx.text)?).ok()?;
                out.push(GepStep::Field(layout.field_offset(&st, k)?));
                let Type::Struct { fields, .. } = st else {
                    return None;
                };
                cur = fields.get(k)?.clone();
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A pointer in a loop as `root + offset + stride * k`: `root` is a value whose first-iteration
/// value can be rebuilt before the loop, `offset` a constant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PtrForm {
    /// The root value (as written).
    pub root: String,
    /// Constant byte offset from the root.
    pub offset: i128,
    /// Bytes per iteration.
    pub stride: i128,
}

/// The facts about one loop that the affine analysis needs.
pub struct LoopView<'a> {
    /// The module (for type sizes).
    pub module: &'a Module<'a>,
    /// The function.
    pub func: &'a Function,
    /// Its definitions.
    pub defs: &'a Defs,
    /// Statement indices inside the loop.
    pub stmts: &'a HashSet<usize>,
    /// Induction variables by phi name.
    pub ivs: &'a HashMap<String, Iv>,
}

impl LoopView<'_> {
    /// Whether a value is defined by a statement inside the loop.
    pub fn defined_inside(&self, v: &str) -> bool {
        self.defs.get(v).is_some_and(|s| self.stmts.contains(s))
    }

    /// `v` as `c + coef * k` with a compile-time constant `c` (an induction variable starting
    /// at a literal, shifted and scaled by literals), if it is one.
    fn int_form(&self, v: &str, depth: usize) -> Option<(i128, i128)> {
        if let Some(c) = int_literal(v) {
            return Some((c, 0));
        }
        if depth > MAX_DEPTH || !self.defined_inside(v) {
            return None;
        }
        if let Some(iv) = self.ivs.get(v) {
            return Some((int_literal(&iv.init)?, iv.step));
        }
        let inst = self.defs.get(v).and_then(|&i| self.func.stmts[i].inst())?;
        match &inst.op {
            Op::Binary {
                op, disjoint, a, b, ..
            } => {
                let x = self.int_form(a, depth + 1);
                let y = self.int_form(b, depth + 1);
                match op.as_str() {
                    "add" => {
                        let (x, y) = (x?, y?);
                        Some((x.0.checked_add(y.0)?, x.1.checked_add(y.1)?))
                    }
                    "or" if *disjoint || self.or_is_add(a, b, depth) => {
                        let (x, y) = (x?, y?);
                        Some((x.0.checked_add(y.0)?, x.1.checked_add(y.1)?))
                    }
                    "sub" => {
                        let (x, y) = (x?, y?);
                        Some((x.0.checked_sub(y.0)?, x.1.checked_sub(y.1)?))
                    }
                    "mul" => {
                        let (x, y) = (x?, y?);
                        if x.1 != 0 && y.1 != 0 {
                            return None;
                        }
                        let (p, q) = if y.1 == 0 { (x, y.0) } else { (y, x.0) };
                        Some((p.0.checked_mul(q)?, p.1.checked_mul(q)?))
                    }
                    "shl" => {
                        let (x, sh) = (x?, int_literal(b)?);
                        if !(0..62).contains(&sh) {
                            return None;
                        }
                        Some((x.0.checked_mul(1 << sh)?, x.1.checked_mul(1 << sh)?))
                    }
                    _ => None,
                }
            }
            Op::Cast { op, val, .. } if op == "sext" || op == "zext" => {
                self.int_form(&val.text, depth + 1)
            }
            _ => None,
        }
    }

    /// Whether `a | b` equals `a + b` because their set bits cannot overlap: one side is a
    /// literal below 2^t and the other is always a multiple of 2^t (an induction variable
    /// starting at and stepping by multiples of 2^t — how unrolled loops index `i | 1`, ...).
    /// LLVM 18+ says so with `or disjoint`; older IR leaves it to be proven.
    fn or_is_add(&self, a: &str, b: &str, depth: usize) -> bool {
        let check = |lit: &str, other: &str| {
            let Some(l) = int_literal(lit).and_then(|l| u64::try_from(l).ok()) else {
                return false;
            };
            let Some((c, coef)) = self.int_form(other, depth + 1) else {
                return false;
            };
            let Some(block) = l.checked_add(1).and_then(u64::checked_next_power_of_two) else {
                return false;
            };
            let block = i128::from(block);
            coef != 0 && c % block == 0 && coef % block == 0
        };
        check(a, b) || check(b, a)
    }

    /// `v` (a pointer) as root plus constant offset plus stride per iteration; `None` if it
    /// is not affine. Call [`LoopView::affine`] on `v` first: it checks the wrap conditions.
    pub fn ptr_form(&self, v: &str, memo: &mut HashMap<String, Option<Affine>>) -> Option<PtrForm> {
        let whole = self.affine(v, memo)?;
        let itself = PtrForm {
            root: v.to_string(),
            offset: 0,
            stride: whole.coef,
        };
        match self.ptr_form_depth(v, memo, 0) {
            Some(f) if f.stride == whole.coef => Some(f),
            _ => Some(itself),
        }
    }

    fn ptr_form_depth(
        &self,
        v: &str,
        memo: &mut HashMap<String, Option<Affine>>,
        depth: usize,
    ) -> Option<PtrForm> {
        if depth > MAX_DEPTH {
            return None;
        }
        if !v.starts_with('%') || !self.defined_inside(v) {
            return Some(PtrForm {
                root: v.to_string(),
                offset: 0,
                stride: 0,
            });
        }
        if let Some(iv) = self.ivs.get(v) {
            return Some(PtrForm {
                root: v.to_string(),
                offset: 0,
                stride: iv.step,
            });
        }
        let inst = self.defs.get(v).and_then(|&i| self.func.stmts[i].inst())?;
        match &inst.op {
            Op::Cast { op, val, .. } if op == "bitcast" => {
                self.ptr_form_depth(&val.text, memo, depth + 1)
            }
            Op::Gep {
                source,
                base,
                indices,
            } => {
                // When an index is not a constant plus a multiple of k, this address itself
                // becomes the root (offset 0); outer constant offsets still compose on it.
                let itself = |memo: &mut HashMap<String, Option<Affine>>| {
                    Some(PtrForm {
                        root: v.to_string(),
                        offset: 0,
                        stride: self.affine(v, memo)?.coef,
                    })
                };
                let Some(mut form) = self.ptr_form_depth(&base.text, memo, depth + 1) else {
                    return itself(memo);
                };
                for (idx, step) in indices.iter().zip(gep_steps(self.module, source, indices)?) {
                    match step {
                        GepStep::Field(off) => {
                            form.offset = form.offset.checked_add(i128::from(off))?;
                        }
                        GepStep::Scaled(stride) => {
                            let Some((c, coef)) = self.int_form(&idx.text, depth + 1) else {
                                return itself(memo);
                            };
                            let stride = i128::from(stride);
                            form.offset = form.offset.checked_add(c.checked_mul(stride)?)?;
                            form.stride = form.stride.checked_add(coef.checked_mul(stride)?)?;
                        }
                    }
                }
                Some(form)
            }
            _ => None,
        }
    }

    /// The affine form of `v`, if it has one.
    pub fn affine(&self, v: &str, memo: &mut HashMap<String, Option<Affine>>) -> Option<Affine> {
        self.affine_depth(v, memo, 0)
    }

    fn affine_depth(
        &self,
        v: &str,
        memo: &mut HashMap<String, Option<Affine>>,
        depth: usize,
    ) -> Option<Affine> {
        if !v.starts_with('%') || !self.defined_inside(v) {
            // Constants, globals, constant expressions, arguments, values from outside.
            return Some(INVARIANT);
        }
        if let Some(r) = memo.get(v) {
            return *r;
        }
        if depth > MAX_DEPTH {
            return None;
        }
        let r = self.compute(v, memo, depth);
        memo.insert(v.to_string(), r);
        r
    }

    fn compute(
        &self,
        v: &str,
        memo: &mut HashMap<String, Option<Affine>>,
        depth: usize,
    ) -> Option<Affine> {
        let inst = self.defs.get(v).and_then(|&i| self.func.stmts[i].inst())?;
        let mut sub = |x: &str| self.affine_depth(x, memo, depth + 1);
        match &inst.op {
            Op::Phi { .. } => {
                let iv = self.ivs.get(v)?;
                Some(Affine {
                    coef: iv.step,
                    nsw: iv.nsw,
                    nuw: iv.nuw,
                })
            }
            Op::Binary {
                op,
                nsw,
                nuw,
                disjoint,
                a,
                b,
                ..
            } => {
                let x = sub(a)?;
                let y = sub(b)?;
                let flags = |coef: i128, f_nsw: bool, f_nuw: bool| Affine {
                    coef,
                    nsw: coef == 0 || (f_nsw && x.nsw && y.nsw),
                    nuw: coef == 0 || (f_nuw && x.nuw && y.nuw),
                };
                match op.as_str() {
                    "add" => Some(flags(x.coef.checked_add(y.coef)?, *nsw, *nuw)),
                    "or" if *disjoint || self.or_is_add(a, b, depth) => {
                        Some(flags(x.coef.checked_add(y.coef)?, true, true))
                    }
                    "sub" => Some(flags(x.coef.checked_sub(y.coef)?, *nsw, *nuw)),
                    "mul" => {
                        let coef = if y.coef == 0 && x.coef == 0 {
                            0
                        } else if y.coef == 0 {
                            x.coef.checked_mul(int_literal(b)?)?
                        } else if x.coef == 0 {
                            y.coef.checked_mul(int_literal(a)?)?
                        } else {
                            return None;
                        };
                        Some(flags(coef, *nsw, *nuw))
                    }
                    "shl" => {
                        if y.coef != 0 {
                            return None;
                        }
                        if x.coef == 0 {
                            return Some(INVARIANT);
                        }
                        let sh = int_literal(b)?;
                        if !(0..62).contains(&sh) {
                            return None;
                        }
                        Some(flags(x.coef.checked_mul(1i128 << sh)?, *nsw, *nuw))
                    }
                    _ if x.coef == 0 && y.coef == 0 => Some(INVARIANT),
                    _ => None,
                }
            }
            Op::Cast { op, val, nneg, .. } => {
                let x = sub(&val.text)?;
                if x.coef == 0 {
                    return if op == "addrspacecast" {
                        None
                    } else {
                        Some(INVARIANT)
                    };
                }
                match op.as_str() {
                    "bitcast" => Some(x),
                    "sext" if x.nsw => Some(Affine {
                        coef: x.coef,
                        nsw: true,
                        nuw: false,
                    }),
                    "zext" if x.nuw || (*nneg && x.nsw) => Some(Affine {
                        coef: x.coef,
                        nsw: true,
                        nuw: true,
                    }),
                    _ => None,
                }
            }
            Op::Gep {
                source,
                base,
                indices,
            } => {
                let mut coef = sub(&base.text)?.coef;
                for (idx, step) in indices.iter().zip(gep_steps(self.module, source, indices)?) {
                    let x = sub(&idx.text)?;
                    if x.coef == 0 {
                        continue;
                    }
                    let GepStep::Scaled(stride) = step else {
                        return None;
                    };
                    let narrow = idx.ty.int_bits().is_some_and(|b| b < 64);
                    if narrow && !x.nsw {
                        return None;
                    }
                    coef = coef.checked_add(x.coef.checked_mul(i128::from(stride))?)?;
                }
                Some(Affine {
                    coef,
                    nsw: true,
                    nuw: true,
                })
            }
            Op::Other(op) if op == "extractelement" => {
                let ops = self.operands(v)?;
                let lane = u64::try_from(int_literal(&ops.get(1)?.text)?).ok()?;
                self.lane(&ops.first()?.text, lane, memo, depth + 1)
            }
            _ => None,
        }
    }

    /// The typed operands of an instruction parsed as [`Op::Other`] (comma-separated
    /// `<type> <value>` pairs after the opcode).
    fn operands(&self, v: &str) -> Option<Vec<Value>> {
        let stmt = &self.func.stmts[*self.defs.get(v)?];
        let toks = tokenize(&stmt.text).ok()?;
        let at = toks.iter().position(|t| t.kind == Kind::Ident)? + 1;
        let mut out = Vec::new();
        for part in split_top_commas(toks.get(at..)?) {
            if part.first().is_some_and(|t| t.kind == Kind::Meta) {
                break;
            }
            let mut c = Cursor::new(part, stmt.text.len());
            out.push(parse_typed_value(&mut c, &stmt.text).ok()?);
        }
        Some(out)
    }

    /// The affine form of one lane of a vector built by splatting a scalar and adding
    /// constants — how vectorized loops compute their (reversed) indices.
    fn lane(
        &self,
        vec: &str,
        lane: u64,
        memo: &mut HashMap<String, Option<Affine>>,
        depth: usize,
    ) -> Option<Affine> {
        if depth > MAX_DEPTH {
            return None;
        }
        if !vec.starts_with('%') || !self.defined_inside(vec) {
            return Some(INVARIANT);
        }
        let inst = self
            .defs
            .get(vec)
            .and_then(|&i| self.func.stmts[i].inst())?;
        match &inst.op {
            Op::Binary {
                op, nsw, nuw, a, b, ..
            } if op == "add" || op == "sub" => {
                let x = self.lane(a, lane, memo, depth + 1)?;
                let y = self.lane(b, lane, memo, depth + 1)?;
                let coef = if op == "add" {
                    x.coef.checked_add(y.coef)?
                } else {
                    x.coef.checked_sub(y.coef)?
                };
                Some(Affine {
                    coef,
                    nsw: coef == 0 || (*nsw && x.nsw && y.nsw),
                    nuw: coef == 0 || (*nuw && x.nuw && y.nuw),
                })
            }
            Op::Other(op) if op == "shufflevector" => {
                let ops = self.operands(vec)?;
                // Only a splat (all-zero mask) of the first operand's lane 0.
                if ops.get(2)?.text != "zeroinitializer" {
                    return None;
                }
                self.lane(&ops.first()?.text, 0, memo, depth + 1)
            }
            Op::Other(op) if op == "insertelement" => {
                let ops = self.operands(vec)?;
                if int_literal(&ops.get(2)?.text)? == i128::from(lane) {
                    self.affine_depth(&ops.get(1)?.text, memo, depth + 1)
                } else {
                    self.lane(&ops.first()?.text, lane, memo, depth + 1)
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::module::parse;
    use super::super::cfg::Cfg;
    use super::super::loops::{block_of, find};
    use super::super::objects::defs;
    use super::*;

    #[test]
    fn strides() {
        let src = "%struct.S = type { i32, [8 x i16] }
define void @f(ptr %a, ptr %s, i64 %n) {
entry:
  br label %body
body:
  %i = phi i64 [ 0, %entry ], [ %i.next, %body ]
  %j = phi i32 [ 5, %entry ], [ %j.next, %body ]
  %p = getelementptr inbounds i32, ptr %a, i64 %i
  %k = add nsw i64 %i, 3
  %q = getelementptr inbounds [4 x i64], ptr %a, i64 0, i64 %k
  %f = getelementptr inbounds %struct.S, ptr %s, i64 0, i32 1, i64 %i
  %w = sext i32 %j to i64
  %r = getelementptr inbounds i8, ptr %a, i64 %w
  %t = getelementptr inbounds %struct.S, ptr %s, i64 %i, i32 0
  %m = mul nsw i64 %i, 2
  %u = getelementptr inbounds i16, ptr %a, i64 %m
  %o = or i64 %m, 1
  %po = getelementptr inbounds i16, ptr %a, i64 %o
  %rev = sub i64 %n, %i
  %ins = insertelement <2 x i64> poison, i64 %rev, i64 0
  %spl = shufflevector <2 x i64> %ins, <2 x i64> poison, <2 x i32> zeroinitializer
  %lanes = add <2 x i64> %spl, <i64 -1, i64 -2>
  %l0 = extractelement <2 x i64> %lanes, i64 0
  %pr = getelementptr inbounds i64, ptr %a, i64 %l0
  %prm = getelementptr inbounds i8, ptr %pr, i64 -16
  %x = load i64, ptr %a, align 8
  %v = getelementptr inbounds i8, ptr %a, i64 %x
  %i.next = add nuw nsw i64 %i, 1
  %j.next = add nsw i32 %j, -1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %body
exit:
  ret void
}
";
        let m = parse(src).expect("parses");
        let f = &m.functions[0];
        let d = defs(f);
        let cfg = Cfg::build(f).expect("cfg");
        let ls = find(&m, f, &cfg, &d);
        assert_eq!(ls.len(), 1);
        let bo = block_of(f);
        let stmts: HashSet<usize> = (0..f.stmts.len())
            .filter(|s| ls[0].blocks.contains(&bo[*s]))
            .collect();
        let view = LoopView {
            module: &m,
            func: f,
            defs: &d,
            stmts: &stmts,
            ivs: &ls[0].ivs,
        };
        let mut memo = HashMap::new();
        let mut coef = |v: &str| view.affine(v, &mut memo).map(|a| a.coef);
        assert_eq!(coef("%p"), Some(4));
        assert_eq!(coef("%q"), Some(8));
        assert_eq!(coef("%f"), Some(2));
        assert_eq!(coef("%r"), Some(-1));
        assert_eq!(coef("%t"), Some(20));
        assert_eq!(coef("%u"), Some(4));
        assert_eq!(coef("%v"), None);
        assert_eq!(coef("%po"), Some(4), "i*2 | 1 is i*2 + 1");
        assert_eq!(coef("%pr"), Some(-8), "a lane of a splat plus constants");
        assert_eq!(coef("%a"), Some(0));
        let mut memo = HashMap::new();
        let form = |v: &str, memo: &mut HashMap<String, Option<Affine>>| {
            view.ptr_form(v, memo).map(|f| (f.root, f.offset, f.stride))
        };
        assert_eq!(form("%q", &mut memo), Some(("%a".into(), 24, 8)));
        assert_eq!(form("%f", &mut memo), Some(("%s".into(), 4, 2)));
        assert_eq!(form("%r", &mut memo), Some(("%a".into(), 5, -1)));
        assert_eq!(form("%v", &mut memo), None);
        assert_eq!(form("%po", &mut memo), Some(("%a".into(), 2, 4)));
        assert_eq!(form("%prm", &mut memo), Some(("%pr".into(), -16, -8)));
    }
}
