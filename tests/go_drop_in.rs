//! `hbsan go`: the real Go toolchain with hbsan as its race runtime, on
//! the Go programs of `tests/go/`.
//!
//! Skipped (one line on stderr) when no Go toolchain is installed; CI
//! installs `golang-1.19-go`. Go's build cache and hbsan's GOROOT overlay
//! live under `target/tmp/go-drop-in`, so a clean machine works and a
//! second run reuses the standard library built with `-race`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// The outcome of one command.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn show(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    fn races(&self) -> usize {
        self.stderr.matches("WARNING: DATA RACE").count()
    }
}

fn work() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-drop-in")
}

fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go")
}

/// `hbsan go ARGS…` in `tests/go`, in an environment of our own (no
/// GORACE, GOFLAGS or GOROOT of the caller's).
fn hbsan_go(args: &[&str], env: &[(&str, &str)]) -> Run {
    let w = work();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hbsan"));
    cmd.arg("go")
        .args(args)
        .current_dir(programs())
        .env("GOCACHE", w.join("gocache"))
        .env("XDG_CACHE_HOME", w.join("xdg"))
        .env("GOPATH", w.join("gopath"))
        .env("GO111MODULE", "off")
        .env("GOTOOLCHAIN", "local")
        .env_remove("GOROOT")
        .env_remove("GOFLAGS")
        .env_remove("GORACE")
        .env_remove("HBSAN_OPTIONS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    output(&mut cmd)
}

fn output(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run hbsan");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Whether Go is installed; the first caller builds one race program
/// while the others wait, so that the standard library is built with
/// `-race` once, not by every test at the same time.
fn ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    static WARMING: Mutex<()> = Mutex::new(());
    let _guard = WARMING.lock().unwrap_or_else(|e| e.into_inner());
    *READY.get_or_init(|| {
        if hbsan::go::toolchain::find_go().is_none() {
            eprintln!(
                "go_drop_in: skipped: no Go toolchain installed (apt install golang-1.19-go)"
            );
            return false;
        }
        let exe = work().join("warm-up");
        let r = hbsan_go(
            &[
                "build",
                "-race",
                "-o",
                exe.to_str().unwrap(),
                "counter_mutex.go",
            ],
            &[],
        );
        assert_eq!(
            r.code,
            Some(0),
            "building the first race program\n{}",
            r.show()
        );
        true
    })
}

/// `hbsan go run -race <file>`.
fn go_run(file: &str) -> Run {
    hbsan_go(&["run", "-race", file], &[])
}

/// A racy program under `go run`: Go prints the program's status 66 and
/// exits 1 itself.
fn assert_reported(r: &Run, file: &str) {
    assert!(r.races() >= 1, "{file}: no race reported\n{}", r.show());
    assert!(
        r.stderr.contains("exit status 66"),
        "{file}: not status 66\n{}",
        r.show()
    );
    assert_eq!(r.code, Some(1), "{file}\n{}", r.show());
    assert!(r.stderr.contains("data race(s)\n"), "{}", r.show());
    assert!(
        !r.stderr.contains("hbsan:"),
        "{file}: runtime complaint\n{}",
        r.show()
    );
}

fn assert_silent(r: &Run, file: &str) {
    assert_eq!(r.code, Some(0), "{file}\n{}", r.show());
    assert_eq!(r.races(), 0, "{file}: false positive\n{}", r.show());
    assert!(
        r.stderr.is_empty(),
        "{file}: unexpected stderr\n{}",
        r.show()
    );
}

/// The goroutine lines and frames of a report, as Go prints them.
fn assert_go_layout(report: &str, file: &str, function: &str) {
    for needle in [
        "==================\nWARNING: DATA RACE\n",
        "Previous write at 0x",
        "created at:\n",
        &format!("  {function}()\n      "),
        &format!("tests/go/{file}:"),
    ] {
        assert!(report.contains(needle), "no {needle:?} in\n{report}");
    }
    // Go leaves out the runtime frame that starts a goroutine.
    assert!(!report.contains("runtime.goexit"), "{report}");
}

#[test]
fn gemini_counter_is_reported() {
    if !ready() {
        return;
    }
    let r = go_run("counter_gemini.go");
    assert_reported(&r, "counter_gemini.go");
    assert_go_layout(&r.stderr, "counter_gemini.go", "main.main.func1");
    assert!(r.stderr.contains("Found 1 data race(s)"), "{}", r.show());
    assert!(
        r.stdout.contains("Expected final counter: 10000"),
        "{}",
        r.show()
    );
}

#[test]
fn grok_counter_is_reported_with_exit_66() {
    if !ready() {
        return;
    }
    let r = go_run("counter_grok.go");
    assert_reported(&r, "counter_grok.go");
    assert_go_layout(&r.stderr, "counter_grok.go", "main.increment");
    // The race binary itself ends with status 66, and GORACE's exitcode
    // changes it.
    let exe = work().join("counter_grok");
    let b = hbsan_go(
        &[
            "build",
            "-race",
            "-o",
            exe.to_str().unwrap(),
            "counter_grok.go",
        ],
        &[],
    );
    assert_eq!(b.code, Some(0), "{}", b.show());
    let direct = output(Command::new(&exe).env_remove("GORACE"));
    assert_eq!(direct.code, Some(66), "{}", direct.show());
    let thirteen = output(Command::new(&exe).env("GORACE", "exitcode=13"));
    assert_eq!(thirteen.code, Some(13), "{}", thirteen.show());
    let halted = output(Command::new(&exe).env("GORACE", "halt_on_error=1"));
    assert_eq!(halted.code, Some(66), "{}", halted.show());
    assert_eq!(halted.races(), 1, "{}", halted.show());
    assert!(
        !halted.stdout.contains('\n'),
        "halt_on_error ran on\n{}",
        halted.show()
    );
}

#[test]
fn time_sleep_is_not_a_fix() {
    if !ready() {
        return;
    }
    let r = go_run("sleep.go");
    assert_reported(&r, "sleep.go");
    assert_go_layout(&r.stderr, "sleep.go", "main.write");
}

#[test]
fn mutex_and_atomic_fixes_are_silent() {
    if !ready() {
        return;
    }
    for file in ["counter_mutex.go", "counter_atomic.go"] {
        let r = go_run(file);
        assert_silent(&r, file);
        assert_eq!(r.stdout, "counter: 10000\n", "{file}\n{}", r.show());
    }
}

#[test]
fn channel_once_waitgroup_rwmutex_are_silent() {
    if !ready() {
        return;
    }
    for (file, out) in [
        ("channel.go", "total: 495000\n"),
        ("once.go", "total: 208\n"),
        ("waitgroup.go", "total: 5456\n"),
        ("rwmutex.go", "entries: 50\n"),
    ] {
        let r = go_run(file);
        assert_silent(&r, file);
        assert_eq!(r.stdout, out, "{file}\n{}", r.show());
    }
}

#[test]
fn a_racy_test_fails_and_names_the_race() {
    if !ready() {
        return;
    }
    let r = hbsan_go(&["test", "-race", "-count=1", "-v", "counter_test.go"], &[]);
    assert_eq!(r.code, Some(1), "{}", r.show());
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("WARNING: DATA RACE"), "{}", r.show());
    assert!(
        all.contains("race detected during execution of test"),
        "{}",
        r.show()
    );
    assert!(all.contains("--- FAIL: TestRacyCounter"), "{}", r.show());
    assert!(all.contains("--- PASS: TestLockedCounter"), "{}", r.show());
    // Standard-library frames name the real GOROOT, not hbsan's overlay.
    assert!(all.contains("testing.tRunner()"), "{}", r.show());
    assert!(
        !all.contains("hbsan/go/"),
        "overlay path in a report\n{}",
        r.show()
    );
}

#[test]
fn user_ldflags_still_apply() {
    if !ready() {
        return;
    }
    let r = hbsan_go(
        &[
            "run",
            "-race",
            "-ldflags=-X main.greeting=hello -s -w",
            "ldflags.go",
        ],
        &[],
    );
    assert_silent(&r, "ldflags.go");
    assert_eq!(r.stdout, "greeting: hello\n", "{}", r.show());
}

#[test]
fn strip_path_prefix_and_log_path() {
    if !ready() {
        return;
    }
    let dir = programs();
    let prefix = format!("{}/", dir.display());
    let log = work().join("race-log");
    let r = hbsan_go(
        &["run", "-race", "counter_grok.go"],
        &[(
            "GORACE",
            &format!("strip_path_prefix={prefix} log_path={}", log.display()),
        )],
    );
    assert!(r.stderr.contains("exit status 66"), "{}", r.show());
    assert_eq!(r.races(), 0, "the report went to stderr\n{}", r.show());
    // log_path: `<path>.<pid>` of the program's process.
    let logs: Vec<PathBuf> = std::fs::read_dir(work())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("race-log."))
        })
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}\n{}", r.show());
    let report = std::fs::read_to_string(&logs[0]).unwrap();
    std::fs::remove_file(&logs[0]).unwrap();
    assert!(report.contains("WARNING: DATA RACE"), "{report}");
    assert!(report.contains("\n      counter_grok.go:"), "{report}");
    assert!(!report.contains(&prefix), "{report}");
}

#[test]
fn thousands_of_goroutines_alive_and_a_hundred_thousand_over_a_run() {
    if !ready() {
        return;
    }
    let r = hbsan_go(&["run", "-race", "goroutines.go", "alive"], &[]);
    assert_silent(&r, "goroutines.go alive");
    assert_eq!(r.stdout, "sum: 12572500\n", "{}", r.show());
    let r = hbsan_go(&["run", "-race", "goroutines.go", "handoff"], &[]);
    assert_silent(&r, "goroutines.go handoff");
    assert_eq!(r.stdout, "total: 49950000\n", "{}", r.show());
}

/// Goroutines that end before the goroutine that started them joins them
/// (a buffered channel, a WaitGroup): slow today (each gets a fresh slot
/// while the recently dead fill the slot table's reuse window), hence
/// ignored; run with `-- --ignored`.
#[test]
#[ignore]
fn a_hundred_thousand_goroutines_that_end_before_being_joined() {
    if !ready() {
        return;
    }
    for join in ["buffered", "waitgroup"] {
        let t = std::time::Instant::now();
        let r = hbsan_go(&["run", "-race", "goroutines.go", join], &[]);
        assert_silent(&r, join);
        assert_eq!(r.stdout, "total: 49950000\n", "{}", r.show());
        eprintln!("goroutines.go {join}: {:?}", t.elapsed());
    }
}
