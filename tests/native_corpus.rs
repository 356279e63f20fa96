//! The native corpus: the C and C++ programs in `tests/native/` (racy programs and
//! their fixed twins, annotated as described in `tests/native/README.md`), built
//! three ways and run:
//!
//! - **libtsan**: built with gcc's `-fsanitize=thread`, linked by gcc/g++ with its
//!   own libtsan — the reference;
//! - **hbsan**: the same object linked through `hbsan cc OBJ -o PROG [link flags]`.
//!   While that command is not there yet (the binary is missing or
//!   `hbsan cc --version` fails or prints nothing) the column is skipped with one
//!   line on stderr; it runs as soon as the command works.
//! - **hbsan-pass**: the source compiled by clang through hbsan's own
//!   instrumentation pass and linked with hbsan's runtime
//!   (`hbsan cc --pass=hbsan -g -O1 SOURCE -o PROG [link flags]`), checked like
//!   the hbsan column (it needs clang 14 or newer, which `.ci/run` installs).
//!
//! Racy programs must exit 66 with a report naming both annotated accesses and the
//! location, on every run; fixed ones must exit 0 without a report. Programs
//! marked `libtsan=false-positive` must be reported by libtsan and be silent under
//! hbsan; for every other program all columns must give the same verdicts (a racy
//! program libtsan misses on some runs but reports on others is said, not failed:
//! libtsan evicts shadow cells at random).
//! Racy programs listed in `tests/native/hbsan_pending.txt` (hbsan finds the race
//! but its report still differs from libtsan's) get a verdict-only check under
//! hbsan, and fail once hbsan matches, so that the list cannot go stale.
//!
//! `cargo test --release --test native_corpus`. Builds go to
//! `target/native-corpus/`, with each run's stdout and stderr beside them.
//! `HBSAN=/path/to/hbsan` overrides the driver under test.

#[path = "support/tsan_report.rs"]
mod tsan_report;

use std::collections::BTreeSet;
use std::fmt;
use std::fs::{self, File};
use std::io::Write as _;
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tsan_report::{Access, AccessKind, Location, Report};

/// Parallel compilations and program runs (the machine has 2 cores, shared).
const JOBS: usize = 2;
/// Racy programs run this many times unless they say `runs=N`; fixed ones once.
const DEFAULT_RACY_RUNS: u32 = 3;
/// Per run; a program still running then is killed (with its process group).
const RUN_TIMEOUT: Duration = Duration::from_secs(30);
/// More runs libtsan gets for a racy program it reported on none of the
/// counted ones (see `run_column`).
const EXTRA_LIBTSAN_RUNS: usize = 6;
/// Annotations are read from this many first lines.
const HEADER_LINES: usize = 30;
/// Racy programs whose race hbsan finds but reports differently from libtsan.
const PENDING_FILE: &str = "hbsan_pending.txt";
/// The exit status ThreadSanitizer (and hbsan) use when a warning was reported.
const RACE_EXIT: i32 = 66;
/// The longest piece of a program's stderr quoted in a failure message.
const STDERR_QUOTE: usize = 12_000;

// ---------------------------------------------------------------------------
// Annotations

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Race,
    Silent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ExpectedAccess {
    kind: AccessKind,
    size: u64,
    function: String,
    line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ExpectedLocation {
    Global(String),
    Heap(u64),
    /// `stack`, `stack:main`, `stack:thread`
    Stack(StackOwner),
    /// `tls:main`, `tls:thread`: a thread's static TLS block
    Tls(StackOwner),
    /// `none`: libtsan names no location (memory being freed); nothing is checked.
    Unchecked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StackOwner {
    Any,
    Main,
    OtherThread,
}

#[derive(Debug)]
struct Spec {
    source: PathBuf,
    /// File name, e.g. `mutex_racy.c`: how frames in reports are matched.
    name: String,
    stem: String,
    cxx: bool,
    expect: Expect,
    /// Known libtsan false positive: libtsan reports a race, hbsan must not.
    libtsan_false_positive: Option<String>,
    /// From `tests/native/hbsan_pending.txt`: hbsan finds the race but its
    /// report differs from libtsan's in detail (names, sizes, warning kind), so
    /// only the verdict is asserted for hbsan.
    hbsan_pending: Option<String>,
    warning: String,
    accesses: Vec<ExpectedAccess>,
    location: Option<ExpectedLocation>,
    link: Vec<String>,
    runs: u32,
}

fn warning_for_slug(slug: &str) -> Option<&'static str> {
    match slug {
        "data-race" => Some("data race"),
        "heap-use-after-free" => Some("heap-use-after-free"),
        "vptr" => Some("data race on vptr (ctor/dtor vs virtual call)"),
        _ => None,
    }
}

fn parse_spec(source: &Path) -> Result<Spec, String> {
    let name = source.file_name().unwrap().to_string_lossy().into_owned();
    let stem = source.file_stem().unwrap().to_string_lossy().into_owned();
    let cxx = name.ends_with(".cpp");
    let text = fs::read_to_string(source).map_err(|e| format!("cannot read: {e}"))?;
    let lines: Vec<&str> = text.lines().take(HEADER_LINES).collect();

    let mut expect = None;
    let mut false_positive = None;
    let mut warning = None;
    let mut accesses = Vec::new();
    let mut location = None;
    let mut link = Vec::new();
    let mut runs = None;

    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim().strip_prefix("// hbsan-test:") else {
            continue;
        };
        let at = |msg: String| format!("line {}: {msg}", i + 1);
        for token in rest.split_whitespace() {
            let (key, value) = token
                .split_once('=')
                .ok_or_else(|| at(format!("`{token}` is not key=value")))?;
            match key {
                "expect" => {
                    let e = match value {
                        "race" => Expect::Race,
                        "silent" => Expect::Silent,
                        _ => return Err(at(format!("expect={value}: race or silent"))),
                    };
                    if expect.replace(e).is_some() {
                        return Err(at("expect= given twice".into()));
                    }
                }
                "libtsan" => {
                    if value != "false-positive" {
                        return Err(at(format!("libtsan={value}: only false-positive is known")));
                    }
                    false_positive = Some(reason_on_next_line(&lines, i).ok_or_else(|| {
                        at("libtsan=false-positive wants the reason on the next `//` line".into())
                    })?);
                }
                "warning" => {
                    let w = warning_for_slug(value).ok_or_else(|| {
                        at(format!(
                            "warning={value}: one of data-race, heap-use-after-free, vptr"
                        ))
                    })?;
                    warning = Some(w.to_string());
                }
                "access" => accesses.push(parse_access(value).map_err(at)?),
                "location" => {
                    let loc = parse_location(value).map_err(at)?;
                    if location.replace(loc).is_some() {
                        return Err(at("location= given twice".into()));
                    }
                }
                "link" => link.push(value.to_string()),
                "runs" => {
                    let n: u32 = value
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| at(format!("runs={value}: a positive number")))?;
                    runs = Some(n);
                }
                _ => return Err(at(format!("unknown key `{key}`"))),
            }
        }
    }

    let expect = expect.ok_or("no `// hbsan-test: expect=race|silent` in the first 30 lines")?;
    match expect {
        Expect::Race => {
            if false_positive.is_some() {
                return Err("libtsan=false-positive goes with expect=silent".into());
            }
            if accesses.len() != 2 || location.is_none() {
                return Err("a racy program names two access= and one location=".into());
            }
        }
        Expect::Silent => {
            if false_positive.is_none() && (!accesses.is_empty() || location.is_some()) {
                return Err(
                    "access=/location= only describe races (or libtsan's false positive)".into(),
                );
            }
            if !accesses.is_empty() && accesses.len() != 2 {
                return Err("name both accesses of libtsan's false report, or none".into());
            }
        }
    }
    let racy_somewhere = expect == Expect::Race || false_positive.is_some();
    Ok(Spec {
        source: source.to_path_buf(),
        name,
        stem,
        cxx,
        expect,
        libtsan_false_positive: false_positive,
        hbsan_pending: None,
        warning: warning.unwrap_or_else(|| "data race".to_string()),
        accesses,
        location,
        link,
        runs: runs.unwrap_or(if racy_somewhere { DEFAULT_RACY_RUNS } else { 1 }),
    })
}

/// `tests/native/hbsan_pending.txt`: `file: reason` lines (`#` comments) naming
/// racy programs whose race hbsan finds but reports differently from libtsan.
fn parse_pending(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some((file, reason)) if !file.trim().is_empty() && !reason.trim().is_empty() => {
                entries.push((file.trim().to_string(), reason.trim().to_string()))
            }
            _ => return Err(format!("line {}: want `file: reason`", i + 1)),
        }
    }
    Ok(entries)
}

/// The comment line after annotation line `i`, without its `//`.
fn reason_on_next_line(lines: &[&str], i: usize) -> Option<String> {
    lines
        .get(i + 1)
        .map(|l| l.trim())
        .filter(|l| l.starts_with("//") && !l.starts_with("// hbsan-test:"))
        .map(|l| l.trim_start_matches('/').trim().to_string())
        .filter(|l| !l.is_empty())
}

/// `kind:size:function:line`; the function may itself contain colons (C++).
fn parse_access(value: &str) -> Result<ExpectedAccess, String> {
    let bad = || format!("access={value}: want kind:size:function:line");
    let (kind, rest) = value.split_once(':').ok_or_else(bad)?;
    let (size, rest) = rest.split_once(':').ok_or_else(bad)?;
    let (function, line) = rest.rsplit_once(':').ok_or_else(bad)?;
    let kind = AccessKind::from_name(kind).ok_or_else(|| {
        format!("access={value}: kind is read, write, atomic-read or atomic-write")
    })?;
    if function.is_empty() {
        return Err(bad());
    }
    Ok(ExpectedAccess {
        kind,
        size: size.parse().map_err(|_| bad())?,
        function: function.to_string(),
        line: line.parse().map_err(|_| bad())?,
    })
}

fn parse_location(value: &str) -> Result<ExpectedLocation, String> {
    let (kind, arg) = match value.split_once(':') {
        Some((k, a)) => (k, Some(a)),
        None => (value, None),
    };
    match (kind, arg) {
        ("global", Some(name)) if !name.is_empty() => Ok(ExpectedLocation::Global(name.into())),
        ("heap", Some(size)) => size
            .parse()
            .map(ExpectedLocation::Heap)
            .map_err(|_| format!("location={value}: heap:SIZE")),
        ("stack", None) => Ok(ExpectedLocation::Stack(StackOwner::Any)),
        ("stack", Some("main")) => Ok(ExpectedLocation::Stack(StackOwner::Main)),
        ("stack", Some("thread")) => Ok(ExpectedLocation::Stack(StackOwner::OtherThread)),
        ("tls", Some("main")) => Ok(ExpectedLocation::Tls(StackOwner::Main)),
        ("tls", Some("thread")) => Ok(ExpectedLocation::Tls(StackOwner::OtherThread)),
        ("none", None) => Ok(ExpectedLocation::Unchecked),
        _ => Err(format!(
            "location={value}: global:NAME, heap:SIZE, stack[:main|:thread], tls:main|thread \
             or none"
        )),
    }
}

impl fmt::Display for ExpectedAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of size {} in {} at line {}",
            self.kind, self.size, self.function, self.line
        )
    }
}

impl fmt::Display for ExpectedLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedLocation::Global(name) => write!(f, "global '{name}'"),
            ExpectedLocation::Heap(size) => write!(f, "heap block of size {size}"),
            ExpectedLocation::Stack(StackOwner::Any) => f.write_str("a stack"),
            ExpectedLocation::Stack(StackOwner::Main) => f.write_str("stack of main thread"),
            ExpectedLocation::Stack(StackOwner::OtherThread) => {
                f.write_str("stack of a thread other than main")
            }
            ExpectedLocation::Tls(StackOwner::Main) => f.write_str("TLS of main thread"),
            ExpectedLocation::Tls(_) => f.write_str("TLS of a thread other than main"),
            ExpectedLocation::Unchecked => f.write_str("(location not checked)"),
        }
    }
}

// ---------------------------------------------------------------------------
// Matching reports against the annotations

/// Whether a reported access is the annotated one. With `coarse` (the
/// hbsan-pass column), the access may have been checked as part of a wider
/// one: hbsan's pass checks a read followed by a write of the same bytes as
/// the write, and a loop's accesses as one range, so a read may show up as a
/// write and the size may be larger; function and line must still match.
fn access_matches(expected: &ExpectedAccess, got: &Access, file_name: &str, coarse: bool) -> bool {
    let kind_ok = got.kind == expected.kind
        || (coarse && expected.kind == AccessKind::Read && got.kind == AccessKind::Write);
    let size_ok = got.size == expected.size || (coarse && got.size > expected.size);
    kind_ok
        && size_ok
        && got.first_frame_in(file_name).is_some_and(|frame| {
            frame.line == Some(expected.line)
                && (frame.function == expected.function
                    || frame.bare_function() == expected.function)
        })
}

fn location_matches(expected: &ExpectedLocation, got: &[Location]) -> bool {
    if *expected == ExpectedLocation::Unchecked {
        return true;
    }
    got.iter().any(|loc| match (expected, loc) {
        (ExpectedLocation::Global(name), Location::Global { name: n, .. }) => n == name,
        (ExpectedLocation::Heap(size), Location::Heap { size: s, .. }) => s == size,
        (ExpectedLocation::Stack(owner), Location::Stack { thread })
        | (ExpectedLocation::Tls(owner), Location::Tls { thread }) => match owner {
            StackOwner::Any => true,
            StackOwner::Main => thread == "main thread",
            StackOwner::OtherThread => thread.starts_with("thread "),
        },
        _ => false,
    })
}

/// Whether `report` is the race `spec` describes: the warning, both accesses (in
/// either order) and the location. With no access annotations (a false
/// positive described only by its verdict) any report of the warning matches.
fn report_matches(spec: &Spec, report: &Report, coarse: bool) -> bool {
    if report.warning != spec.warning {
        return false;
    }
    if let [a, b] = spec.accesses.as_slice() {
        let got = &report.accesses;
        let pair = |x: &Access, y: &Access| {
            access_matches(a, x, &spec.name, coarse) && access_matches(b, y, &spec.name, coarse)
        };
        let accesses_ok = got.len() >= 2
            && (0..got.len()).any(|i| (0..got.len()).any(|j| i != j && (pair(&got[i], &got[j]))));
        if !accesses_ok {
            return false;
        }
    }
    match &spec.location {
        Some(loc) => location_matches(loc, &report.locations),
        None => true,
    }
}

fn describe_expected_race(spec: &Spec) -> String {
    let mut s = format!("a '{}' report", spec.warning);
    if let [a, b] = spec.accesses.as_slice() {
        s += &format!(" naming {a} and {b} of {}", spec.name);
    }
    if let Some(loc) = &spec.location {
        s += &format!(", location {loc}");
    }
    s += &format!(", and exit status {RACE_EXIT}");
    s
}

fn describe_report(spec: &Spec, report: &Report) -> String {
    let mut s = format!("    '{}':", report.warning);
    for access in &report.accesses {
        let user = access
            .first_frame_in(&spec.name)
            .map(|f| format!("{} at {}:{}", f.function, spec.name, f.line.unwrap_or(0)))
            .unwrap_or_else(|| format!("no frame in {}", spec.name));
        s += &format!(
            "\n      {}{} of size {} by {} ({user})",
            if access.previous { "previous " } else { "" },
            access.kind,
            access.size,
            access.thread
        );
    }
    for loc in &report.locations {
        s += &format!("\n      location: {loc}");
    }
    if report.locations.is_empty() {
        s += "\n      (no location)";
    }
    s
}

// ---------------------------------------------------------------------------
// Building and running

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runtime {
    Libtsan,
    Hbsan,
    /// hbsan's runtime, the source compiled by clang through hbsan's own
    /// instrumentation pass (`hbsan cc --pass=hbsan`).
    HbsanPass,
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Runtime::Libtsan => "libtsan",
            Runtime::Hbsan => "hbsan",
            Runtime::HbsanPass => "hbsan-pass",
        })
    }
}

struct Paths {
    native_dir: PathBuf,
    out_dir: PathBuf,
}

impl Paths {
    fn object(&self, spec: &Spec) -> PathBuf {
        self.out_dir.join(format!("{}.o", spec.stem))
    }
    fn program(&self, spec: &Spec, runtime: Runtime) -> PathBuf {
        self.out_dir.join(format!("{}.{runtime}", spec.stem))
    }
}

fn paths() -> Paths {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // target/<profile>/hbsan -> target/
    let target = Path::new(env!("CARGO_BIN_EXE_hbsan"))
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest.join("target"));
    Paths {
        native_dir: manifest.join("tests").join("native"),
        out_dir: target.join("native-corpus"),
    }
}

/// Runs `f` over `items` on `jobs` threads; results in input order.
fn parallel_map<T: Sync, R: Send>(items: &[T], jobs: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= items.len() {
                        break;
                    }
                    let r = f(&items[i]);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect()
}

/// Runs a build command; Err carries the command line and its output.
fn build_step(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    match cmd.stdin(Stdio::null()).output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "`{shown}` failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )),
        Err(e) => Err(format!("cannot run `{shown}`: {e}")),
    }
}

/// Compiles the object once and links it for libtsan; Err names the command.
fn build_libtsan(spec: &Spec, paths: &Paths) -> Result<(), String> {
    let compiler = if spec.cxx { "g++" } else { "gcc" };
    let object = paths.object(spec);
    build_step(
        Command::new(compiler)
            .args(["-fsanitize=thread", "-g", "-O1", "-c"])
            .arg(&spec.source)
            .arg("-o")
            .arg(&object),
    )?;
    build_step(
        Command::new(compiler)
            .arg("-fsanitize=thread")
            .arg(&object)
            .arg("-o")
            .arg(paths.program(spec, Runtime::Libtsan))
            .args(&spec.link),
    )
}

/// Links the same object through `hbsan cc`.
fn build_hbsan(spec: &Spec, paths: &Paths, hbsan: &Path) -> Result<(), String> {
    let program = paths.program(spec, Runtime::Hbsan);
    let _ = fs::remove_file(&program);
    let mut cmd = Command::new(hbsan);
    cmd.arg("cc")
        .arg(paths.object(spec))
        .arg("-o")
        .arg(&program)
        .args(&spec.link);
    if spec.cxx {
        // Only the g++ driver links libstdc++ by itself.
        cmd.arg("-lstdc++");
    }
    build_step(&mut cmd)?;
    if !program.exists() {
        return Err(format!(
            "`{cmd:?}` succeeded but made no {}",
            program.display()
        ));
    }
    Ok(())
}

/// Compiles the source with clang through hbsan's pass and links it with
/// hbsan's runtime, in one `hbsan cc --pass=hbsan` command.
fn build_hbsan_pass(spec: &Spec, paths: &Paths, hbsan: &Path) -> Result<(), String> {
    let program = paths.program(spec, Runtime::HbsanPass);
    let _ = fs::remove_file(&program);
    let mut cmd = Command::new(hbsan);
    cmd.arg(if spec.cxx { "c++" } else { "cc" })
        .args(["--pass=hbsan", "-g", "-O1"])
        .arg(&spec.source)
        .arg("-o")
        .arg(&program)
        .args(&spec.link)
        .env_remove("CC")
        .env_remove("CXX");
    build_step(&mut cmd)
}

/// Why the hbsan column cannot run, or the driver to use.
fn hbsan_driver() -> Result<PathBuf, String> {
    let driver = std::env::var_os("HBSAN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_hbsan")));
    if !driver.exists() {
        return Err(format!("{} does not exist", driver.display()));
    }
    let probe = format!("`{} cc --version`", driver.display());
    let dir = std::env::temp_dir();
    let out = run_with_timeout(
        Command::new(&driver).args(["cc", "--version"]),
        &dir.join(format!("hbsan-cc-probe-{}.out", std::process::id())),
        &dir.join(format!("hbsan-cc-probe-{}.err", std::process::id())),
        Duration::from_secs(30),
    )
    .map_err(|e| format!("{probe} could not run: {e}"))?;
    match out.status {
        Some(status) if status.success() => {
            if out.stdout.trim().is_empty() && out.stderr.trim().is_empty() {
                Err(format!(
                    "{probe} prints nothing (the cc command is not implemented)"
                ))
            } else {
                Ok(driver)
            }
        }
        Some(status) => Err(format!("{probe} fails ({status}): {}", out.stderr.trim())),
        None => Err(format!("{probe} did not finish")),
    }
}

struct RunOutput {
    /// None when the program was killed at the timeout.
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

/// Runs `cmd` in its own process group with stdout/stderr into the given files;
/// kills the whole group at the timeout.
fn run_with_timeout(
    cmd: &mut Command,
    stdout_path: &Path,
    stderr_path: &Path,
    timeout: Duration,
) -> std::io::Result<RunOutput> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(File::create(stdout_path)?)
        .stderr(File::create(stderr_path)?)
        .process_group(0)
        .spawn()?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            // SAFETY: plain syscall on the process group this function created.
            unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
    Ok(RunOutput {
        status,
        stdout: read(stdout_path),
        stderr: read(stderr_path),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Race,
    Silent,
    /// Crashed, timed out, or an exit status that is neither 0 nor 66 without a report.
    Broken(String),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Race => f.write_str("race"),
            Verdict::Silent => f.write_str("silent"),
            Verdict::Broken(why) => write!(f, "broken ({why})"),
        }
    }
}

fn describe_status(status: Option<ExitStatus>) -> String {
    match status {
        None => format!("killed after {}s", RUN_TIMEOUT.as_secs()),
        Some(s) => match (s.code(), s.signal()) {
            (Some(code), _) => format!("exit status {code}"),
            (None, Some(sig)) => format!("killed by signal {sig}"),
            _ => format!("{s}"),
        },
    }
}

fn verdict(out: &RunOutput, reports: &[Report]) -> Verdict {
    let code = out.status.and_then(|s| s.code());
    match code {
        Some(RACE_EXIT) => Verdict::Race,
        Some(0) if reports.is_empty() => Verdict::Silent,
        _ if !reports.is_empty() && code.is_some() => Verdict::Race,
        _ => Verdict::Broken(describe_status(out.status)),
    }
}

/// The outcome of all runs of one program under one runtime.
struct ColumnResult {
    verdicts: Vec<Verdict>,
    failures: Vec<String>,
    /// For programs in the pending list: whether some run's report still differs
    /// from the annotated (libtsan) one.
    still_pending: bool,
}

fn quote_stderr(stderr: &str) -> String {
    if stderr.trim().is_empty() {
        return "    (stderr is empty)".to_string();
    }
    let mut text = stderr;
    let mut note = String::new();
    if text.len() > STDERR_QUOTE {
        let mut cut = STDERR_QUOTE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        note = format!("\n    ... ({} more bytes)", text.len() - cut);
        text = &text[..cut];
    }
    let body: String = text.lines().map(|l| format!("    | {l}\n")).collect();
    format!("{body}{note}")
}

/// One run of a built program in the output directory, without the
/// detectors' option variables, its stdout and stderr kept as `BASE.stdout`
/// and `BASE.stderr`.
fn run_program(paths: &Paths, program: &Path, base: &str) -> std::io::Result<RunOutput> {
    run_with_timeout(
        Command::new(program)
            .current_dir(&paths.out_dir)
            .env_remove("TSAN_OPTIONS")
            .env_remove("HBSAN_OPTIONS"),
        &paths.out_dir.join(format!("{base}.stdout")),
        &paths.out_dir.join(format!("{base}.stderr")),
        RUN_TIMEOUT,
    )
}

fn run_column(spec: &Spec, paths: &Paths, runtime: Runtime) -> ColumnResult {
    let program = paths.program(spec, runtime);
    // libtsan reports its known false positives; hbsan must not.
    let want_race = match runtime {
        Runtime::Libtsan => spec.expect == Expect::Race || spec.libtsan_false_positive.is_some(),
        Runtime::Hbsan | Runtime::HbsanPass => spec.expect == Expect::Race,
    };
    // In the pending list: for hbsan, the race must be found, its details may differ.
    let details_optional = runtime == Runtime::Hbsan && spec.hbsan_pending.is_some();
    let mut verdicts = Vec::new();
    let mut failures = Vec::new();
    let mut still_pending = false;
    let mut misses = Vec::new();
    for run in 1..=spec.runs {
        let base = format!("{}.{runtime}.run{run}", spec.stem);
        let where_ = format!(
            "tests/native/{} [{runtime}, run {run}/{}]",
            spec.name, spec.runs
        );
        let out = match run_program(paths, &program, &base) {
            Ok(out) => out,
            Err(e) => {
                failures.push(format!("{where_}: cannot run {}: {e}", program.display()));
                verdicts.push(Verdict::Broken(e.to_string()));
                continue;
            }
        };
        let reports = tsan_report::parse(&out.stderr);
        let v = verdict(&out, &reports);
        let code = out.status.and_then(|s| s.code());
        let problem = if want_race {
            let coarse = runtime == Runtime::HbsanPass;
            let details = reports.iter().any(|r| report_matches(spec, r, coarse));
            still_pending |= !details;
            let found = code == Some(RACE_EXIT) && !reports.is_empty();
            if !found || (!details && !details_optional) {
                let mut why = format!(
                    "expected {}{}\n  got: {}, {} report(s)",
                    describe_expected_race(spec),
                    match (&spec.libtsan_false_positive, runtime) {
                        (Some(reason), Runtime::Libtsan) => {
                            format!(" (the known libtsan false positive: {reason})")
                        }
                        _ => String::new(),
                    },
                    describe_status(out.status),
                    reports.len()
                );
                for r in &reports {
                    why += "\n";
                    why += &describe_report(spec, r);
                }
                Some(why)
            } else {
                None
            }
        } else if code != Some(0) || !reports.is_empty() {
            let mut why = format!(
                "expected no report and exit status 0{}\n  got: {}, {} report(s)",
                match (&spec.libtsan_false_positive, runtime) {
                    (Some(_), Runtime::Hbsan) =>
                        " (libtsan's report here is a known false positive)",
                    _ => "",
                },
                describe_status(out.status),
                reports.len()
            );
            for r in &reports {
                why += "\n";
                why += &describe_report(spec, r);
            }
            Some(why)
        } else {
            None
        };
        // libtsan is the reference, but a lossy one: under load it has missed a
        // race it finds on every quiet run (atomic_racy.c, 1 run in several
        // hundred; its known false positive in fence_fixed.c, 2 runs of 3 once
        // in a clean clone's test run). A report it gives on some run is its
        // verdict; the miss is said, not failed. hbsan must be right on every
        // run.
        let libtsan_miss =
            runtime == Runtime::Libtsan && want_race && v == Verdict::Silent && problem.is_some();
        if libtsan_miss {
            misses.push(where_.clone());
        } else if let Some(why) = problem {
            failures.push(format!(
                "{where_}: {why}\n  stderr of {}:\n{}",
                program.display(),
                quote_stderr(&out.stderr)
            ));
        }
        verdicts.push(v);
    }
    if runtime == Runtime::Libtsan
        && spec.expect == Expect::Race
        && !misses.is_empty()
        && misses.len() == verdicts.len()
    {
        // Under load libtsan has missed a race on several runs in a row
        // (fence_racy.c: 2 of 3, on a program it reports 40 of 40 alone):
        // before the reference is said to miss it, it gets a few more runs.
        for extra in 1..=EXTRA_LIBTSAN_RUNS {
            let base = format!("{}.{runtime}.extra{extra}", spec.stem);
            let Ok(out) = run_program(paths, &program, &base) else {
                break;
            };
            if verdict(&out, &tsan_report::parse(&out.stderr)) == Verdict::Race {
                verdicts.push(Verdict::Race);
                break;
            }
        }
    }
    if !misses.is_empty() {
        let every_run = misses.len() == verdicts.len();
        if every_run && spec.libtsan_false_positive.is_none() {
            failures.push(format!(
                "tests/native/{} [libtsan]: no report on any of {} runs",
                spec.name,
                verdicts.len()
            ));
        } else {
            // A known false positive not shown documents libtsan, not hbsan.
            say(&if every_run {
                format!(
                    "libtsan did not show its known false positive on {} in {} runs",
                    spec.name,
                    verdicts.len()
                )
            } else {
                format!(
                    "libtsan missed the race of {} on {} (reported on another run)",
                    spec.name,
                    misses.join(", ")
                )
            });
            verdicts.retain(|v| *v != Verdict::Silent);
        }
    }
    if details_optional && !still_pending && failures.is_empty() {
        failures.push(format!(
            "tests/native/{} [hbsan]: hbsan now gives libtsan's report on every run: \
             remove its line from tests/native/{PENDING_FILE}",
            spec.name
        ));
    }
    ColumnResult {
        verdicts,
        failures,
        still_pending,
    }
}

fn corpus_sources(dir: &Path) -> Vec<PathBuf> {
    let mut sources: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("c" | "cpp")))
        .collect();
    sources.sort();
    sources
}

/// Writes straight to the process's stderr: libtest captures `eprintln!` of a
/// passing test, and these lines should be seen.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "native_corpus: {line}");
}

#[test]
fn native_corpus() {
    let started = Instant::now();
    let paths = paths();
    fs::create_dir_all(&paths.out_dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", paths.out_dir.display()));

    let mut failures: Vec<String> = Vec::new();
    let mut specs = Vec::new();
    // NATIVE_CORPUS=mutex,sem_racy.c runs only the programs whose file names
    // contain one of the comma-separated words.
    let filter: Option<Vec<String>> = std::env::var("NATIVE_CORPUS")
        .ok()
        .filter(|f| !f.trim().is_empty())
        .map(|f| f.split(',').map(|w| w.trim().to_string()).collect());
    for source in corpus_sources(&paths.native_dir) {
        let name = source.file_name().unwrap().to_string_lossy();
        if let Some(words) = &filter {
            if !words
                .iter()
                .any(|w| !w.is_empty() && name.contains(w.as_str()))
            {
                continue;
            }
        }
        match parse_spec(&source) {
            Ok(spec) => specs.push(spec),
            Err(e) => failures.push(format!("{}: bad annotations: {e}", source.display())),
        }
    }
    let pending_path = paths.native_dir.join(PENDING_FILE);
    // No list at all: every hbsan report is checked in full.
    let pending_text = if pending_path.exists() {
        fs::read_to_string(&pending_path)
    } else {
        Ok(String::new())
    };
    match pending_text
        .map_err(|e| e.to_string())
        .and_then(|t| parse_pending(&t))
    {
        Ok(entries) => {
            for (file, reason) in entries {
                let known = paths.native_dir.join(&file).is_file();
                match specs.iter_mut().find(|s| s.name == file) {
                    Some(spec) if spec.expect == Expect::Race => spec.hbsan_pending = Some(reason),
                    Some(_) => failures.push(format!(
                        "{}: {file} is not racy; the list is for races hbsan reports differently",
                        pending_path.display()
                    )),
                    None if !known => failures.push(format!(
                        "{}: no program {file} in tests/native",
                        pending_path.display()
                    )),
                    None => {} // filtered out by NATIVE_CORPUS
                }
            }
        }
        Err(e) => failures.push(format!("{}: {e}", pending_path.display())),
    }
    if let Some(words) = &filter {
        say(&format!(
            "NATIVE_CORPUS={}: {} program(s)",
            words.join(","),
            specs.len()
        ));
        assert!(!specs.is_empty(), "NATIVE_CORPUS selects no program");
    } else {
        assert!(
            specs.len() >= 48,
            "the corpus has {} programs, expected at least 48",
            specs.len()
        );
    }

    let hbsan = match hbsan_driver() {
        Ok(driver) => Some(driver),
        Err(why) => {
            say(&format!("hbsan column skipped: {why}"));
            None
        }
    };

    // Build: one object per program, linked for each runtime.
    let built = parallel_map(&specs, JOBS, |spec| {
        let libtsan = build_libtsan(spec, &paths);
        let (hbsan, pass) = match (&libtsan, &hbsan) {
            (Ok(()), Some(driver)) => (
                Some(build_hbsan(spec, &paths, driver)),
                Some(build_hbsan_pass(spec, &paths, driver)),
            ),
            _ => (None, None),
        };
        (libtsan, hbsan, pass)
    });
    let build_time = started.elapsed();

    // Run: every (program, runtime) pair that built; racy programs several times.
    let mut jobs: Vec<(usize, Runtime)> = Vec::new();
    for (i, (libtsan, hbsan_built, pass_built)) in built.iter().enumerate() {
        let name = &specs[i].name;
        match libtsan {
            Ok(()) => jobs.push((i, Runtime::Libtsan)),
            Err(e) => failures.push(format!("tests/native/{name} [libtsan]: build failed: {e}")),
        }
        match hbsan_built {
            Some(Ok(())) => jobs.push((i, Runtime::Hbsan)),
            Some(Err(e)) => failures.push(format!("tests/native/{name} [hbsan]: link failed: {e}")),
            None => {}
        }
        match pass_built {
            Some(Ok(())) => jobs.push((i, Runtime::HbsanPass)),
            Some(Err(e)) => failures.push(format!(
                "tests/native/{name} [hbsan-pass]: build failed: {e}"
            )),
            None => {}
        }
    }
    let results = parallel_map(&jobs, JOBS, |&(i, runtime)| {
        run_column(&specs[i], &paths, runtime)
    });

    let mut runs = 0;
    let mut pending = Vec::new();
    for ((i, runtime), result) in jobs.iter().zip(&results) {
        runs += result.verdicts.len();
        failures.extend(result.failures.iter().cloned());
        if *runtime == Runtime::Libtsan {
            continue;
        }
        let spec = &specs[*i];
        if result.still_pending && *runtime == Runtime::Hbsan {
            if let Some(reason) = &spec.hbsan_pending {
                pending.push(format!("{} ({reason})", spec.name));
            }
        }
        // Verdict equality, libtsan vs hbsan, except where libtsan is known wrong.
        if spec.libtsan_false_positive.is_some() {
            continue;
        }
        let libtsan = jobs
            .iter()
            .zip(&results)
            .find(|((j, rt), _)| j == i && *rt == Runtime::Libtsan)
            .map(|(_, r)| &r.verdicts);
        if let Some(libtsan) = libtsan {
            let a: BTreeSet<&Verdict> = libtsan.iter().collect();
            let b: BTreeSet<&Verdict> = result.verdicts.iter().collect();
            if a != b {
                let list = |v: &Vec<Verdict>| {
                    v.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                failures.push(format!(
                    "tests/native/{}: verdicts differ: libtsan [{}] vs {runtime} [{}]",
                    spec.name,
                    list(libtsan),
                    list(&result.verdicts)
                ));
            }
        }
    }

    if !pending.is_empty() {
        say(&format!(
            "hbsan finds these races, but its reports still differ from libtsan's \
             (tests/native/{PENDING_FILE}): {}",
            pending.join("; ")
        ));
    }
    let racy = specs.iter().filter(|s| s.expect == Expect::Race).count();
    say(&format!(
        "{} programs ({racy} racy, {} fixed), {runs} runs on {}; build {:.1}s, total {:.1}s",
        specs.len(),
        specs.len() - racy,
        if hbsan.is_some() {
            "libtsan, hbsan and hbsan-pass"
        } else {
            "libtsan only"
        },
        build_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    ));
    if !failures.is_empty() {
        panic!(
            "{} problem(s) in the native corpus (outputs in {}):\n\n{}",
            failures.len(),
            paths.out_dir.display(),
            failures.join("\n\n")
        );
    }
}

#[test]
fn annotation_parsing() {
    let a = parse_access("write:4:worker:12").unwrap();
    assert_eq!(
        a,
        ExpectedAccess {
            kind: AccessKind::Write,
            size: 4,
            function: "worker".into(),
            line: 12
        }
    );
    let b = parse_access("atomic-read:8:Account::peek:23").unwrap();
    assert_eq!(b.function, "Account::peek");
    assert_eq!(b.line, 23);
    assert!(parse_access("write:4:12").is_err());
    assert!(parse_access("modify:4:f:12").is_err());
    assert_eq!(
        parse_location("global:counter").unwrap(),
        ExpectedLocation::Global("counter".into())
    );
    assert_eq!(
        parse_location("heap:256").unwrap(),
        ExpectedLocation::Heap(256)
    );
    assert_eq!(
        parse_location("stack").unwrap(),
        ExpectedLocation::Stack(StackOwner::Any)
    );
    assert_eq!(
        parse_location("stack:thread").unwrap(),
        ExpectedLocation::Stack(StackOwner::OtherThread)
    );
    assert_eq!(
        parse_location("tls:thread").unwrap(),
        ExpectedLocation::Tls(StackOwner::OtherThread)
    );
    assert!(parse_location("heap").is_err());
    assert!(parse_location("tls").is_err());
}
