//! `hbsan demo counter [variant]`, as a newcomer runs it.

use std::process::Command;

fn run(variant: &str) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hbsan"))
        .args(["demo", "counter", variant])
        .env_remove("GORACE")
        .env_remove("HBSAN_OPTIONS")
        .output()
        .expect("run hbsan");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn racy_is_reported_every_time() {
    for run_no in 1..=3 {
        let (code, stdout, stderr) = run("racy");
        assert_eq!(code, Some(66), "run {run_no}\n{stdout}\n{stderr}");
        assert!(stderr.contains("WARNING: DATA RACE"), "{stderr}");
        // Both accesses are the counter's increment, on their source lines.
        assert!(
            stderr.matches("hbsan::demo::counter::increment()").count() >= 2,
            "{stderr}"
        );
        assert!(stderr.contains("src/demo/counter.rs:"), "{stderr}");
        assert!(stderr.contains("Previous "), "{stderr}");
        assert!(
            stderr.contains("Global var hbsan::demo::counter::COUNTER of size 8"),
            "{stderr}"
        );
        assert!(stderr.contains("created at:"), "{stderr}");
        assert!(stderr.contains("Found 1 data race(s)"), "{stderr}");
        assert!(stdout.contains("Verdict: data race"), "{stdout}");
    }
}

#[test]
fn sleeping_is_not_synchronization() {
    for _ in 0..3 {
        let (code, stdout, stderr) = run("sleep");
        assert_eq!(code, Some(66), "{stdout}\n{stderr}");
        assert!(
            stderr.contains("Read at 0x") && stderr.contains("by main goroutine"),
            "{stderr}"
        );
        assert!(stderr.contains("Previous write at 0x"), "{stderr}");
        assert!(stdout.contains("Actual final counter:   1"), "{stdout}");
    }
}

#[test]
fn the_fixes_are_silent_and_count_exactly() {
    for variant in ["mutex", "atomic", "channel"] {
        let (code, stdout, stderr) = run(variant);
        assert_eq!(code, Some(0), "{variant}\n{stdout}\n{stderr}");
        assert!(!stderr.contains("DATA RACE"), "{variant}: {stderr}");
        assert!(
            stdout.contains("Actual final counter:   10000"),
            "{variant}: {stdout}"
        );
        assert!(
            stdout.contains("Verdict: no data race"),
            "{variant}: {stdout}"
        );
    }
}

#[test]
fn bad_variants_get_a_clear_error() {
    let (code, _, stderr) = run("bogus");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("unknown variant 'bogus'"), "{stderr}");
}

/// README's first command: no variant runs the racy counter, then the fixed one.
#[test]
fn without_a_variant_the_race_is_reported_and_the_fix_is_silent() {
    let out = Command::new(env!("CARGO_BIN_EXE_hbsan"))
        .args(["demo", "counter"])
        .env_remove("GORACE")
        .env_remove("HBSAN_OPTIONS")
        .output()
        .expect("run hbsan");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(66), "{stdout}\n{stderr}");
    assert_eq!(stderr.matches("WARNING: DATA RACE").count(), 1, "{stderr}");
    assert!(stdout.contains("variant 'racy': "), "{stdout}");
    assert!(stdout.contains("Verdict: data race"), "{stdout}");
    assert!(stdout.contains("variant 'mutex': "), "{stdout}");
    assert!(stdout.contains("Verdict: no data race"), "{stdout}");
    assert!(stdout.contains("Actual final counter:   10000"), "{stdout}");
}
