//! Instrumentation benchmark: hbsan's own pass (`hbsan cc --pass=hbsan`) against LLVM's
//! ThreadSanitizer pass (`clang -fsanitize=thread`, driven by `hbsan cc` with `CC=clang`), both
//! linked with hbsan's runtime and compiled by the same clang at the same level.
//!
//!     cargo bench --bench pass                        # 1 warm-up + 5 counted rounds
//!     HBSAN_BENCH_QUICK=1 cargo bench --bench pass    # smaller inputs, 2 rounds
//!
//! For every workload of the overhead harness (benches/workloads/*.c, zstd, SQLite) and every
//! program of the native corpus (tests/native), it counts the hooks executed (the runtime's
//! `stats=1` counters: memory accesses, range accesses, function entries, atomics, other
//! synchronization) and checks that both builds give the same verdict (exit status). The
//! workloads are also timed: the two builds run alternately, and the table gives medians and
//! their ratio (these machines are shared and noisy; ratios measured in one run are what
//! count). Writes target/bench/pass.md and prints it.
//!
//! Knobs: HBSAN_BENCH_ROUNDS, HBSAN_BENCH_ONLY=name,name (workloads; `corpus` for the native
//! corpus), HBSAN_BENCH_TIMEOUT (seconds per run), HBSAN_BIN, HBSAN_BENCH_CLANG (the clang).

#[path = "overhead/config.rs"]
mod config;
#[path = "overhead/json.rs"]
mod json;
#[path = "overhead/real.rs"]
mod real;
#[path = "overhead/stats.rs"]
mod stats;
#[path = "overhead/workloads.rs"]
mod workloads;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use config::Config;
use workloads::Workload;

/// The two instrumentations compared.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// LLVM's ThreadSanitizer pass (clang -fsanitize=thread).
    Llvm,
    /// hbsan's pass (hbsan cc --pass=hbsan).
    Hbsan,
}

impl Pass {
    fn name(self) -> &'static str {
        match self {
            Pass::Llvm => "llvm",
            Pass::Hbsan => "hbsan",
        }
    }
}

const PASSES: [Pass; 2] = [Pass::Llvm, Pass::Hbsan];

/// The runtime's `stats=1` line, split up.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Counts {
    total: u64,
    accesses: u64,
    ranges: u64,
    entries: u64,
    atomics: u64,
    syncs: u64,
}

impl Counts {
    /// Reads `hbsan: stats: N hook calls: A memory accesses, R range accesses, F function
    /// entries (and as many exits), X atomic operations, S other synchronization`.
    fn parse(stderr: &str) -> Option<Counts> {
        let line = stderr.lines().find(|l| l.starts_with("hbsan: stats: "))?;
        let numbers: Vec<u64> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|w| !w.is_empty())
            .filter_map(|w| w.parse().ok())
            .collect();
        match numbers[..] {
            [total, accesses, ranges, entries, atomics, syncs] => Some(Counts {
                total,
                accesses,
                ranges,
                entries,
                atomics,
                syncs,
            }),
            _ => None,
        }
    }

    fn add(&mut self, o: &Counts) {
        self.total += o.total;
        self.accesses += o.accesses;
        self.ranges += o.ranges;
        self.entries += o.entries;
        self.atomics += o.atomics;
        self.syncs += o.syncs;
    }

    /// Access checks: single accesses plus ranges.
    fn checks(&self) -> u64 {
        self.accesses + self.ranges
    }
}

/// One program built both ways.
struct Program {
    name: String,
    args: Vec<String>,
    exes: [Result<PathBuf, String>; 2],
    counts: [Option<Counts>; 2],
    exits: [Option<i32>; 2],
    times: [Vec<f64>; 2],
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("pass: not run (no --bench flag); use `cargo bench --bench pass`");
        return;
    }
    let started = Instant::now();
    let cfg = Config::from_env();
    let out = cfg.out.join("pass");
    if let Err(e) = fs::create_dir_all(&out) {
        eprintln!("pass: cannot create {}: {e}", out.display());
        std::process::exit(1);
    }
    let clang = match find_clang() {
        Some(c) => c,
        None => {
            eprintln!("pass: no clang found (set HBSAN_BENCH_CLANG); nothing measured");
            std::process::exit(1);
        }
    };
    let clang_version = first_line(&Command::new(&clang).arg("--version").output());

    let mut wls: Vec<Workload> = workloads::synthetic(&cfg.root, cfg.quick);
    match real::locate(&cfg).and_then(|src| real::workloads(&cfg, &src)) {
        Ok(mut real) => wls.append(&mut real),
        Err(e) => eprintln!("pass: the real programs are left out: {e}"),
    }
    wls.retain(|w| cfg.selected(w.name));

    // Workloads: built at -O2 like the overhead harness, counted and timed.
    let mut programs = Vec::new();
    for w in &wls {
        eprintln!("pass: building {}", w.name);
        let exes = PASSES.map(|p| build_workload(&cfg, &clang, &out, w, p));
        programs.push(Program {
            name: w.name.to_string(),
            args: w.args.clone(),
            exes,
            counts: [None, None],
            exits: [None, None],
            times: [Vec::new(), Vec::new()],
        });
    }
    for p in &mut programs {
        count(&cfg, p);
    }
    for round in 0..cfg.warmups + cfg.rounds {
        for p in &mut programs {
            // Alternate which build goes first.
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for i in order {
                let Ok(exe) = &p.exes[i] else { continue };
                let t = Instant::now();
                let status = run(exe, &p.args, &[], cfg.timeout).map(|o| o.0);
                if round >= cfg.warmups && status.is_some() {
                    p.times[i].push(t.elapsed().as_secs_f64());
                }
            }
        }
        eprintln!(
            "pass: round {}/{} done",
            round + 1,
            cfg.warmups + cfg.rounds
        );
    }

    // The native corpus: counts and verdicts only (its spinning waits make times meaningless).
    let mut corpus = Vec::new();
    if cfg.selected("corpus") {
        let dir = cfg.root.join("tests").join("native");
        let mut sources: Vec<PathBuf> = fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        sources.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("c" | "cpp")));
        sources.sort();
        eprintln!(
            "pass: building and running {} corpus programs",
            sources.len()
        );
        for src in sources {
            let exes = PASSES.map(|p| build_corpus(&cfg, &clang, &out, &src, p));
            let mut p = Program {
                name: src.file_name().unwrap().to_string_lossy().into_owned(),
                args: Vec::new(),
                exes,
                counts: [None, None],
                exits: [None, None],
                times: [Vec::new(), Vec::new()],
            };
            count(&cfg, &mut p);
            corpus.push(p);
        }
    }

    let md = table(&cfg, &clang_version, &programs, &corpus, started.elapsed());
    let path = cfg.out.join("pass.md");
    if let Err(e) = fs::write(&path, &md) {
        eprintln!("pass: cannot write {}: {e}", path.display());
    }
    println!("{md}");
}

/// `HBSAN_BENCH_CLANG`, else the newest Debian clang (/usr/lib/llvm-N/bin/clang).
fn find_clang() -> Option<PathBuf> {
    if let Some(c) = std::env::var_os("HBSAN_BENCH_CLANG") {
        return Some(PathBuf::from(c));
    }
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let v: u32 = e
                .file_name()
                .to_str()?
                .strip_prefix("llvm-")?
                .parse()
                .ok()?;
            let p = e.path().join("bin").join("clang");
            p.is_file().then_some((v, p))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

fn first_line(out: &std::io::Result<std::process::Output>) -> String {
    match out {
        Ok(o) => String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("?")
            .to_string(),
        Err(e) => format!("? ({e})"),
    }
}

/// `hbsan cc` (or `c++`) with the pass's option and `CC`/`CXX` naming `clang`.
fn driver(cfg: &Config, clang: &Path, pass: Pass, cxx: bool) -> Command {
    let mut cmd = Command::new(&cfg.hbsan);
    let clangxx = clang.with_file_name("clang++");
    cmd.arg(if cxx { "c++" } else { "cc" })
        .env("CC", clang)
        .env("CXX", clangxx)
        .env_remove("HBSAN_OPTIONS")
        .env_remove("TSAN_OPTIONS");
    if pass == Pass::Hbsan {
        cmd.arg("--pass=hbsan");
    }
    cmd
}

fn build_step(mut cmd: Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    match cmd.stdin(Stdio::null()).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "{shown} failed: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .take(8)
                .collect::<Vec<_>>()
                .join(" | ")
        )),
        Err(e) => Err(format!("cannot run {shown}: {e}")),
    }
}

fn build_workload(
    cfg: &Config,
    clang: &Path,
    out: &Path,
    w: &Workload,
    pass: Pass,
) -> Result<PathBuf, String> {
    let mut objects = Vec::new();
    for (i, src) in w.sources.iter().enumerate() {
        let obj = out.join(format!("{}.{}.{i}.o", w.name, pass.name()));
        let mut cmd = driver(cfg, clang, pass, false);
        cmd.args(["-O2", "-g"])
            .args(&src.flags)
            .arg("-c")
            .arg(&src.path)
            .arg("-o")
            .arg(&obj);
        build_step(cmd)?;
        objects.push(obj);
    }
    let exe = out.join(format!("{}.{}", w.name, pass.name()));
    let mut cmd = driver(cfg, clang, Pass::Llvm, false);
    cmd.args(&objects).arg("-o").arg(&exe).args(&w.libs);
    build_step(cmd)?;
    Ok(exe)
}

fn build_corpus(
    cfg: &Config,
    clang: &Path,
    out: &Path,
    src: &Path,
    pass: Pass,
) -> Result<PathBuf, String> {
    let text = fs::read_to_string(src).map_err(|e| e.to_string())?;
    let links: Vec<String> = text
        .lines()
        .take(30)
        .filter(|l| l.contains("hbsan-test:"))
        .flat_map(|l| l.split_whitespace())
        .filter_map(|w| w.strip_prefix("link="))
        .map(str::to_string)
        .collect();
    let cxx = src.extension().is_some_and(|e| e == "cpp");
    let stem = src.file_stem().unwrap().to_string_lossy();
    let exe = out.join(format!("corpus.{stem}.{}", pass.name()));
    let mut cmd = driver(cfg, clang, pass, cxx);
    cmd.args(["-O1", "-g"])
        .arg(src)
        .arg("-o")
        .arg(&exe)
        .args(&links);
    build_step(cmd)?;
    Ok(exe)
}

/// Runs `exe` to completion (killed after `timeout`); its exit code and stderr.
fn run(
    exe: &Path,
    args: &[String],
    env: &[(&str, &str)],
    timeout: Duration,
) -> Option<(i32, String)> {
    let err = exe.with_extension("stderr");
    let file = fs::File::create(&err).ok()?;
    let mut child = Command::new(exe)
        .args(args)
        .env_remove("TSAN_OPTIONS")
        .env_remove("HBSAN_OPTIONS")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .ok()?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(s) = child.try_wait().ok()? {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Some((
        status.code().unwrap_or(-1),
        fs::read_to_string(&err).unwrap_or_default(),
    ))
}

/// One run of each build with `stats=1`.
fn count(cfg: &Config, p: &mut Program) {
    for i in 0..2 {
        let Ok(exe) = &p.exes[i] else { continue };
        if let Some((code, stderr)) =
            run(exe, &p.args, &[("HBSAN_OPTIONS", "stats=1")], cfg.timeout)
        {
            p.exits[i] = Some(code);
            p.counts[i] = Counts::parse(&stderr);
        }
    }
}

fn ratio(a: u64, b: u64) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.2}", a as f64 / b as f64)
    }
}

fn exit_text(e: Option<i32>) -> String {
    match e {
        Some(0) => "clean".into(),
        Some(66) => "race".into(),
        Some(c) => format!("exit {c}"),
        None => "timeout".into(),
    }
}

fn table(
    cfg: &Config,
    clang: &str,
    programs: &[Program],
    corpus: &[Program],
    elapsed: Duration,
) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# hbsan's pass vs LLVM's ThreadSanitizer pass\n");
    let _ = writeln!(
        md,
        "Both builds: {clang}, linked with hbsan's runtime (`hbsan cc`); workloads at -O2 -g, \
         the corpus at -O1 -g. Hook calls from `HBSAN_OPTIONS=stats=1` (one run each); \
         times are medians of {} alternating rounds after {} warm-up{}. Took {:.0} s.\n",
        cfg.rounds,
        cfg.warmups,
        if cfg.quick { " (quick inputs)" } else { "" },
        elapsed.as_secs_f64()
    );
    let _ = writeln!(
        md,
        "| workload | access checks llvm | hbsan | llvm/hbsan | all hooks llvm | hbsan | llvm/hbsan | time llvm s | hbsan s | hbsan/llvm | verdicts |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut time_ratios = Vec::new();
    let mut hook_ratios = Vec::new();
    for p in programs {
        let row = row(p);
        let _ = writeln!(md, "{}", row.0);
        if let Some(r) = row.1 {
            time_ratios.push(r);
        }
        if let (Some(a), Some(b)) = (p.counts[0], p.counts[1]) {
            if b.total > 0 {
                hook_ratios.push(a.total as f64 / b.total as f64);
            }
        }
    }
    let _ = writeln!(
        md,
        "\nGeometric means: all hooks llvm/hbsan {}, time hbsan/llvm {}.\n",
        stats::geomean(&hook_ratios).map_or("-".into(), |g| format!("{g:.2}")),
        stats::geomean(&time_ratios).map_or("-".into(), |g| format!("{g:.3}"))
    );
    if !corpus.is_empty() {
        let mut sums = [Counts::default(), Counts::default()];
        let mut agree = 0;
        let mut differ = Vec::new();
        for p in corpus {
            for i in 0..2 {
                if let Some(c) = p.counts[i] {
                    sums[i].add(&c);
                }
            }
            if p.exits[0] == p.exits[1] && p.exits[0].is_some() {
                agree += 1;
            } else {
                differ.push(format!(
                    "{} (llvm {}, hbsan {})",
                    p.name,
                    exit_text(p.exits[0]),
                    exit_text(p.exits[1])
                ));
            }
        }
        let _ = writeln!(
            md,
            "Native corpus ({} programs, one run each): access checks {} → {} (llvm/hbsan {}), \
             all hooks {} → {} ({}); same verdict in {agree} of {}{}.",
            corpus.len(),
            sums[0].checks(),
            sums[1].checks(),
            ratio(sums[0].checks(), sums[1].checks()),
            sums[0].total,
            sums[1].total,
            ratio(sums[0].total, sums[1].total),
            corpus.len(),
            if differ.is_empty() {
                String::new()
            } else {
                format!("; different: {}", differ.join(", "))
            }
        );
        let _ = writeln!(
            md,
            "(Corpus counts include spinning waits, which vary from run to run.)"
        );
    }
    md
}

/// A workload's table row, and its time ratio hbsan/llvm.
fn row(p: &Program) -> (String, Option<f64>) {
    let failed = |i: usize| match &p.exes[i] {
        Err(e) => Some(format!("build failed: {e}")),
        Ok(_) => None,
    };
    if let Some(e) = failed(0).or(failed(1)) {
        return (format!("| {} | {e} |", p.name), None);
    }
    let c = |i: usize| p.counts[i].unwrap_or_default();
    let t = |i: usize| stats::median(&p.times[i]);
    let time_ratio = match (t(0), t(1)) {
        (Some(a), Some(b)) if a > 0.0 => Some(b / a),
        _ => None,
    };
    let verdicts = if p.exits[0] == p.exits[1] {
        exit_text(p.exits[0])
    } else {
        format!(
            "DIFFER: {} vs {}",
            exit_text(p.exits[0]),
            exit_text(p.exits[1])
        )
    };
    (
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            p.name,
            c(0).checks(),
            c(1).checks(),
            ratio(c(0).checks(), c(1).checks()),
            c(0).total,
            c(1).total,
            ratio(c(0).total, c(1).total),
            t(0).map_or("-".into(), |x| format!("{x:.3}")),
            t(1).map_or("-".into(), |x| format!("{x:.3}")),
            time_ratio.map_or("-".into(), |r| format!("{r:.3}")),
            verdicts
        ),
        time_ratio,
    )
}
