//! Runs a scenario of a test in a child process and checks its verdict.
//!
//! The detector is process-wide, so each scenario runs alone: the test
//! re-runs its own binary with `HBSAN_SCENARIO=<name>`, the child runs the
//! scenario and exits through `__tsan_fini` (66 after races, 0 otherwise),
//! and the parent checks the exit status and the report.

#![allow(dead_code)]

use std::process::{Command, Output};

/// What a scenario must produce.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Exit 0, no report.
    Silent,
    /// Exit 66 with a report whose two stacks name the scenario; checked on
    /// several runs, since happens-before, not scheduling, decides.
    Race,
}

/// Racy scenarios are run this many times.
pub const RACY_RUNS: usize = 3;

const ENV: &str = "HBSAN_SCENARIO";

/// Whether this process is the child running `name`.
pub fn is_child(name: &str) -> bool {
    std::env::var(ENV).is_ok_and(|v| v == name)
}

/// Runs test `name` of this binary in a child process.
pub fn spawn(name: &str, extra_env: &[(&str, &str)]) -> Output {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = Command::new(exe);
    cmd.args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(ENV, name)
        .env("GORACE", "atexit_sleep_ms=0")
        .env_remove("HBSAN_OPTIONS");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.output().expect("run the scenario")
}

/// Runs `name` as a child and asserts `expect`; returns the last stderr.
pub fn check(name: &str, expect: Expect) -> String {
    let runs = if expect == Expect::Race { RACY_RUNS } else { 1 };
    let mut last = String::new();
    for run in 1..=runs {
        let out = spawn(name, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let code = out.status.code();
        match expect {
            Expect::Silent => {
                assert_eq!(
                    code,
                    Some(0),
                    "{name}: expected silence (exit 0), got {:?}\n{stderr}",
                    out.status
                );
                assert!(
                    !stderr.contains("WARNING: DATA RACE"),
                    "{name}: unexpected report\n{stderr}"
                );
            }
            Expect::Race => {
                assert_eq!(
                    code,
                    Some(66),
                    "{name} run {run}: expected a race (exit 66), got {:?}\n{stderr}",
                    out.status
                );
                check_report(name, &stderr);
            }
        }
        last = stderr;
    }
    last
}

/// The report names both accesses, with stacks that lead into the test's
/// source file. (Not necessarily to the scenario's own name: identical
/// closures of two scenarios may be folded into one function.)
pub fn check_report(name: &str, stderr: &str) {
    let file = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .and_then(|stem| stem.rsplit_once('-').map(|(test, _)| format!("{test}.rs:")))
        .unwrap_or_else(|| ".rs:".into());
    assert!(
        stderr.contains("WARNING: DATA RACE"),
        "{name}: no report\n{stderr}"
    );
    assert!(stderr.contains("Found "), "{name}: no summary\n{stderr}");
    let report = &stderr[stderr.find("WARNING: DATA RACE").unwrap_or(0)..];
    let current = report.lines().nth(1).unwrap_or("");
    assert!(
        current.starts_with("Write at 0x") || current.starts_with("Read at 0x"),
        "{name}: first access line malformed: {current}\n{stderr}"
    );
    let prev = report
        .find("\nPrevious ")
        .unwrap_or_else(|| panic!("{name}: no previous access\n{stderr}"));
    let (cur_part, prev_part) = report.split_at(prev);
    assert!(
        cur_part.contains(&file),
        "{name}: the current stack does not reach {file}\n{stderr}"
    );
    let prev_stack = prev_part.split("\n\n").next().unwrap_or("");
    assert!(
        prev_stack.contains(&file),
        "{name}: the previous stack does not reach {file}\n{stderr}"
    );
    assert!(
        !report.contains("[failed to restore the stack]"),
        "{name}: stack not restored\n{stderr}"
    );
}

/// Declares scenario tests: `scenarios! { name: Silent => body, … }`, where
/// `body` is a `fn(&Goroutine)` run in the child on the main goroutine.

macro_rules! scenarios {
    ($($name:ident: $expect:ident => $body:expr,)*) => {$(
        #[test]
        fn $name() {
            if scenario::is_child(stringify!($name)) {
                let main = hbsan::minigo::init();
                let body: fn(&hbsan::minigo::Goroutine) = $body;
                main.call(hbsan::pc!(), || body(&main));
                hbsan::minigo::fini();
            }
            scenario::check(stringify!($name), scenario::Expect::$expect);
        }
    )*};
}
