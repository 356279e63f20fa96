//! Run configuration: paths, round counts and limits, read once from the environment.

use std::env;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the harness needs to know about where it runs and how long it may take.
pub struct Config {
    /// `HBSAN_BENCH_QUICK=1`: smaller inputs, fewer rounds (a smoke test).
    pub quick: bool,
    /// Uncounted rounds run first (caches, page faults, CPU frequency).
    pub warmups: usize,
    /// Counted rounds; each runs every variant of every workload once.
    pub rounds: usize,
    /// The hbsan package root (where Cargo.toml and benches/ live).
    pub root: PathBuf,
    /// `target/bench`: objects, executables, logs, reports, the table and the chart.
    pub out: PathBuf,
    /// The `hbsan` driver used as `hbsan cc objs -o exe libs`.
    pub hbsan: PathBuf,
    /// The cargo that runs us (for `cargo fetch` / `cargo metadata` of benches/real).
    pub cargo: PathBuf,
    /// `HBSAN_BENCH_ONLY=a,b`: run only the workloads with these names.
    pub only: Option<Vec<String>>,
    /// A run that takes longer than this is killed and counted as a failure.
    pub timeout: Duration,
    /// Parallel compiler jobs while building objects.
    pub jobs: usize,
}

impl Config {
    pub fn from_env() -> Config {
        let quick = env_flag("HBSAN_BENCH_QUICK");
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        // Cargo gives benches a scratch directory inside the target directory; its parent is
        // the target directory itself, wherever CARGO_TARGET_DIR or the config put it.
        let target = option_env!("CARGO_TARGET_TMPDIR")
            .map(PathBuf::from)
            .and_then(|tmp| tmp.parent().map(PathBuf::from))
            .unwrap_or_else(|| root.join("target"));
        let hbsan = env::var_os("HBSAN_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| target.join("release").join("hbsan"));
        let default_rounds = if quick { 2 } else { 5 };
        let default_timeout = if quick { 60 } else { 240 };
        Config {
            quick,
            warmups: 1,
            rounds: env_usize("HBSAN_BENCH_ROUNDS")
                .unwrap_or(default_rounds)
                .max(1),
            out: target.join("bench"),
            root,
            hbsan,
            cargo: env::var_os("CARGO")
                .map(PathBuf::from)
                .unwrap_or_else(|| "cargo".into()),
            only: env::var("HBSAN_BENCH_ONLY")
                .ok()
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.split(',').map(|w| w.trim().to_string()).collect()),
            timeout: Duration::from_secs(
                env_usize("HBSAN_BENCH_TIMEOUT").unwrap_or(default_timeout) as u64,
            ),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }

    /// Whether `HBSAN_BENCH_ONLY` lets this workload run.
    pub fn selected(&self, name: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == name))
    }

    pub fn obj_dir(&self) -> PathBuf {
        self.out.join("obj")
    }

    pub fn bin_dir(&self) -> PathBuf {
        self.out.join("bin")
    }

    pub fn log_dir(&self) -> PathBuf {
        self.out.join("logs")
    }

    pub fn report_dir(&self) -> PathBuf {
        self.out.join("reports")
    }
}

fn env_flag(name: &str) -> bool {
    env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

fn env_usize(name: &str) -> Option<usize> {
    let v = env::var(name).ok()?;
    match v.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            eprintln!("overhead: ignoring {name}={v:?} (not a number)");
            None
        }
    }
}
