//! Overhead benchmark: hbsan against gcc's libtsan (and an uninstrumented baseline) on the very
//! same instrumented object files.
//!
//!     cargo bench --bench overhead                       # full: 1 warm-up + 5 counted rounds
//!     HBSAN_BENCH_QUICK=1 cargo bench --bench overhead   # smoke test: small inputs, 2 rounds
//!
//! For each workload (benches/workloads/*.c, plus zstd and SQLite built from the C sources inside
//! the zstd-sys and libsqlite3-sys crates, see benches/real/) every source is compiled once
//! without and once with `-fsanitize=thread`, then linked three ways: native, libtsan
//! (`gcc -fsanitize=thread`) and hbsan (`target/release/hbsan cc`). The variants run alternately;
//! each run records wall time, CPU time and peak RSS (`wait4`) and the detector's verdict.
//!
//! Outputs: target/bench/overhead.md (tables), target/bench/overhead.png (chart), progress and
//! the tables on stdout, and as the very last line the geometric means of hbsan/libtsan.
//!
//! Other knobs: HBSAN_BENCH_ROUNDS (counted rounds), HBSAN_BENCH_ONLY=name,name,
//! HBSAN_BENCH_TIMEOUT (seconds per run), HBSAN_BIN (the hbsan driver to use).

#[path = "overhead/chart.rs"]
mod chart;
#[path = "overhead/compile.rs"]
mod compile;
#[path = "overhead/config.rs"]
mod config;
#[path = "overhead/json.rs"]
mod json;
#[path = "overhead/launcher.rs"]
mod launcher;
#[path = "overhead/link.rs"]
mod link;
#[path = "overhead/measure.rs"]
mod measure;
#[path = "overhead/real.rs"]
mod real;
#[path = "overhead/results.rs"]
mod results;
#[path = "overhead/rounds.rs"]
mod rounds;
#[path = "overhead/stats.rs"]
mod stats;
#[path = "overhead/table.rs"]
mod table;
#[path = "overhead/workloads.rs"]
mod workloads;

use std::fs;
use std::time::Instant;

use config::Config;
use link::{VARIANTS, Variant};
use results::{Cell, Metric, Row};
use workloads::{Kind, Workload};

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not, and must not start a
    // twenty-minute measurement.
    if !std::env::args().any(|a| a == "--bench") {
        println!("overhead: not run (no --bench flag); use `cargo bench --bench overhead`");
        return;
    }
    let started = Instant::now();
    let cfg = Config::from_env();
    for dir in [
        cfg.obj_dir(),
        cfg.bin_dir(),
        cfg.log_dir(),
        cfg.report_dir(),
    ] {
        if let Err(e) = fs::create_dir_all(&dir) {
            eprintln!("overhead: cannot create {}: {e}", dir.display());
            std::process::exit(1);
        }
    }
    let mode = format!(
        "{} ({} warm-up + {} counted rounds, variants alternated native/libtsan/hbsan within each round; per-run timeout {} s)",
        if cfg.quick {
            "quick (HBSAN_BENCH_QUICK=1, small inputs)"
        } else {
            "full"
        },
        cfg.warmups,
        cfg.rounds,
        cfg.timeout.as_secs()
    );
    println!("overhead: {mode}");
    for var in ["TSAN_OPTIONS", "HBSAN_OPTIONS"] {
        if let Ok(v) = std::env::var(var) {
            println!("overhead: note: {var}={v:?} is set and passed to the runs");
        }
    }
    let load_start = loadavg();

    // What to measure.
    let mut all: Vec<Workload> = workloads::synthetic(&cfg.root, cfg.quick);
    let mut unbuilt: Vec<Row> = Vec::new();
    let mut sources_note = None;
    match real::locate(&cfg).and_then(|src| {
        sources_note = Some(format!(
            "zstd from `{}`, SQLite from `{}` (fetched by cargo, not vendored)",
            src.zstd_lib.display(),
            src.sqlite_dir.display()
        ));
        real::workloads(&cfg, &src)
    }) {
        Ok(ws) => all.extend(ws),
        Err(e) => {
            println!("overhead: real programs unavailable: {e}");
            for name in ["zstd_mt", "sqlite_mt"] {
                unbuilt.push(Row::unbuilt(name, Kind::Real, "-".into(), e.clone()));
            }
        }
    }
    all.retain(|w| cfg.selected(w.name));
    unbuilt.retain(|r| cfg.selected(r.name));

    // Build: objects (cached), then the three executables per workload.
    let objects = compile::compile_all(&cfg, &all);
    let mut rows = Vec::new();
    let mut runnable: Vec<Option<&Workload>> = Vec::new();
    for (w, objs) in all.iter().zip(objects) {
        match objs {
            Err(e) => {
                rows.push(Row::unbuilt(w.name, w.kind, w.what.clone(), e));
                runnable.push(None);
            }
            Ok(objs) => {
                let cells = VARIANTS
                    .iter()
                    .map(|&v| Cell::new(link::link(&cfg, w, &objs, v)))
                    .collect();
                rows.push(Row {
                    name: w.name,
                    kind: w.kind,
                    what: w.what.clone(),
                    expected_exit: w.expected_exit,
                    build_error: None,
                    cells,
                });
                runnable.push(Some(w));
            }
        }
    }
    for row in &rows {
        for v in [Variant::Native, Variant::Libtsan] {
            if let Err(e) = &row.cell(v).exe {
                println!("overhead: {} {}: cannot link: {e}", row.name, v.name());
            }
        }
    }
    let (hbsan_available, hbsan_status) = hbsan_status(&cfg, &rows);
    if hbsan_available {
        println!("overhead: hbsan available: {hbsan_status}");
    } else {
        println!("overhead: hbsan UNAVAILABLE: {hbsan_status}; measuring native and libtsan only");
    }
    let (method, method_note) = launcher::build(&cfg);

    // Measure.
    let (mut ws, mut rs): (Vec<&Workload>, Vec<&mut Row>) = (Vec::new(), Vec::new());
    for (w, row) in runnable.iter().zip(rows.iter_mut()) {
        if let Some(w) = w {
            ws.push(*w);
            rs.push(row);
        }
    }
    rounds::run_all(&cfg, &method, &ws, &mut rs);
    rows.extend(unbuilt);

    // Report.
    let info = table::RunInfo {
        mode,
        machine: machine(),
        gcc: compile::gcc_version(),
        hbsan: hbsan_status.clone(),
        hbsan_available,
        load_start,
        load_end: loadavg(),
        measurement: method_note,
        rss_floor_kib: rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .flat_map(|c| c.warmup.iter().chain(&c.counted))
            .map(|s| s.floor_kib)
            .max()
            .unwrap_or(0),
        elapsed_s: started.elapsed().as_secs_f64(),
        sources_note,
    };
    let md = table::markdown(&info, &rows);
    let md_path = cfg.out.join("overhead.md");
    match fs::write(&md_path, &md) {
        Ok(()) => println!("\noverhead: wrote {}", md_path.display()),
        Err(e) => println!("\noverhead: cannot write {}: {e}", md_path.display()),
    }
    println!("\n{md}");
    let png = cfg.out.join("overhead.png");
    let subtitle = format!(
        "{}; gcc -O2 -g; medians of {} runs{}",
        if cfg.quick { "quick mode" } else { "full run" },
        cfg.rounds,
        if hbsan_available {
            String::new()
        } else {
            "; hbsan UNAVAILABLE".into()
        }
    );
    match chart::draw(&png, &rows, &subtitle) {
        Ok(()) => println!("overhead: wrote {}", png.display()),
        Err(e) => println!("overhead: chart not drawn: {e}"),
    }
    println!(
        "overhead: total time {:.0} s",
        started.elapsed().as_secs_f64()
    );

    let time = geomean_hbsan_libtsan(&rows, Metric::Wall);
    let rss = geomean_hbsan_libtsan(&rows, Metric::Rss);
    println!(
        "geomean time ratio hbsan/libtsan = {}, geomean rss ratio hbsan/libtsan = {}",
        fmt_geo(time),
        fmt_geo(rss)
    );
}

/// Whether hbsan could be used, and a sentence saying so (printed and put in the table).
fn hbsan_status(cfg: &Config, rows: &[Row]) -> (bool, String) {
    let errors: Vec<(&str, &String)> = rows
        .iter()
        .filter(|r| r.build_error.is_none())
        .filter_map(|r| {
            r.cell(Variant::Hbsan)
                .exe
                .as_ref()
                .err()
                .map(|e| (r.name, e))
        })
        .collect();
    let built = rows.iter().filter(|r| r.build_error.is_none()).count();
    if !cfg.hbsan.exists() {
        return (false, format!("{} not found", cfg.hbsan.display()));
    }
    if built > 0 && errors.len() == built {
        return (false, errors[0].1.lines().next().unwrap_or("").to_string());
    }
    let mut s = cfg.hbsan.display().to_string();
    if !errors.is_empty() {
        let names: Vec<&str> = errors.iter().map(|(n, _)| *n).collect();
        s.push_str(&format!(
            " (but `hbsan cc` failed for {})",
            names.join(", ")
        ));
        for (name, e) in &errors {
            println!("overhead: hbsan cc failed for {name}: {e}");
        }
    }
    (true, s)
}

fn geomean_hbsan_libtsan(rows: &[Row], metric: Metric) -> Option<f64> {
    let ratios: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.ratio(Variant::Hbsan, Variant::Libtsan, metric))
        .collect();
    stats::geomean(&ratios)
}

fn fmt_geo(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |x| format!("{x:.2}"))
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let n = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(String::new(), |kb| {
            format!(", {:.0} GiB RAM", kb / 1048576.0)
        });
    format!("{cpu}, {n} CPUs{mem}")
}
