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
#[path = "overhead/host.rs"]
mod host;
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
    let load_start = host::loadavg();

    let (all, unbuilt, sources_note) = collect_workloads(&cfg);
    let (mut rows, runnable) = build(&cfg, &all);
    let (hbsan_available, hbsan_status) = link::hbsan_status(&cfg, &rows);
    if hbsan_available {
        println!("overhead: hbsan available: {hbsan_status}");
    } else {
        println!("overhead: hbsan UNAVAILABLE: {hbsan_status}; measuring native and libtsan only");
    }
    let (method, measurement) = launcher::build(&cfg);

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

    let info = table::RunInfo {
        mode,
        machine: host::machine(),
        gcc: compile::gcc_version(),
        hbsan: hbsan_status,
        hbsan_available,
        load_start,
        load_end: host::loadavg(),
        measurement,
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
    write_outputs(&cfg, &info, &rows);
    println!(
        "overhead: total time {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let unpaired: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.ratio_of_medians(Variant::Hbsan, Variant::Libtsan, Metric::Wall))
        .collect();
    println!(
        "overhead: ratios paired by round; unpaired (ratio of the medians), geomean time ratio hbsan/libtsan = {}",
        fmt_geo(stats::geomean(&unpaired))
    );
    println!(
        "geomean time ratio hbsan/libtsan = {}, geomean rss ratio hbsan/libtsan = {}",
        fmt_geo(geomean_hbsan_libtsan(&rows, Metric::Wall)),
        fmt_geo(geomean_hbsan_libtsan(&rows, Metric::Rss))
    );
}

/// The workloads to measure (synthetic and real, filtered by HBSAN_BENCH_ONLY), rows for real
/// programs whose sources could not be found, and a note on where the real sources came from.
fn collect_workloads(cfg: &Config) -> (Vec<Workload>, Vec<Row>, Option<String>) {
    let mut all = workloads::synthetic(&cfg.root, cfg.quick);
    let mut unbuilt = Vec::new();
    let mut note = None;
    let real = real::locate(cfg).and_then(|src| {
        note = Some(format!(
            "zstd from `{}`, SQLite from `{}` (fetched by cargo, not vendored)",
            src.zstd_lib.display(),
            src.sqlite_dir.display()
        ));
        real::workloads(cfg, &src)
    });
    match real {
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
    (all, unbuilt, note)
}

/// Compile (cached) and link the three variants of every workload: one row each, and the
/// workload to run for every row that was built.
fn build<'a>(cfg: &Config, all: &'a [Workload]) -> (Vec<Row>, Vec<Option<&'a Workload>>) {
    let objects = compile::compile_all(cfg, all);
    let mut rows = Vec::new();
    let mut runnable = Vec::new();
    for (w, objs) in all.iter().zip(objects) {
        match objs {
            Err(e) => {
                println!("overhead: {}: not built: {e}", w.name);
                rows.push(Row::unbuilt(w.name, w.kind, w.what.clone(), e));
                runnable.push(None);
            }
            Ok(objs) => {
                let cells = VARIANTS
                    .iter()
                    .map(|&v| Cell::new(link::link(cfg, w, &objs, v)))
                    .collect();
                let row = Row {
                    name: w.name,
                    kind: w.kind,
                    what: w.what.clone(),
                    expected_exit: w.expected_exit,
                    build_error: None,
                    cells,
                };
                for v in [Variant::Native, Variant::Libtsan] {
                    if let Err(e) = &row.cell(v).exe {
                        println!("overhead: {} {}: cannot link: {e}", w.name, v.name());
                    }
                }
                rows.push(row);
                runnable.push(Some(w));
            }
        }
    }
    (rows, runnable)
}

/// target/bench/overhead.md (also echoed to stdout) and target/bench/overhead.png.
fn write_outputs(cfg: &Config, info: &table::RunInfo, rows: &[Row]) {
    let md = table::markdown(info, rows);
    let md_path = cfg.out.join("overhead.md");
    match fs::write(&md_path, &md) {
        Ok(()) => println!("\noverhead: wrote {}", md_path.display()),
        Err(e) => println!("\noverhead: cannot write {}: {e}", md_path.display()),
    }
    println!("\n{md}");
    let png = cfg.out.join("overhead.png");
    let subtitle = format!(
        "{}; gcc -O2 -g; medians of {} counted runs{}",
        if cfg.quick { "quick mode" } else { "full run" },
        cfg.rounds,
        if info.hbsan_available {
            ""
        } else {
            "; hbsan UNAVAILABLE"
        }
    );
    match chart::draw(&png, rows, &subtitle) {
        Ok(()) => println!("overhead: wrote {}", png.display()),
        Err(e) => println!("overhead: chart not drawn: {e}"),
    }
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
