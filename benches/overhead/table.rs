//! The markdown report (target/bench/overhead.md): run context, ratio table, per-variant medians,
//! workload descriptions, failures and saved race reports.

use std::fmt::Write;

use crate::link::{VARIANTS, Variant};
use crate::results::{Metric, Row};
use crate::stats::geomean;
use crate::workloads::Kind;

/// Facts about the run that are not per-workload.
pub struct RunInfo {
    pub mode: String,
    pub machine: String,
    pub gcc: String,
    /// "available: ..." or "UNAVAILABLE: why".
    pub hbsan: String,
    pub hbsan_available: bool,
    pub load_start: String,
    pub load_end: String,
    /// How runs were started and measured (launcher or direct).
    pub measurement: String,
    /// The largest peak RSS of a spawning process seen before a run: no smaller RSS is measurable.
    pub rss_floor_kib: u64,
    pub elapsed_s: f64,
    pub sources_note: Option<String>,
}

/// The three ratios of the table and the chart: (numerator, denominator, heading).
pub const RATIOS: [(Variant, Variant, &str); 3] = [
    (Variant::Libtsan, Variant::Native, "libtsan/native"),
    (Variant::Hbsan, Variant::Native, "hbsan/native"),
    (Variant::Hbsan, Variant::Libtsan, "hbsan/libtsan"),
];

pub fn markdown(info: &RunInfo, rows: &[Row]) -> String {
    let mut md = String::new();
    let _ = write_all(&mut md, info, rows);
    md
}

fn write_all(md: &mut String, info: &RunInfo, rows: &[Row]) -> std::fmt::Result {
    writeln!(md, "# hbsan overhead: native vs libtsan vs hbsan\n")?;
    writeln!(md, "- mode: {}", info.mode)?;
    writeln!(
        md,
        "- machine: {}; load average {} at start, {} at end",
        info.machine, info.load_start, info.load_end
    )?;
    writeln!(
        md,
        "- compiler: {}; each source compiled once as `-O2 -g` (native) and once as \
         `-fsanitize=thread -O2 -g` (the instrumented object linked by both libtsan and hbsan)",
        info.gcc
    )?;
    if info.hbsan_available {
        writeln!(md, "- hbsan: {}", info.hbsan)?;
    } else {
        writeln!(
            md,
            "- **hbsan: UNAVAILABLE** ({}); its columns are n/a",
            info.hbsan
        )?;
    }
    if let Some(note) = &info.sources_note {
        writeln!(md, "- real programs: {note}")?;
    }
    writeln!(
        md,
        "- time = median wall-clock seconds of the counted runs; RSS = median peak RSS (`ru_maxrss` from `wait4`); \
         ratios are paired by round (the median over the counted rounds of the two variants' ratio in \
         that round; the unpaired ratio of the medians is shown for hbsan/libtsan time); \
         {}; RSS floor {:.1} MiB (Linux starts a child's `ru_maxrss` at the spawning process's peak)",
        info.measurement,
        info.rss_floor_kib as f64 / 1024.0
    )?;
    writeln!(md, "- total benchmark time: {:.0} s\n", info.elapsed_s)?;

    ratio_table(md, rows)?;
    medians_table(md, rows, info.hbsan_available)?;
    workloads_table(md, rows)?;
    problems(md, rows)?;
    Ok(())
}

fn ratio_table(md: &mut String, rows: &[Row]) -> std::fmt::Result {
    writeln!(md, "## Ratios\n")?;
    let mut head = String::from("| workload |");
    let mut rule = String::from("|---|");
    for metric in ["time", "RSS"] {
        for (_, _, name) in RATIOS {
            write!(head, " {metric} {name} |")?;
            rule.push_str("---:|");
        }
    }
    writeln!(
        md,
        "{head} CPU hbsan/libtsan | time hbsan/libtsan, ratio of medians | verdicts libtsan / hbsan | agree |"
    )?;
    writeln!(md, "{rule}---:|---:|---|---|")?;
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); 8];
    for row in rows {
        write!(md, "| {} |", label(row))?;
        if let Some(err) = &row.build_error {
            writeln!(md, " not built: {} ||||||||||", one_line(err))?;
            continue;
        }
        let mut col = 0;
        for metric in [Metric::Wall, Metric::Rss] {
            for (num, den, _) in RATIOS {
                let r = row.ratio(num, den, metric);
                if let Some(x) = r {
                    columns[col].push(x);
                }
                write!(md, " {} |", fmt_ratio(r))?;
                col += 1;
            }
        }
        let cpu = row.ratio(Variant::Hbsan, Variant::Libtsan, Metric::Cpu);
        if let Some(x) = cpu {
            columns[6].push(x);
        }
        let unpaired = row.ratio_of_medians(Variant::Hbsan, Variant::Libtsan, Metric::Wall);
        if let Some(x) = unpaired {
            columns[7].push(x);
        }
        let agree = match row.verdicts_agree() {
            Some(true) => "yes",
            Some(false) => "**NO**",
            None => "n/a",
        };
        writeln!(
            md,
            " {} | {} | {} / {} | {agree} |",
            fmt_ratio(cpu),
            fmt_ratio(unpaired),
            row.cell(Variant::Libtsan).verdict_text(),
            row.cell(Variant::Hbsan).verdict_text()
        )?;
    }
    write!(md, "| **geomean** |")?;
    for c in &columns {
        write!(md, " {} |", fmt_ratio(geomean(c)))?;
    }
    writeln!(md, " | |\n")
}

fn medians_table(md: &mut String, rows: &[Row], hbsan_available: bool) -> std::fmt::Result {
    writeln!(md, "## Medians per variant\n")?;
    writeln!(
        md,
        "| workload | variant | wall s | wall spread | CPU s | peak RSS MiB | counted runs ok | verdicts (all runs) |"
    )?;
    writeln!(md, "|---|---|---:|---:|---:|---:|---:|---|")?;
    for row in rows.iter().filter(|r| r.build_error.is_none()) {
        for v in VARIANTS {
            let cell = row.cell(v);
            let ok = cell.counted.len() - cell.failed_runs(row.expected_exit);
            let (wall, spread, cpu, rss) = match (&cell.exe, cell.medians(row.expected_exit)) {
                (Err(_), _) if v == Variant::Hbsan && !hbsan_available => (
                    "unavailable".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
                (Err(why), _) => (
                    format!("unavailable: {}", one_line(why)),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
                (Ok(_), Some(m)) => (
                    format!("{:.3}", m.wall),
                    format!("{:.0}%", m.wall_spread),
                    format!("{:.3}", m.cpu),
                    format!("{:.1}", m.rss_kib / 1024.0),
                ),
                (Ok(_), None) => (
                    "**FAILED**".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
            };
            writeln!(
                md,
                "| {} | {} | {wall} | {spread} | {cpu} | {rss} | {ok}/{} | {} |",
                label(row),
                v.name(),
                cell.counted.len(),
                cell.verdict_text()
            )?;
        }
    }
    writeln!(md)
}

fn workloads_table(md: &mut String, rows: &[Row]) -> std::fmt::Result {
    writeln!(md, "## Workloads\n")?;
    writeln!(md, "| workload | kind | what |")?;
    writeln!(md, "|---|---|---|")?;
    for row in rows {
        let kind = match row.kind {
            Kind::Synthetic => "synthetic",
            Kind::Real => "real program",
        };
        writeln!(md, "| {} | {kind} | {} |", row.name, row.what)?;
    }
    writeln!(md)
}

fn problems(md: &mut String, rows: &[Row]) -> std::fmt::Result {
    let mut lines = Vec::new();
    for row in rows {
        if let Some(err) = &row.build_error {
            lines.push(format!("- `{}`: not built: {}", row.name, one_line(err)));
            continue;
        }
        for v in VARIANTS {
            let cell = row.cell(v);
            let failed = cell.failed_runs(row.expected_exit);
            let mut what = Vec::new();
            if failed > 0 {
                what.push(format!(
                    "{failed}/{} counted runs did not exit with {} (verdicts: {})",
                    cell.counted.len(),
                    row.expected_exit,
                    cell.verdict_text()
                ));
            } else if cell.verdicts().keys().any(|k| k.starts_with("race")) {
                what.push(format!("reported races ({})", cell.verdict_text()));
            }
            if let Some(stop) = &cell.stopped {
                what.push(stop.clone());
            }
            if what.is_empty() {
                continue;
            }
            let mut line = format!("- `{}` {}: {}", row.name, v.name(), what.join("; "));
            if let Some(log) = &cell.saved_log {
                write!(line, "; stderr saved in `{}`", log.display())?;
            }
            lines.push(line);
        }
    }
    if !lines.is_empty() {
        writeln!(md, "## Failures and reports\n")?;
        for l in lines {
            writeln!(md, "{l}")?;
        }
        writeln!(md)?;
    }
    Ok(())
}

fn label(row: &Row) -> String {
    match row.kind {
        Kind::Synthetic => row.name.to_string(),
        Kind::Real => format!("{} (real)", row.name),
    }
}

pub fn fmt_ratio(r: Option<f64>) -> String {
    match r {
        Some(x) if x >= 10.0 => format!("{x:.1}x"),
        Some(x) => format!("{x:.2}x"),
        None => "n/a".into(),
    }
}

fn one_line(s: &str) -> String {
    let first = s.lines().next().unwrap_or("").replace('|', "\\|");
    if s.lines().count() > 1 {
        format!("{first} …")
    } else {
        first
    }
}
