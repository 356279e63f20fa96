//! What is measured: the six synthetic C workloads in benches/workloads/ (the real programs are
//! described in real.rs with the same types).

use std::path::{Path, PathBuf};

/// One C translation unit of a workload, with the flags it needs beyond `-O2 -g`.
pub struct Source {
    pub path: PathBuf,
    pub flags: Vec<String>,
}

impl Source {
    pub fn new(path: PathBuf, flags: &[&str]) -> Source {
        Source {
            path,
            flags: flags.iter().map(|f| f.to_string()).collect(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Written for this benchmark.
    Synthetic,
    /// Third-party code (zstd, SQLite) with a small driver of ours.
    Real,
}

pub struct Workload {
    pub name: &'static str,
    pub kind: Kind,
    /// One line for the table: what the program does with the given arguments.
    pub what: String,
    pub sources: Vec<Source>,
    /// Link arguments after the objects (`-lpthread`, ...), the same for every variant.
    pub libs: Vec<String>,
    pub args: Vec<String>,
    /// The exit status of a correct run (all workloads are race-free: 0).
    pub expected_exit: i32,
}

/// The synthetic workloads. `quick` picks inputs about ten times smaller.
pub fn synthetic(root: &Path, quick: bool) -> Vec<Workload> {
    let dir = root.join("benches").join("workloads");
    // (name, file, full args, quick args, description)
    let table: [(&str, &str, &[&str], &[&str], &str); 6] = [
        (
            "private_sum",
            "private_sum.c",
            &["400"],
            &["40"],
            "2 threads, each sums its own 16 MiB array {} times",
        ),
        (
            "mutex_counter",
            "mutex_counter.c",
            &["4000000"],
            &["400000"],
            "2 threads x {} increments of one mutex-guarded counter",
        ),
        (
            "hash_table",
            "hash_table.c",
            &["4"],
            &["1"],
            "2 private open-addressing tables, {} rounds of 600k inserts + 1.2M probes",
        ),
        (
            "atomics",
            "atomics.c",
            &["3000000", "300000"],
            &["300000", "30000"],
            "2 threads x {} atomic_fetch_add, then {} acquire/release ping-pongs",
        ),
        (
            "thread_churn",
            "thread_churn.c",
            &["4000"],
            &["400"],
            "{} batches of 2 short threads created and joined",
        ),
        (
            "prodcons",
            "prodcons.c",
            &["1000000"],
            &["100000"],
            "{} items through a 64-slot mutex/condvar queue, 1 producer 1 consumer",
        ),
    ];
    table
        .iter()
        .map(|&(name, file, full, small, what)| {
            let args = if quick { small } else { full };
            Workload {
                name,
                kind: Kind::Synthetic,
                what: fill(what, args),
                sources: vec![Source::new(dir.join(file), &[])],
                libs: vec!["-lpthread".into()],
                args: args.iter().map(|a| a.to_string()).collect(),
                expected_exit: 0,
            }
        })
        .collect()
}

/// Replace each `{}` in `template` with the next argument.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = template;
    let mut args = args.iter();
    while let Some(pos) = rest.find("{}") {
        out.push_str(&rest[..pos]);
        out.push_str(args.next().copied().unwrap_or("?"));
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}
