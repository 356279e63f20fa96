//! Counters of what the pass did, printed under `--verbose`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Named counters. Names are `group.item`; groups are printed together.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    counts: BTreeMap<&'static str, u64>,
}

impl Stats {
    /// Adds `n` to a counter.
    pub fn add(&mut self, name: &'static str, n: u64) {
        *self.counts.entry(name).or_default() += n;
    }

    /// Adds one to a counter.
    pub fn bump(&mut self, name: &'static str) {
        self.add(name, 1);
    }

    /// A counter's value.
    pub fn get(&self, name: &str) -> u64 {
        self.counts.get(name).copied().unwrap_or(0)
    }

    /// Sum of the counters whose name starts with `prefix`.
    pub fn sum(&self, prefix: &str) -> u64 {
        self.counts
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| *v)
            .sum()
    }

    /// The report printed by `--verbose`: one line per group, `group: item N, item N`.
    pub fn report(&self) -> String {
        // (prefix, title, counter giving the total; empty = the sum of the group)
        const GROUPS: [(&str, &str, &str); 9] = [
            ("access.", "plain accesses seen", ""),
            ("check.", "checks placed", ""),
            ("detail.", "of these, unaligned or volatile hooks", ""),
            ("skip.", "checks not needed", ""),
            ("atomic.", "atomics replaced", ""),
            ("mem.", "memory intrinsics replaced or checked", ""),
            ("func.", "functions", "func.defined"),
            ("loop.", "loops given range checks", "loop.ranged"),
            ("untouched.", "left untouched", ""),
        ];
        let mut out = String::new();
        for (prefix, title, total_key) in GROUPS {
            let items: Vec<String> = self
                .counts
                .iter()
                .filter(|(k, v)| k.starts_with(prefix) && **k != total_key && **v > 0)
                .map(|(k, v)| format!("{} {v}", k[prefix.len()..].replace('_', " ")))
                .collect();
            let total = if total_key.is_empty() {
                self.sum(prefix)
            } else {
                self.get(total_key)
            };
            let _ = writeln!(
                out,
                "hbsan instrument: {title}: {total}{}{}",
                if items.is_empty() { "" } else { " (" },
                if items.is_empty() {
                    String::new()
                } else {
                    items.join(", ") + ")"
                }
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_groups() {
        let mut s = Stats::default();
        s.bump("check.read");
        s.add("check.range", 2);
        s.bump("untouched.unsized");
        let r = s.report();
        assert!(r.contains("checks placed: 3 (range 2, read 1)"));
        assert!(r.contains("left untouched: 1 (unsized 1)"));
        s.add("loop.ranged", 2);
        s.add("loop.accesses_covered", 5);
        assert!(
            s.report()
                .contains("loops given range checks: 2 (accesses covered 5)")
        );
        assert!(r.contains("atomics replaced: 0\n"));
        assert_eq!(s.sum("check."), 3);
    }
}
