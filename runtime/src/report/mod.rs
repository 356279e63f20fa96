//! Race reports: finding out what the two accesses were, deciding whether
//! to show the report, and writing it out whole.

pub mod benign;
pub mod elf;
pub mod go_text;
pub mod json;
pub mod model;
pub mod output;
pub mod race;
pub mod stack_depot;
pub mod suppressions;
pub mod symbolize;
pub mod tsan_text;

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::collections::HashSet;

use crate::platform::lock::{ForkHold, Mutex};

use crate::options::{Format, Options};
use crate::runtime::World;
use model::RaceReport;
use output::Sink;
use symbolize::Symbolizer;

/// Counts, filters and prints reports. One report is written at a time.
pub struct Reporter {
    state: Mutex<State>,
    count: AtomicU64,
    /// Memory declared racy on purpose: races on it are not reported.
    pub benign: benign::BenignRanges,
}

struct State {
    sink: Sink,
    /// Pairs of stacks already reported (`suppress_equal_stacks`).
    stacks: HashSet<(u64, u64)>,
    /// Address ranges already reported (`suppress_equal_addresses`).
    ranges: HashSet<(usize, usize)>,
}

/// What became of a report.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Printed and counted.
    Reported,
    /// A duplicate of an earlier report.
    Duplicate,
}

impl Reporter {
    /// A reporter writing where `options` say.
    pub fn new(options: &Options) -> Reporter {
        Reporter {
            state: Mutex::new(State {
                sink: Sink::open(options.log_path.as_deref()),
                stacks: HashSet::new(),
                ranges: HashSet::new(),
            }),
            count: AtomicU64::new(0),
            benign: benign::BenignRanges::new(),
        }
    }

    /// Number of reports so far.
    pub fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    /// Whether a race at exactly `[addr, addr+size)` was reported already.
    pub fn seen_range(&self, addr: usize, size: usize) -> bool {
        self.state.lock().ranges.contains(&(addr, size))
    }

    /// Formats and prints `r` unless it duplicates an earlier one.
    pub fn emit(
        &self,
        r: &RaceReport,
        world: World,
        sym: &Symbolizer,
        options: &Options,
    ) -> Verdict {
        let mut st = self.state.lock();
        let stacks = stack_pair_key(r);
        let range = (r.current.addr, r.current.size);
        if (options.suppress_equal_stacks && st.stacks.contains(&stacks))
            || (options.suppress_equal_addresses && st.ranges.contains(&range))
        {
            return Verdict::Duplicate;
        }
        st.stacks.insert(stacks);
        st.ranges.insert(range);
        if options.report_bugs {
            let text = match (options.format, world) {
                (Format::Json, _) => race::json(r, sym, &options.strip_path_prefix),
                (Format::Text, World::Go) => go_text::format(r, sym, &options.strip_path_prefix),
                (Format::Text, World::Native) => {
                    race::tsan_text(r, sym, &options.strip_path_prefix)
                }
            };
            st.sink.write(&text);
        }
        self.count.fetch_add(1, Relaxed);
        Verdict::Reported
    }

    /// Holds the reporter's lock across `fork`.
    pub(crate) fn hold_for_fork(&'static self, hold: &mut ForkHold) {
        hold.hold(self.state.lock());
        self.benign.hold_for_fork(hold);
    }

    /// Writes `text` to the report sink (summaries at exit).
    pub fn write(&self, text: &str) {
        self.state.lock().sink.write(text);
    }
}

/// A key for the unordered pair of the two stacks.
fn stack_pair_key(r: &RaceReport) -> (u64, u64) {
    let h = |s: &Option<Vec<u64>>| {
        s.as_deref()
            .unwrap_or(&[])
            .iter()
            .fold(0x9e37_79b9_7f4a_7c15u64, |h, &pc| {
                (h ^ pc).wrapping_mul(0x0100_0000_01b3)
            })
    };
    let (a, b) = (h(&r.current.stack), h(&r.previous.stack));
    (a.min(b), a.max(b))
}
