//! The measurement loop: warm-up and counted rounds; in each round every workload runs its
//! variants one after the other (native, libtsan, hbsan, then the next workload), so slow drifts
//! in machine load (other builds on this shared machine) hit all variants alike.
//!
//! Time limits: native and libtsan get the configured timeout; hbsan gets 10x libtsan's first
//! run of the same workload (at least 30 s, at most the timeout), so that a slow or hung hbsan
//! cannot push the whole benchmark far past its time budget. A run that times out is not
//! repeated.

use std::fs;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::link::{VARIANTS, Variant};
use crate::measure::{self, Method, Outcome};
use crate::results::Row;
use crate::workloads::Workload;

pub fn run_all(cfg: &Config, method: &Method, workloads: &[&Workload], rows: &mut [&mut Row]) {
    let total = cfg.warmups + cfg.rounds;
    let mut first_round_s = None;
    for round in 0..total {
        let warm = round < cfg.warmups;
        let started = Instant::now();
        println!(
            "-- round {}/{total}{}",
            round + 1,
            if warm { " (warm-up, not counted)" } else { "" }
        );
        for (w, row) in workloads.iter().zip(rows.iter_mut()) {
            if row.build_error.is_some() {
                continue;
            }
            for v in VARIANTS {
                let limit = time_limit(cfg, row, v);
                let cell = row.cell_mut(v);
                let Ok(exe) = cell.exe.clone() else { continue };
                if cell.stopped.is_some() {
                    continue;
                }
                let out = cfg
                    .log_dir()
                    .join(format!("{}.{}.stdout", w.name, v.name()));
                let err = cfg
                    .log_dir()
                    .join(format!("{}.{}.stderr", w.name, v.name()));
                let s = measure::run(method, &exe, &w.args, &out, &err, limit);
                let note = match &s.outcome {
                    Outcome::SpawnError(e) => format!(" ({e})"),
                    _ if !s.ok(w.expected_exit) => " FAILED".to_string(),
                    _ => String::new(),
                };
                println!(
                    "   {:<14} {:<8} wall {:>8.3} s  cpu {:>8.3} s  rss {:>8.1} MiB  {}{note}",
                    w.name,
                    v.name(),
                    s.wall,
                    s.cpu,
                    s.maxrss_kib as f64 / 1024.0,
                    s.verdict()
                );
                if (s.reports > 0 || !s.ok(w.expected_exit)) && cell.saved_log.is_none() {
                    let keep = cfg.report_dir().join(format!(
                        "{}.{}.round{}.stderr.txt",
                        w.name,
                        v.name(),
                        round + 1
                    ));
                    if fs::copy(&err, &keep).is_ok() {
                        cell.saved_log = Some(keep);
                    }
                }
                if s.outcome == Outcome::Timeout {
                    cell.stopped = Some(format!(
                        "killed after the {} s timeout in round {}; later runs skipped",
                        limit.as_secs(),
                        round + 1
                    ));
                }
                if let Outcome::SpawnError(e) = &s.outcome {
                    cell.stopped = Some(format!("could not start: {e}"));
                }
                if warm {
                    cell.warmup.push(s);
                } else {
                    cell.counted.push(s);
                }
            }
        }
        let took = started.elapsed().as_secs_f64();
        let first = *first_round_s.get_or_insert(took);
        let left = total - round - 1;
        if left > 0 {
            println!(
                "-- round took {took:.0} s; about {:.0} s to go",
                first.max(took) * left as f64
            );
        }
    }
}

fn time_limit(cfg: &Config, row: &Row, v: Variant) -> Duration {
    if v != Variant::Hbsan {
        return cfg.timeout;
    }
    let tsan = row.cell(Variant::Libtsan);
    match tsan.warmup.iter().chain(&tsan.counted).next() {
        Some(first) if first.ok(row.expected_exit) => {
            Duration::from_secs_f64((first.wall * 10.0).max(30.0).min(cfg.timeout.as_secs_f64()))
        }
        _ => cfg.timeout,
    }
}
