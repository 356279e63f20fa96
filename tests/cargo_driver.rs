//! `hbsan cargo` as a Rust programmer uses it: `hbsan cargo build`, `test`,
//! `run` on the stable toolchain, with std precompiled and uninstrumented.
//!
//! The matrix: `tests/cargo/` is a cargo project (no dependencies: it builds
//! offline) whose `src/bin` programs each use one primitive of std::sync or
//! std::thread, race-free with the argument `ok` and with a deliberate race
//! through raw pointers or `static mut` with `racy`; the seed's three Rust
//! counters are there too (`seed_*`). Built once per profile (debug and
//! release), every race-free program must run silent with exit 0 (twice),
//! every racy one must be reported with exit 66 on each of three runs, with
//! a stack that names the program's function and a line the source marks
//! `// RACE`. Each racy program's race is one that no interleaving orders
//! (happens-before decides, not scheduling luck).

#[path = "support/tsan_report.rs"]
mod tsan_report;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const HBSAN: &str = env!("CARGO_BIN_EXE_hbsan");

/// Runs of each program: race-free, racy.
const OK_RUNS: usize = 2;
const RACY_RUNS: usize = 3;

/// A program that runs longer than this is hung.
const TIMEOUT: Duration = Duration::from_secs(60);

fn target() -> String {
    format!("{}-unknown-linux-gnu", std::env::consts::ARCH)
}

fn work() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cargo_driver")
}

/// `hbsan cargo ARGS` in `dir`, in an environment without the caller's
/// cargo and sanitizer settings.
fn hbsan_cargo(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(HBSAN);
    cmd.arg("cargo").args(args).current_dir(dir);
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTDOCFLAGS",
        "CARGO_ENCODED_RUSTDOCFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WRAPPER",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_PROFILE_RELEASE_DEBUG",
        "CARGO_PROFILE_BENCH_DEBUG",
        "HBSAN_RT_LIB",
        "HBSAN_OPTIONS",
        "TSAN_OPTIONS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("XDG_CACHE_HOME", work().join("cache"))
        .env("CARGO_TERM_COLOR", "never");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `cmd` to the end, killing it after [`TIMEOUT`].
fn run(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    // Drain the pipes on threads so that a chatty program cannot block.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).ok();
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).ok();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            child.kill().ok();
            let status = child.wait().expect("wait");
            let stderr = text(&err_reader.join().unwrap_or_default());
            panic!("{cmd:?} hung (killed after {TIMEOUT:?}): {status}\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// Asserts success; returns stdout and stderr together.
fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{all}",
        out.status
    );
    all
}

/// Copies `from` into `to`, file by file, writing only files whose content
/// differs (cargo rebuilds what looks newer, so an unchanged project stays
/// built across test runs).
fn sync_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create project dir");
    for entry in fs::read_dir(from).expect("read project dir").flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            sync_tree(&src, &dst);
        } else {
            let body = fs::read(&src).expect("read project file");
            if fs::read(&dst).ok().as_deref() != Some(&body[..]) {
                fs::write(&dst, body).expect("write project file");
            }
        }
    }
}

/// The matrix project's sources, in the repository.
fn matrix_sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cargo")
}

/// The matrix project, copied into the test directory.
fn matrix_project() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = work().join("matrix");
        sync_tree(&matrix_sources(), &dir);
        dir
    })
}

/// The matrix built with `hbsan cargo build --bins [--release]`, once per
/// profile; the directory of its programs.
fn matrix_built(release: bool) -> PathBuf {
    static BUILT: [OnceLock<PathBuf>; 2] = [OnceLock::new(), OnceLock::new()];
    BUILT[usize::from(release)]
        .get_or_init(|| {
            let dir = matrix_project();
            let mut args = vec!["build", "--bins", "--offline"];
            if release {
                args.push("--release");
            }
            ok(&mut hbsan_cargo(dir, &args));
            dir.join("target/hbsan")
                .join(target())
                .join(if release { "release" } else { "debug" })
        })
        .clone()
}

/// The matrix's programs: `(name, lines marked // RACE)`.
fn programs() -> Vec<(String, Vec<u32>)> {
    let mut found: Vec<(String, Vec<u32>)> = fs::read_dir(matrix_sources().join("src/bin"))
        .expect("read src/bin")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.strip_suffix(".rs")?.to_string();
            let source = fs::read_to_string(e.path()).ok()?;
            let lines = source
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains("// RACE"))
                .map(|(i, _)| i as u32 + 1)
                .collect();
            Some((name, lines))
        })
        .collect();
    found.sort();
    found
}

/// What went wrong with one run of a race-free program, if anything.
fn check_silent(program: &str, out: &Output) -> Option<String> {
    let stderr = text(&out.stderr);
    if out.status.code() != Some(0) || stderr.contains("WARNING: ThreadSanitizer") {
        return Some(format!(
            "{program}: expected silence and exit 0, got {}:\n{stderr}",
            out.status
        ));
    }
    None
}

/// What went wrong with one run of a racy program, if anything: it must
/// end with 66 and report a data race whose stack names a function of the
/// program (`mutex::main::{closure#0}`, `<thread_local::Tally as Drop>::drop`)
/// at a `// RACE` line of its source.
fn check_reported(program: &str, races: &[u32], out: &Output) -> Option<String> {
    let stderr = text(&out.stderr);
    if out.status.code() != Some(66) {
        return Some(format!(
            "{program}: expected a report and exit 66, got {}:\n{stderr}",
            out.status
        ));
    }
    let reports = tsan_report::parse(&stderr);
    let file = format!("src/bin/{program}.rs");
    let named = reports
        .iter()
        .filter(|r| r.warning == "data race")
        .flat_map(|r| &r.accesses)
        .flat_map(|a| &a.frames)
        .any(|f| {
            f.file.as_deref().is_some_and(|p| p.ends_with(&file))
                && f.line.is_some_and(|l| races.contains(&l))
                && f.function.contains(&format!("{program}::"))
        });
    if !named {
        return Some(format!(
            "{program}: no data race report names {program}::… at {file}:{races:?}:\n{stderr}"
        ));
    }
    None
}

/// Runs the whole matrix in one profile; panics with every failure.
fn run_matrix(release: bool) {
    let bin = matrix_built(release);
    let mut failures = Vec::new();
    let programs = programs();
    assert!(
        programs.len() >= 20,
        "the matrix lost programs: {programs:?}"
    );
    for (program, races) in &programs {
        let path = bin.join(program);
        match program.as_str() {
            // The seed's race-free counters print 10000.
            "seed_mutex" | "seed_atomic" => {
                for _ in 0..OK_RUNS {
                    let out = run(&mut Command::new(&path));
                    failures.extend(check_silent(program, &out));
                    if text(&out.stdout) != "10000\n" {
                        failures.push(format!("{program} printed {:?}", text(&out.stdout)));
                    }
                }
            }
            "seed_static_mut" => {
                for _ in 0..RACY_RUNS {
                    let out = run(&mut Command::new(&path));
                    failures.extend(check_reported(program, races, &out));
                }
            }
            _ => {
                assert!(!races.is_empty(), "{program}.rs marks no // RACE line");
                for _ in 0..OK_RUNS {
                    let out = run(Command::new(&path).arg("ok"));
                    failures.extend(check_silent(program, &out));
                }
                for _ in 0..RACY_RUNS {
                    let out = run(Command::new(&path).arg("racy"));
                    failures.extend(check_reported(program, races, &out));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s) ({} build):\n\n{}",
        failures.len(),
        if release { "release" } else { "debug" },
        failures.join("\n\n")
    );
}

#[test]
fn std_sync_and_thread_matrix_debug() {
    run_matrix(false);
}

#[test]
fn std_sync_and_thread_matrix_release() {
    run_matrix(true);
}

#[test]
fn cargo_test_reports_a_racy_unit_test_and_passes_the_others() {
    let dir = matrix_project();
    let silent = ok(&mut hbsan_cargo(
        dir,
        &["test", "--offline", "--lib", "counter_under_mutex"],
    ));
    assert!(silent.contains("test result: ok. 1 passed"), "{silent}");
    assert!(!silent.contains("WARNING: ThreadSanitizer"), "{silent}");

    let out = run(&mut hbsan_cargo(
        dir,
        &["test", "--offline", "--lib", "racy_counter"],
    ));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(66), "{stderr}");
    let source = fs::read_to_string(matrix_sources().join("src/lib.rs")).expect("read lib.rs");
    let line = source
        .lines()
        .position(|l| l.contains("// RACE"))
        .expect("lib.rs marks its race") as u32
        + 1;
    let reports = tsan_report::parse(&stderr);
    assert!(
        reports
            .iter()
            .flat_map(|r| &r.accesses)
            .any(|a| a.frames.iter().any(|f| {
                f.function
                    .starts_with("hbsan_std_matrix::tests::racy_counter")
                    && f.file.as_deref().is_some_and(|p| p.ends_with("src/lib.rs"))
                    && f.line == Some(line)
            })),
        "no report names racy_counter at src/lib.rs:{line}:\n{stderr}"
    );

    let doc = ok(&mut hbsan_cargo(dir, &["test", "--offline", "--doc"]));
    assert!(doc.contains("test result: ok. 1 passed"), "{doc}");
}

#[test]
fn cargo_run_passes_the_verdict_on() {
    let dir = matrix_project();
    let out = run(&mut hbsan_cargo(
        dir,
        &["run", "--offline", "-q", "--bin", "seed_static_mut"],
    ));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(66), "{stderr}");
    assert!(
        stderr.contains("WARNING: ThreadSanitizer: data race"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Location is global 'seed_static_mut::COUNTER'"),
        "{stderr}"
    );

    let out = run(&mut hbsan_cargo(
        dir,
        &["run", "--offline", "-q", "--bin", "seed_mutex"],
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "10000\n");
}

/// A project with a build script and a proc-macro (both built and run
/// normally, for the host), a `--cfg` in its cargo config and one in
/// RUSTFLAGS (whichever cargo uses is kept), and link-time optimization in
/// its release profile (which would merge std into the program and hide
/// the functions hbsan hooks: switched off).
const TOOLS_MANIFEST: &str = r#"[package]
name = "with-tools"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
answer = { path = "answer" }

[profile.release]
lto = true

[workspace]
"#;

const TOOLS_BUILD_RS: &str = r#"fn main() {
    println!("cargo::rustc-check-cfg=cfg(from_build_script)");
    println!("cargo::rustc-check-cfg=cfg(from_user)");
    println!("cargo::rustc-check-cfg=cfg(from_config)");
    println!("cargo::rustc-cfg=from_build_script");
}
"#;

const TOOLS_MAIN: &str = r#"use std::sync::{Arc, Mutex};

fn main() {
    let answer: u32 = answer::answer!();
    let script = cfg!(from_build_script);
    let user = if cfg!(from_user) {
        "user"
    } else if cfg!(from_config) {
        "config"
    } else {
        "none"
    };
    // Contended: the lock's slow path runs inside std.
    let counter = Arc::new(Mutex::new(0u32));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    *counter.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    println!("{answer} {script} {user} {}", *counter.lock().unwrap());
}
"#;

const ANSWER_MANIFEST: &str = r#"[package]
name = "answer"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
proc-macro = true
"#;

const ANSWER_LIB: &str = r#"extern crate proc_macro;
use proc_macro::TokenStream;

#[proc_macro]
pub fn answer(_: TokenStream) -> TokenStream {
    "42".parse().unwrap()
}
"#;

#[test]
fn build_scripts_proc_macros_and_user_flags_work_in_a_target_directory_apart() {
    let dir = work().join("tools");
    let _ = fs::remove_dir_all(&dir);
    for (path, body) in [
        ("Cargo.toml", TOOLS_MANIFEST),
        ("build.rs", TOOLS_BUILD_RS),
        ("src/main.rs", TOOLS_MAIN),
        ("answer/Cargo.toml", ANSWER_MANIFEST),
        ("answer/src/lib.rs", ANSWER_LIB),
        (
            ".cargo/config.toml",
            "[build]\nrustflags = [\"--cfg\", \"from_config\"]\n",
        ),
    ] {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }
    // The config's flags (cargo's source when RUSTFLAGS is unset)...
    let out = ok(&mut hbsan_cargo(&dir, &["run", "--offline", "-q"]));
    assert!(out.contains("42 true config 4000"), "{out}");
    assert!(!out.contains("WARNING: ThreadSanitizer"), "{out}");
    // ...and RUSTFLAGS (which cargo prefers), in the release profile.
    let out = ok(hbsan_cargo(&dir, &["run", "--offline", "-q", "--release"])
        .env("RUSTFLAGS", "--cfg from_user"));
    assert!(out.contains("42 true user 4000"), "{out}");
    assert!(!out.contains("WARNING: ThreadSanitizer"), "{out}");
    // Instrumented: the program links the runtime's hooks.
    let program = dir
        .join("target/hbsan")
        .join(target())
        .join("release/with-tools");
    let symbols = ok(Command::new("nm").arg(&program));
    assert!(symbols.contains("__tsan_func_entry"), "not instrumented");
    // Apart from normal builds, which `hbsan cargo clean` leaves alone.
    assert!(!dir.join("target/debug/with-tools").exists());
    fs::create_dir_all(dir.join("target/debug")).unwrap();
    fs::write(dir.join("target/debug/keep"), "").unwrap();
    ok(&mut hbsan_cargo(&dir, &["clean"]));
    assert!(!dir.join("target/hbsan").exists());
    assert!(dir.join("target/debug/keep").exists());
}

/// The one line `hbsan cargo` printed, asserting exit status 2.
fn one_line_error(cmd: &mut Command) -> String {
    let out = run(cmd);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("hbsan cargo: "), "{stderr}");
    lines[0].to_string()
}

#[test]
fn missing_cargo_and_unsupported_targets_are_one_line_and_exit_2() {
    let dir = work().join("errors");
    fs::create_dir_all(&dir).unwrap();

    let empty = dir.join("empty-path");
    fs::create_dir_all(&empty).unwrap();
    let line = one_line_error(hbsan_cargo(&dir, &["build"]).env("PATH", &empty));
    assert!(
        line.contains("cargo") && line.contains("not found"),
        "{line}"
    );

    let other = if target().starts_with("x86_64") {
        "aarch64-unknown-linux-gnu"
    } else {
        "x86_64-unknown-linux-gnu"
    };
    let line = one_line_error(&mut hbsan_cargo(&dir, &["build", "--target", other]));
    assert!(
        line.contains(other) && line.contains("not supported"),
        "{line}"
    );
    let line = one_line_error(&mut hbsan_cargo(
        &dir,
        &["test", "--target=x86_64-unknown-linux-musl"],
    ));
    assert!(line.contains("x86_64-unknown-linux-musl"), "{line}");

    // A toolchain whose host is not one hbsan serves.
    let fake = dir.join("fake-rustc");
    fs::write(
        &fake,
        "#!/bin/sh\necho 'rustc 1.95.0 (fake)'\necho 'host: riscv64gc-unknown-linux-gnu'\n\
         echo 'release: 1.95.0'\n",
    )
    .unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let line = one_line_error(hbsan_cargo(&dir, &["build"]).env("RUSTC", &fake));
    assert!(line.contains("riscv64gc-unknown-linux-gnu"), "{line}");

    // Commands that build nothing pass through to cargo unchanged.
    let version = ok(&mut hbsan_cargo(&dir, &["--version"]));
    assert!(version.starts_with("cargo "), "{version}");
}
