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

use super::super::instructions::Op;
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
                    "or" if *disjoint => Some(flags(x.coef.checked_add(y.coef)?, true, true)),
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
                let layout = &self.module.layout;
                let mut coef = sub(&base.text)?.coef;
                let mut cur = source.clone();
                for (i, idx) in indices.iter().enumerate() {
                    let x = sub(&idx.text)?;
                    let stride = if i == 0 {
                        layout.alloc_size(&cur)?
                    } else {
                        match layout.resolve(&cur).clone() {
                            Type::Array(_, e) => {
                                cur = *e;
                                layout.alloc_size(&cur)?
                            }
                            Type::Vector {
                                scalable: false,
                                elem,
                                ..
                            } => {
                                cur = *elem;
                                layout.store_size(&cur)?
                            }
                            Type::Struct { fields, .. } => {
                                if x.coef != 0 {
                                    return None;
                                }
                                let k = usize::try_from(int_literal(&idx.text)?).ok()?;
                                cur = fields.get(k)?.clone();
                                0
                            }
                            _ => return None,
                        }
                    };
                    if x.coef != 0 {
                        let narrow = idx.ty.int_bits().is_some_and(|b| b < 64);
                        if narrow && !x.nsw {
                            return None;
                        }
                        coef = coef.checked_add(x.coef.checked_mul(i128::from(stride))?)?;
                    }
                }
                Some(Affine {
                    coef,
                    nsw: true,
                    nuw: true,
                })
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
        assert_eq!(coef("%a"), Some(0));
    }
}
