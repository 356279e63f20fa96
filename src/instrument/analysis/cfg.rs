//! Control-flow graph of a function and its dominator tree.
//!
//! Built only when every branch target names a known block; otherwise the loop analysis, which
//! needs an exact CFG to be sound, is simply not run for that function.

use std::collections::HashMap;

use super::super::module::Function;

/// Successors, predecessors and immediate dominators of a function's blocks (by index).
#[derive(Debug)]
pub struct Cfg {
    /// Successor block indices (duplicates removed).
    pub succs: Vec<Vec<usize>>,
    /// Predecessor block indices (duplicates removed).
    pub preds: Vec<Vec<usize>>,
    /// Immediate dominator; `None` for the entry and for unreachable blocks.
    pub idom: Vec<Option<usize>>,
    /// Whether a block is reachable from the entry.
    pub reachable: Vec<bool>,
    /// Block index by `%name`.
    pub index: HashMap<String, usize>,
}

impl Cfg {
    /// Builds the CFG; `None` if a block lacks a terminator or a target is unknown.
    pub fn build(f: &Function) -> Option<Cfg> {
        if !f.names_ok {
            return None;
        }
        let n = f.blocks.len();
        let mut index = HashMap::new();
        for (i, b) in f.blocks.iter().enumerate() {
            if index.insert(b.name.clone(), i).is_some() {
                return None;
            }
        }
        let mut succs = vec![Vec::new(); n];
        let mut preds = vec![Vec::new(); n];
        for (i, b) in f.blocks.iter().enumerate() {
            let last = b.stmts.iter().rev().find_map(|&s| f.stmts[s].inst())?;
            if !last.terminator {
                return None;
            }
            for s in &last.succs {
                let t = *index.get(s)?;
                if !succs[i].contains(&t) {
                    succs[i].push(t);
                    preds[t].push(i);
                }
            }
        }
        let (idom, reachable) = dominators(&succs, &preds);
        Some(Cfg {
            succs,
            preds,
            idom,
            reachable,
            index,
        })
    }

    /// Whether block `a` dominates block `b` (both reachable).
    pub fn dominates(&self, a: usize, b: usize) -> bool {
        if !self.reachable.get(a).copied().unwrap_or(false)
            || !self.reachable.get(b).copied().unwrap_or(false)
        {
            return false;
        }
        let mut x = b;
        for _ in 0..=self.idom.len() {
            if x == a {
                return true;
            }
            match self.idom[x] {
                Some(p) => x = p,
                None => return false,
            }
        }
        false
    }
}

/// Reverse post-order of the blocks reachable from block 0 (iterative DFS).
fn reverse_postorder(succs: &[Vec<usize>]) -> Vec<usize> {
    let n = succs.len();
    let mut seen = vec![false; n];
    let mut post = Vec::with_capacity(n);
    if n == 0 {
        return post;
    }
    let mut stack = vec![(0usize, 0usize)];
    seen[0] = true;
    while let Some(&(b, next)) = stack.last() {
        if let Some(&s) = succs[b].get(next) {
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            if !seen[s] {
                seen[s] = true;
                stack.push((s, 0));
            }
        } else {
            post.push(b);
            stack.pop();
        }
    }
    post.reverse();
    post
}

/// Immediate dominators by the Cooper–Harvey–Kennedy iteration.
fn dominators(succs: &[Vec<usize>], preds: &[Vec<usize>]) -> (Vec<Option<usize>>, Vec<bool>) {
    let n = succs.len();
    let rpo = reverse_postorder(succs);
    let mut order = vec![usize::MAX; n];
    for (i, &b) in rpo.iter().enumerate() {
        order[b] = i;
    }
    let reachable: Vec<bool> = order.iter().map(|&o| o != usize::MAX).collect();
    let mut idom: Vec<Option<usize>> = vec![None; n];
    if n == 0 {
        return (idom, reachable);
    }
    idom[0] = Some(0);
    let mut changed = true;
    let mut rounds = 0;
    while changed && rounds < n + 2 {
        changed = false;
        rounds += 1;
        for &b in rpo.iter().skip(1) {
            let mut new: Option<usize> = None;
            for &p in &preds[b] {
                if idom[p].is_none() {
                    continue;
                }
                new = Some(match new {
                    None => p,
                    Some(cur) => intersect(&idom, &order, p, cur),
                });
            }
            if new.is_some() && idom[b] != new {
                idom[b] = new;
                changed = true;
            }
        }
    }
    idom[0] = None;
    (idom, reachable)
}

fn intersect(idom: &[Option<usize>], order: &[usize], a: usize, b: usize) -> usize {
    let (mut x, mut y) = (a, b);
    let mut guard = 0;
    while x != y && guard < 4 * idom.len() + 4 {
        guard += 1;
        while order[x] > order[y] {
            match idom[x] {
                Some(p) if p != x => x = p,
                _ => return y,
            }
        }
        while order[y] > order[x] {
            match idom[y] {
                Some(p) if p != y => y = p,
                _ => return x,
            }
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::super::super::module::parse;
    use super::*;

    #[test]
    fn diamond_and_loop() {
        let src = "define void @f(i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  br label %j
b:
  br label %j
j:
  br i1 %c, label %j, label %x
x:
  ret void
}
";
        let m = parse(src).expect("parses");
        let cfg = Cfg::build(&m.functions[0]).expect("cfg");
        let ix = |s: &str| cfg.index[s];
        assert!(cfg.dominates(ix("%entry"), ix("%j")));
        assert!(!cfg.dominates(ix("%a"), ix("%j")));
        assert!(cfg.dominates(ix("%j"), ix("%x")));
        assert_eq!(cfg.idom[ix("%j")], Some(ix("%entry")));
        assert!(cfg.preds[ix("%j")].contains(&ix("%j")));
    }

    #[test]
    fn unknown_target_gives_none() {
        let m = parse("define void @f() {\n  br label %nowhere\n}\n").expect("parses");
        assert!(Cfg::build(&m.functions[0]).is_none());
    }
}
