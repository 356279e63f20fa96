//! Compiling workloads into objects, once per flavor, with a cache under target/bench/obj.
//!
//! Every source is compiled twice with gcc: `-O2 -g` (native baseline) and
//! `-fsanitize=thread -O2 -g` (the instrumented object that both libtsan and hbsan link). An
//! object is named after its source and a hash of everything that determines it (gcc version,
//! flags, source path, size and modification time), so an unchanged source is never rebuilt.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Instant, UNIX_EPOCH};

use crate::config::Config;
use crate::workloads::Workload;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Native,
    Instrumented,
}

impl Flavor {
    fn flags(self) -> &'static [&'static str] {
        match self {
            Flavor::Native => &["-O2", "-g"],
            Flavor::Instrumented => &["-fsanitize=thread", "-O2", "-g"],
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Flavor::Native => "native.o",
            Flavor::Instrumented => "tsan.o",
        }
    }
}

/// The objects of one workload, in source order.
pub struct Objects {
    pub native: Vec<PathBuf>,
    pub instrumented: Vec<PathBuf>,
}

struct Job {
    source: PathBuf,
    flags: Vec<String>,
    out: PathBuf,
    /// Rough cost, to start the biggest files first (sqlite3.c dominates).
    size: u64,
}

/// Plan and run the compiles of all workloads; one result per workload.
pub fn compile_all(cfg: &Config, workloads: &[Workload]) -> Vec<Result<Objects, String>> {
    let gcc = gcc_version();
    let mut jobs = Vec::new();
    let mut plans = Vec::new();
    for w in workloads {
        let plan = plan(cfg, &gcc, w, &mut jobs);
        plans.push(plan);
    }
    let total: usize = plans.iter().flatten().map(|o| o.native.len() * 2).sum();
    if jobs.is_empty() {
        println!("objects: all {total} cached in {}", cfg.obj_dir().display());
    } else {
        println!(
            "objects: compiling {} of {total} with {} jobs (the rest cached in {})",
            jobs.len(),
            cfg.jobs,
            cfg.obj_dir().display()
        );
    }
    let started = Instant::now();
    let failures = run_jobs(jobs, cfg.jobs);
    if started.elapsed().as_secs_f64() > 1.0 {
        println!(
            "objects: compiled in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    plans
        .into_iter()
        .map(|plan| {
            let objs = plan?;
            let broken: Vec<&String> = objs
                .native
                .iter()
                .chain(&objs.instrumented)
                .filter_map(|o| failures.iter().find(|(out, _)| out == o).map(|(_, e)| e))
                .collect();
            match broken.first() {
                Some(err) => Err((*err).clone()),
                None => Ok(objs),
            }
        })
        .collect()
}

fn plan(cfg: &Config, gcc: &str, w: &Workload, jobs: &mut Vec<Job>) -> Result<Objects, String> {
    let mut objs = Objects {
        native: Vec::new(),
        instrumented: Vec::new(),
    };
    for src in &w.sources {
        let meta = fs::metadata(&src.path).map_err(|e| format!("{}: {e}", src.path.display()))?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let stem = src
            .path
            .file_stem()
            .map_or("src".into(), |s| s.to_string_lossy());
        for flavor in [Flavor::Native, Flavor::Instrumented] {
            let mut flags: Vec<String> = flavor.flags().iter().map(|f| f.to_string()).collect();
            flags.extend(src.flags.iter().cloned());
            let key = format!(
                "{gcc}\0{}\0{}\0{}\0{mtime}",
                flags.join(" "),
                src.path.display(),
                meta.len()
            );
            let out = cfg.obj_dir().join(format!(
                "{stem}-{:016x}.{}",
                fnv1a(key.as_bytes()),
                flavor.suffix()
            ));
            if !out.is_file() {
                jobs.push(Job {
                    source: src.path.clone(),
                    flags,
                    out: out.clone(),
                    size: meta.len(),
                });
            }
            match flavor {
                Flavor::Native => objs.native.push(out),
                Flavor::Instrumented => objs.instrumented.push(out),
            }
        }
    }
    Ok(objs)
}

/// Run the compile jobs on `parallel` threads; returns (object, error) for each failure.
fn run_jobs(mut jobs: Vec<Job>, parallel: usize) -> Vec<(PathBuf, String)> {
    // Biggest first, popped from the end; an object wanted by two workloads is compiled once.
    jobs.sort_by(|a, b| (a.size, &a.out).cmp(&(b.size, &b.out)));
    jobs.dedup_by(|a, b| a.out == b.out);
    let queue = Mutex::new(jobs);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..parallel.max(1) {
            s.spawn(|| {
                loop {
                    let Some(job) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    if let Err(e) = compile_one(&job) {
                        eprintln!("overhead: {e}");
                        failures.lock().unwrap().push((job.out, e));
                    }
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

fn compile_one(job: &Job) -> Result<(), String> {
    let tmp = job.out.with_extension("o.tmp");
    let out = Command::new("gcc")
        .args(&job.flags)
        .arg("-c")
        .arg(&job.source)
        .arg("-o")
        .arg(&tmp)
        .output()
        .map_err(|e| format!("cannot run gcc: {e}"))?;
    if !out.status.success() {
        let _ = fs::remove_file(&tmp);
        return Err(format!(
            "gcc {} -c {} failed ({}):\n{}",
            job.flags.join(" "),
            job.source.display(),
            out.status,
            first_lines(&String::from_utf8_lossy(&out.stderr), 8)
        ));
    }
    fs::rename(&tmp, &job.out).map_err(|e| format!("{}: {e}", job.out.display()))
}

/// `gcc --version`'s first line, part of every cache key.
pub fn gcc_version() -> String {
    Command::new("gcc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| "gcc (version unknown)".into())
}

/// 64-bit FNV-1a: stable across Rust releases, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = lines.iter().take(n).copied().collect::<Vec<_>>().join("\n");
    if lines.len() > n {
        out.push_str(&format!("\n... ({} more lines)", lines.len() - n));
    }
    out
}

/// Is `path` a regular file with an execute bit?
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
