//! The plain memory accesses of a function and, for each, what the pass will do with it.

use std::collections::HashSet;

use super::super::instructions::{Op, Value};
use super::super::module::{Function, Module};
use super::super::types::Type;
use super::objects::{Defs, Object, canonical, is_special_global, is_vtable_tag, underlying};

/// What happens to one access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A check right before the access.
    Check,
    /// No check: the address is a stack slot no other thread can know.
    Private,
    /// No check: a read of constant data (a `constant` global or a vtable).
    ConstantRead,
    /// No check: bookkeeping memory of tools (profile counters, `llvm.*`) or another address
    /// space; ThreadSanitizer leaves these alone too.
    Special,
    /// No check: another check in the same synchronization-free stretch of the block covers it.
    Redundant,
    /// No check here: a range check before the loop covers every iteration.
    Hoisted,
    /// Left untouched: the accessed type has no static size.
    Unsized,
}

/// One plain (non-atomic) load or store.
#[derive(Clone, Debug)]
pub struct Access {
    /// Statement index.
    pub stmt: usize,
    /// Block index.
    pub block: usize,
    /// Whether it writes.
    pub write: bool,
    /// Bytes accessed (store size of the type); 0 when unsized.
    pub size: u64,
    /// The pointer operand.
    pub ptr: Value,
    /// The accessed type.
    pub ty: Type,
    /// Alignment in bytes (the `align` attribute, else the type's ABI alignment).
    pub align: u64,
    /// `volatile`
    pub volatile: bool,
    /// A vtable-pointer access (`!tbaa` "vtable pointer"), instrumented with the vptr hooks.
    pub vptr: bool,
    /// The stored value text, for stores.
    pub stored: Option<Value>,
    /// Canonical pointer spelling (see [`canonical`]).
    pub canon: String,
    /// The decision.
    pub action: Action,
}

/// Which eliminations are enabled.
#[derive(Clone, Copy, Debug)]
pub struct Eliminations {
    /// Skip accesses to non-escaping stack slots.
    pub private: bool,
    /// Skip reads of constant data.
    pub constants: bool,
    /// Drop checks covered by another check in the same block stretch.
    pub redundant: bool,
    /// Replace per-iteration checks of affine loop accesses by one range check.
    pub loops: bool,
}

impl Eliminations {
    /// All eliminations on.
    pub const ALL: Eliminations = Eliminations {
        private: true,
        constants: true,
        redundant: true,
        loops: true,
    };
}

/// Collects the plain loads and stores of `f` with their initial decisions (before the
/// redundancy and loop analyses refine them).
pub fn collect(
    m: &Module<'_>,
    f: &Function,
    defs: &Defs,
    private: &HashSet<String>,
    elim: Eliminations,
) -> Vec<Access> {
    let mut out = Vec::new();
    for (bi, b) in f.blocks.iter().enumerate() {
        for &si in &b.stmts {
            let Some(inst) = f.stmts[si].inst() else {
                continue;
            };
            let (write, ty, ptr, volatile, align, stored) = match &inst.op {
                Op::Load {
                    ty,
                    ptr,
                    volatile,
                    atomic,
                    align,
                    ..
                } if atomic.is_none_or(|a| a.single_thread) => {
                    (false, ty.clone(), ptr.clone(), *volatile, *align, None)
                }
                Op::Store {
                    val,
                    ptr,
                    volatile,
                    atomic,
                    align,
                } if atomic.is_none_or(|a| a.single_thread) => (
                    true,
                    val.ty.clone(),
                    ptr.clone(),
                    *volatile,
                    *align,
                    Some(val.clone()),
                ),
                _ => continue,
            };
            let size = m.layout.store_size(&ty).unwrap_or(0);
            let align = align
                .or_else(|| m.layout.abi_align(&ty))
                .unwrap_or(1)
                .max(1);
            let vptr = inst.tbaa.as_deref().is_some_and(|t| is_vtable_tag(m, t));
            let action = if size == 0 || matches!(ty, Type::Vector { scalable: true, .. }) {
                Action::Unsized
            } else if ptr.ty.addrspace() != 0 {
                Action::Special
            } else {
                match underlying(m, f, defs, &ptr.text) {
                    Object::Alloca(a) if elim.private && private.contains(&a) => Action::Private,
                    Object::Global(g) if is_special_global(m, &g) => Action::Special,
                    Object::Global(g)
                        if elim.constants
                            && !write
                            && m.globals.get(&g).is_some_and(|gv| gv.constant) =>
                    {
                        Action::ConstantRead
                    }
                    Object::Vtable if elim.constants && !write => Action::ConstantRead,
                    _ => Action::Check,
                }
            };
            out.push(Access {
                stmt: si,
                block: bi,
                write,
                size,
                canon: canonical(f, defs, &ptr.text),
                ptr,
                ty,
                align,
                volatile,
                vptr,
                stored,
                action,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::super::module::parse;
    use super::super::escape::private_allocas;
    use super::super::objects::defs;
    use super::*;

    #[test]
    fn classifies() {
        let src = "@t = constant i32 1
@g = global i32 0
@llvm.x = global i32 0
define void @f(ptr %p) {
  %a = alloca i32, align 4
  store i32 1, ptr %a, align 4
  %1 = load i32, ptr @t, align 4
  store i32 1, ptr @t, align 4
  %2 = load i32, ptr @g, align 4
  %3 = load i32, ptr @llvm.x, align 4
  %4 = load x86_fp80, ptr %p
  %5 = load i32, ptr addrspace(1) null, align 4
  %6 = load {}, ptr %p
  ret void
}
";
        let m = parse(src).expect("parses");
        let f = &m.functions[0];
        let d = defs(f);
        let acc = collect(&m, f, &d, &private_allocas(&m, f), Eliminations::ALL);
        let actions: Vec<Action> = acc.iter().map(|a| a.action).collect();
        assert_eq!(
            actions,
            vec![
                Action::Private,
                Action::ConstantRead,
                Action::Check,
                Action::Check,
                Action::Special,
                Action::Check,
                Action::Special,
                Action::Unsized,
            ]
        );
        assert_eq!(acc[5].size, 10);
        assert_eq!(acc[5].align, 16);
    }
}
