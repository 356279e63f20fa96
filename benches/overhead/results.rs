//! Collected samples per workload and variant, and what is derived from them: medians over the
//! counted runs, ratios between variants (paired by round), verdicts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::link::{VARIANTS, Variant};
use crate::measure::Sample;
use crate::stats::{median, spread_pct};
use crate::workloads::Kind;

/// One variant of one workload.
pub struct Cell {
    /// The executable, or why this variant could not be built (e.g. hbsan unavailable).
    pub exe: Result<PathBuf, String>,
    pub warmup: Vec<Sample>,
    pub counted: Vec<Sample>,
    /// Set when later runs were skipped (after a timeout).
    pub stopped: Option<String>,
    /// A copy of stderr of the first run that reported a race or failed.
    pub saved_log: Option<PathBuf>,
}

pub struct Medians {
    pub wall: f64,
    pub cpu: f64,
    pub rss_kib: f64,
    /// (max - min) / median of the wall times, percent.
    pub wall_spread: f64,
}

impl Cell {
    pub fn new(exe: Result<PathBuf, String>) -> Cell {
        Cell {
            exe,
            warmup: Vec::new(),
            counted: Vec::new(),
            stopped: None,
            saved_log: None,
        }
    }

    fn all_runs(&self) -> impl Iterator<Item = &Sample> {
        self.warmup.iter().chain(&self.counted)
    }

    /// Counted runs that did not exit as expected.
    pub fn failed_runs(&self, expected_exit: i32) -> usize {
        self.counted.iter().filter(|s| !s.ok(expected_exit)).count()
    }

    /// Medians of the counted runs, only when every counted run succeeded: a failing workload
    /// is reported, never averaged.
    pub fn medians(&self, expected_exit: i32) -> Option<Medians> {
        if self.counted.is_empty() || self.failed_runs(expected_exit) > 0 || self.stopped.is_some()
        {
            return None;
        }
        let wall: Vec<f64> = self.counted.iter().map(|s| s.wall).collect();
        let cpu: Vec<f64> = self.counted.iter().map(|s| s.cpu).collect();
        let rss: Vec<f64> = self.counted.iter().map(|s| s.maxrss_kib as f64).collect();
        Some(Medians {
            wall: median(&wall)?,
            cpu: median(&cpu)?,
            rss_kib: median(&rss)?,
            wall_spread: spread_pct(&wall).unwrap_or(0.0),
        })
    }

    /// Verdict counts over all runs (warm-up included), e.g. {"clean": 6} or {"race": 5, "clean": 1}.
    pub fn verdicts(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for s in self.all_runs() {
            *m.entry(s.verdict()).or_insert(0) += 1;
        }
        m
    }

    /// "clean", "race", "clean 4/6, race 2/6", or "n/a" when it never ran.
    pub fn verdict_text(&self) -> String {
        let v = self.verdicts();
        let n: usize = v.values().sum();
        match v.len() {
            0 => "n/a".into(),
            1 => v.keys().next().unwrap().clone(),
            _ => v
                .iter()
                .map(|(k, c)| format!("{k} {c}/{n}"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

#[derive(Clone, Copy)]
pub enum Metric {
    Wall,
    Cpu,
    Rss,
}

impl Metric {
    /// The metric's value in one run.
    fn of(self, s: &Sample) -> f64 {
        match self {
            Metric::Wall => s.wall,
            Metric::Cpu => s.cpu,
            Metric::Rss => s.maxrss_kib as f64,
        }
    }
}

/// One workload: its three cells (indexed by `Variant::index`).
pub struct Row {
    pub name: &'static str,
    pub kind: Kind,
    pub what: String,
    pub expected_exit: i32,
    /// Set when the workload could not be built at all (no row of numbers).
    pub build_error: Option<String>,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, v: Variant) -> &Cell {
        &self.cells[v.index()]
    }

    pub fn cell_mut(&mut self, v: Variant) -> &mut Cell {
        &mut self.cells[v.index()]
    }

    pub fn medians(&self, v: Variant) -> Option<Medians> {
        self.cells.get(v.index())?.medians(self.expected_exit)
    }

    /// `num / den` for `metric`, paired by round: the median over the counted rounds of the
    /// two variants' ratio in that round. The variants of a workload run back to back in each
    /// round, so a round compares them under the same conditions; this machine changes state
    /// every few minutes (workloads that move cache lines between the cores run 2-3x slower in
    /// one state), and the ratio of the two medians can pair a fast round of one variant with a
    /// slow round of the other (docs/PERFORMANCE.md §34). None unless both variants have
    /// medians (every counted run succeeded) for the same rounds.
    pub fn ratio(&self, num: Variant, den: Variant, metric: Metric) -> Option<f64> {
        let (a, b) = (self.cell(num), self.cell(den));
        self.medians(num)?;
        self.medians(den)?;
        if a.counted.len() != b.counted.len() {
            return None;
        }
        let per_round: Vec<f64> = a
            .counted
            .iter()
            .zip(&b.counted)
            .filter(|(_, y)| metric.of(y) > 0.0)
            .map(|(x, y)| metric.of(x) / metric.of(y))
            .collect();
        if per_round.len() != a.counted.len() {
            return None;
        }
        median(&per_round)
    }

    /// `num / den` of the medians of `metric` (unpaired), when both variants have them.
    pub fn ratio_of_medians(&self, num: Variant, den: Variant, metric: Metric) -> Option<f64> {
        let (a, b) = (self.medians(num)?, self.medians(den)?);
        let pick = |m: &Medians| match metric {
            Metric::Wall => m.wall,
            Metric::Cpu => m.cpu,
            Metric::Rss => m.rss_kib,
        };
        (pick(&b) > 0.0).then(|| pick(&a) / pick(&b))
    }

    /// Do libtsan and hbsan reach the same verdicts? None unless both ran.
    pub fn verdicts_agree(&self) -> Option<bool> {
        let t = self.cell(Variant::Libtsan).verdicts();
        let h = self.cell(Variant::Hbsan).verdicts();
        if t.is_empty() || h.is_empty() {
            return None;
        }
        Some(t.keys().eq(h.keys()))
    }

    pub fn unbuilt(name: &'static str, kind: Kind, what: String, error: String) -> Row {
        Row {
            name,
            kind,
            what,
            expected_exit: 0,
            build_error: Some(error),
            cells: VARIANTS
                .iter()
                .map(|_| Cell::new(Err("not built".into())))
                .collect(),
        }
    }
}
