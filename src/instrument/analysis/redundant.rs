//! Checks made redundant by another check of the same address in the same stretch of a block.
//!
//! Between two synchronization points (see [`super::is_boundary`]) a thread's vector clock does
//! not change, so two of its accesses A and B in that stretch are ordered identically against
//! every access of every other thread: X happens-before A iff X happens-before B, and A
//! happens-before X iff B does. If B touches every byte A touches (same canonical pointer,
//! size at least A's) and B writes whenever A writes, then every access that races with A
//! also races with B — so checking B alone yields the same verdict, whichever comes first in
//! the block. A write is never covered by a read: a read check does not report concurrent
//! reads, which would race with the write.

use std::collections::HashMap;

use super::super::module::Function;
use super::accesses::{Access, Action};
use super::is_boundary;

/// Marks redundant checks as [`Action::Redundant`].
pub fn mark(f: &Function, accesses: &mut [Access]) {
    // Segment number of every statement: it increases after each boundary, and per block.
    let mut segment = vec![0usize; f.stmts.len()];
    let mut seg = 0;
    for b in &f.blocks {
        seg += 1;
        for &si in &b.stmts {
            segment[si] = seg;
            if f.stmts[si].inst().is_some_and(is_boundary) {
                seg += 1;
            }
        }
    }
    let mut groups: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, a) in accesses.iter().enumerate() {
        if a.action == Action::Check && !a.volatile && !a.vptr {
            groups
                .entry((segment[a.stmt], a.canon.as_str()))
                .or_default()
                .push(i);
        }
    }
    let mut redundant = Vec::new();
    for (_, mut idx) in groups {
        if idx.len() < 2 {
            continue;
        }
        // Strongest first: writes before reads, larger before smaller, earlier before later.
        idx.sort_by_key(|&i| {
            (
                !accesses[i].write,
                std::cmp::Reverse(accesses[i].size),
                accesses[i].stmt,
            )
        });
        let mut kept: Vec<usize> = Vec::new();
        for i in idx {
            let a = &accesses[i];
            let covered = kept.iter().any(|&k| {
                let c = &accesses[k];
                (c.write || !a.write) && c.size >= a.size
            });
            if covered {
                redundant.push(i);
            } else {
                kept.push(i);
            }
        }
    }
    for i in redundant {
        accesses[i].action = Action::Redundant;
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::module::parse;
    use super::super::accesses::{Eliminations, collect};
    use super::super::escape::private_allocas;
    use super::super::objects::defs;
    use super::*;

    fn actions(src: &str) -> Vec<Action> {
        let m = parse(src).expect("parses");
        let f = &m.functions[0];
        let d = defs(f);
        let mut acc = collect(&m, f, &d, &private_allocas(&m, f), Eliminations::ALL);
        mark(f, &mut acc);
        acc.iter().map(|a| a.action).collect()
    }

    #[test]
    fn read_write_combinations() {
        use Action::*;
        let src = "declare void @g()
define void @f(ptr %p, ptr %q) {
  %1 = load i32, ptr %p, align 4
  store i32 %1, ptr %p, align 4
  %2 = load i32, ptr %p, align 4
  %3 = load i8, ptr %q, align 1
  store i8 0, ptr %q, align 1
  %4 = load i64, ptr %q, align 8
  call void @g()
  %5 = load i32, ptr %p, align 4
  %6 = bitcast ptr %p to ptr
  %7 = load i16, ptr %6, align 2
  store i32 0, ptr %p, align 4
  store i64 0, ptr %q, align 8
  %8 = load volatile i32, ptr %q, align 4
  ret void
}
";
        assert_eq!(
            actions(src),
            vec![
                Redundant, Check, Redundant, // read, write, read of %p
                Redundant, Check, Check, // the 8-byte read is not covered by the 1-byte write
                Redundant, Redundant,
                Check, // after the call: both reads covered by the write
                Check, Check, // the 8-byte write; the volatile read is kept
            ]
        );
    }
}
