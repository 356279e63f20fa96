//! Parser for ThreadSanitizer's text reports (the layout libtsan prints and hbsan
//! reproduces, docs: ABI.md section 4).
//!
//! ```text
//! ==================
//! WARNING: ThreadSanitizer: data race (pid=17034)
//!   Read of size 4 at 0x5572667b105c by thread T2:
//!     #0 worker /path/race.c:8 (race+0x11cf)
//!
//!   Previous write of size 4 at 0x5572667b105c by thread T1 (mutexes: write M0):
//!     #0 worker /path/race.c:8 (race+0x11f3)
//!
//!   Location is global 'counter' of size 4 at 0x5572667b105c (race+0x405c)
//!
//!   Thread T2 (tid=17037, running) created by main thread at:
//!     #0 pthread_create ...
//!
//! SUMMARY: ThreadSanitizer: data race /path/race.c:8 in worker
//! ==================
//! ThreadSanitizer: reported 1 warnings
//! ```
//!
//! The parser is lenient: it keeps what it recognizes (warnings, the accesses with
//! their stacks, the locations) and skips everything else (thread and mutex
//! creation stacks, "As if synchronized via sleep", program output mixed into
//! stderr). Include it from a test with
//! `#[path = "support/tsan_report.rs"] mod tsan_report;`.

#![allow(dead_code)] // each test uses the part it needs

use std::fmt;

/// One `WARNING: ThreadSanitizer: ...` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What follows `WARNING: ThreadSanitizer: `, without ` (pid=N)`: `data race`,
    /// `heap-use-after-free`, `data race on vptr (ctor/dtor vs virtual call)`,
    /// `thread leak`, ...
    pub warning: String,
    /// The accesses in report order: the current one first, then `Previous ...`.
    pub accesses: Vec<Access>,
    /// Every `Location is ...` line (libtsan sometimes prints two).
    pub locations: Vec<Location>,
    /// The `SUMMARY: ThreadSanitizer: ...` text, without that prefix.
    pub summary: Option<String>,
    /// The report's lines, for messages.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessKind {
    Read,
    Write,
    AtomicRead,
    AtomicWrite,
}

impl AccessKind {
    /// The spelling of the corpus annotations: `read`, `write`, `atomic-read`,
    /// `atomic-write`.
    pub fn name(self) -> &'static str {
        match self {
            AccessKind::Read => "read",
            AccessKind::Write => "write",
            AccessKind::AtomicRead => "atomic-read",
            AccessKind::AtomicWrite => "atomic-write",
        }
    }

    pub fn from_name(name: &str) -> Option<AccessKind> {
        match name {
            "read" => Some(AccessKind::Read),
            "write" => Some(AccessKind::Write),
            "atomic-read" => Some(AccessKind::AtomicRead),
            "atomic-write" => Some(AccessKind::AtomicWrite),
            _ => None,
        }
    }
}

impl fmt::Display for AccessKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `  [Previous ][atomic ]read|write of size N at 0xADDR by THREAD[ (mutexes: ...)]:`
/// and its stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub previous: bool,
    pub kind: AccessKind,
    pub size: u64,
    pub addr: u64,
    /// `main thread` or `thread T3`.
    pub thread: String,
    /// The inside of `(mutexes: ...)`, if any.
    pub mutexes: Option<String>,
    pub frames: Vec<Frame>,
}

impl Access {
    /// The first frame whose source file has this file name (the last path
    /// component), e.g. the caller of an interceptor such as `memcpy` or `free`.
    pub fn first_frame_in(&self, file_name: &str) -> Option<&Frame> {
        self.frames
            .iter()
            .find(|f| f.file_name() == Some(file_name))
    }
}

/// `    #N function file:line[:column] (module+0xoffset)`; any part after the
/// function may be `<null>` or missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub index: u32,
    /// As printed, C++ names demangled with their parameter lists
    /// (`Account::peek() const`).
    pub function: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// `module+0xoffset` from the trailing parentheses.
    pub module: Option<String>,
}

impl Frame {
    /// The function name without its parameter list: `Account::peek() const` ->
    /// `Account::peek`, `worker(void*)` -> `worker`, `main` -> `main`.
    pub fn bare_function(&self) -> &str {
        bare_function(&self.function)
    }

    pub fn file_name(&self) -> Option<&str> {
        let file = self.file.as_deref()?;
        Some(file.rsplit('/').next().unwrap_or(file))
    }
}

/// Strips a C++ parameter list (and anything after it) from a function name.
/// `operator()` and `(anonymous namespace)` are parts of names, not parameters.
pub fn bare_function(function: &str) -> &str {
    let mut from = 0;
    while let Some(offset) = function[from..].find('(') {
        let i = from + offset;
        let rest = &function[i..];
        if rest.starts_with("(anonymous namespace)") {
            from = i + "(anonymous namespace)".len();
        } else if function[..i].ends_with("operator") && rest.starts_with("()") {
            from = i + 2;
        } else {
            return &function[..i];
        }
    }
    function
}

/// A `Location is ...` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `Location is global 'NAME' of size N at 0x...` (size missing in some lines).
    Global { name: String, size: Option<u64> },
    /// `Location is heap block of size N at 0x... allocated by THREAD:` (and the
    /// allocation stack).
    Heap {
        size: u64,
        allocated_by: Option<String>,
        frames: Vec<Frame>,
    },
    /// `Location is stack of main thread.` / `Location is stack of thread T1.`
    Stack { thread: String },
    /// `Location is TLS of main thread.` / `Location is TLS of thread T1.`
    Tls { thread: String },
    /// `Location is file descriptor ...`, or anything new.
    Other(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Global {
                name,
                size: Some(s),
            } => write!(f, "global '{name}' of size {s}"),
            Location::Global { name, size: None } => write!(f, "global '{name}'"),
            Location::Heap { size, .. } => write!(f, "heap block of size {size}"),
            Location::Stack { thread } => write!(f, "stack of {thread}"),
            Location::Tls { thread } => write!(f, "TLS of {thread}"),
            Location::Other(text) => f.write_str(text),
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{} of size {} by {}",
            if self.previous { "previous " } else { "" },
            self.kind,
            self.size,
            self.thread
        )?;
        if let Some(frame) = self.frames.first() {
            write!(f, " at {}", frame.function)?;
            if let (Some(file), Some(line)) = (frame.file_name(), frame.line) {
                write!(f, " {file}:{line}")?;
            }
        }
        Ok(())
    }
}

const WARNING_PREFIX: &str = "WARNING: ThreadSanitizer: ";
const SUMMARY_PREFIX: &str = "SUMMARY: ThreadSanitizer: ";

/// Which part of the report the following `#N` frame lines belong to.
enum Section {
    None,
    Access,
    Heap,
}

/// Every report found in `stderr`, in order.
pub fn parse(stderr: &str) -> Vec<Report> {
    let mut reports: Vec<Report> = Vec::new();
    let mut current: Option<Report> = None;
    let mut section = Section::None;

    for line in stderr.lines() {
        if let Some(pos) = line.find(WARNING_PREFIX) {
            if let Some(done) = current.take() {
                reports.push(done);
            }
            let rest = &line[pos + WARNING_PREFIX.len()..];
            let warning = match rest.rfind(" (pid=") {
                Some(p) if rest.ends_with(')') => &rest[..p],
                _ => rest,
            };
            current = Some(Report {
                warning: warning.trim().to_string(),
                accesses: Vec::new(),
                locations: Vec::new(),
                summary: None,
                text: String::new(),
            });
            section = Section::None;
        }
        let Some(report) = current.as_mut() else {
            continue;
        };
        report.text.push_str(line);
        report.text.push('\n');

        let trimmed = line.trim();
        if trimmed.is_empty() {
            section = Section::None;
            continue;
        }
        if let Some(summary) = trimmed.strip_prefix(SUMMARY_PREFIX) {
            report.summary = Some(summary.to_string());
            section = Section::None;
            continue;
        }
        if trimmed.starts_with("==================") {
            // The closing rule: the report is complete.
            reports.push(current.take().unwrap());
            section = Section::None;
            continue;
        }
        if let Some(access) = parse_access_header(trimmed) {
            report.accesses.push(access);
            section = Section::Access;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("Location is ") {
            let location = parse_location(rest);
            section = if matches!(location, Location::Heap { .. }) {
                Section::Heap
            } else {
                Section::None
            };
            report.locations.push(location);
            continue;
        }
        if let Some(frame) = parse_frame(trimmed) {
            match section {
                Section::Access => report.accesses.last_mut().unwrap().frames.push(frame),
                Section::Heap => {
                    if let Some(Location::Heap { frames, .. }) = report.locations.last_mut() {
                        frames.push(frame);
                    }
                }
                Section::None => {}
            }
            continue;
        }
        // Any other line (thread or mutex creation, "As if synchronized via
        // sleep", ...) starts a section we do not keep.
        section = Section::None;
    }
    if let Some(done) = current.take() {
        reports.push(done);
    }
    reports
}

/// The number N of the closing `ThreadSanitizer: reported N warnings` line.
pub fn reported_count(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("ThreadSanitizer: reported ")?;
        rest.strip_suffix(" warnings")
            .or_else(|| rest.strip_suffix(" warning"))?
            .trim()
            .parse()
            .ok()
    })
}

fn parse_access_header(line: &str) -> Option<Access> {
    let (previous, rest) = match line.strip_prefix("Previous ") {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (atomic, rest) = match rest
        .strip_prefix("atomic ")
        .or_else(|| rest.strip_prefix("Atomic "))
    {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let (write, rest) = if let Some(rest) = rest
        .strip_prefix("Read of size ")
        .or_else(|| rest.strip_prefix("read of size "))
    {
        (false, rest)
    } else if let Some(rest) = rest
        .strip_prefix("Write of size ")
        .or_else(|| rest.strip_prefix("write of size "))
    {
        (true, rest)
    } else {
        return None;
    };
    let (size, rest) = rest.split_once(" at ")?;
    let size = size.trim().parse().ok()?;
    let (addr, rest) = rest.split_once(" by ")?;
    let addr = parse_hex(addr)?;
    let rest = rest.strip_suffix(':').unwrap_or(rest);
    let (thread, mutexes) = match rest.find(" (mutexes: ") {
        Some(p) => {
            let inner = &rest[p + " (mutexes: ".len()..];
            (
                &rest[..p],
                Some(inner.strip_suffix(')').unwrap_or(inner).to_string()),
            )
        }
        None => (rest, None),
    };
    let kind = match (atomic, write) {
        (false, false) => AccessKind::Read,
        (false, true) => AccessKind::Write,
        (true, false) => AccessKind::AtomicRead,
        (true, true) => AccessKind::AtomicWrite,
    };
    Some(Access {
        previous,
        kind,
        size,
        addr,
        thread: thread.trim().to_string(),
        mutexes,
        frames: Vec::new(),
    })
}

fn parse_hex(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text.strip_prefix("0x").unwrap_or(text);
    u64::from_str_radix(digits, 16).ok()
}

fn parse_location(rest: &str) -> Location {
    if let Some(after) = rest.strip_prefix("global '") {
        if let Some((name, tail)) = after.split_once('\'') {
            let size = tail
                .trim_start()
                .strip_prefix("of size ")
                .and_then(|s| s.split_whitespace().next())
                .and_then(|s| s.parse().ok());
            return Location::Global {
                name: name.to_string(),
                size,
            };
        }
    }
    if let Some(after) = rest.strip_prefix("heap block of size ") {
        let mut words = after.split_whitespace();
        if let Some(size) = words.next().and_then(|s| s.parse().ok()) {
            let allocated_by = after
                .split_once(" allocated by ")
                .map(|(_, by)| by.trim_end_matches(':').trim().to_string());
            return Location::Heap {
                size,
                allocated_by,
                frames: Vec::new(),
            };
        }
    }
    if let Some(thread) = rest.strip_prefix("stack of ") {
        return Location::Stack {
            thread: thread.trim_end_matches('.').trim().to_string(),
        };
    }
    if let Some(thread) = rest.strip_prefix("TLS of ") {
        return Location::Tls {
            thread: thread.trim_end_matches('.').trim().to_string(),
        };
    }
    Location::Other(rest.to_string())
}

/// `#N function file:line[:col] (module+0xoff)`, as trimmed.
fn parse_frame(line: &str) -> Option<Frame> {
    let rest = line.strip_prefix('#')?;
    let (index, rest) = rest.split_once(' ')?;
    let index = index.parse().ok()?;
    let mut rest = rest.trim();
    // The module part: the last ` (...)` group, when the line ends with `)`.
    let mut module = None;
    if rest.ends_with(')') {
        if let Some(open) = rest.rfind(" (") {
            let inner = &rest[open + 2..rest.len() - 1];
            // A C++ signature also ends with `)`: module text has no spaces and
            // names an offset (`prog+0x11cf`, `[stack]+0x1f93c`, `<null>`).
            if !inner.contains(' ') && (inner.contains("+0x") || inner == "<null>") {
                module = Some(inner.to_string());
                rest = rest[..open].trim_end();
            }
        }
    }
    // The source position: the last word, when it looks like `path:line[:col]`
    // or `<null>`.
    let (function, file, line, column) = match rest.rsplit_once(' ') {
        Some((function, position)) => match parse_position(position) {
            Some((file, line, column)) => (function, file, line, column),
            None => (rest, None, None, None),
        },
        None => (rest, None, None, None),
    };
    Some(Frame {
        index,
        function: function.trim().to_string(),
        file,
        line,
        column,
        module,
    })
}

/// `path:line`, `path:line:col`, `<null>` (no position), or None when the word
/// is not a position at all (then it belongs to the function name).
#[allow(clippy::type_complexity)]
fn parse_position(word: &str) -> Option<(Option<String>, Option<u32>, Option<u32>)> {
    if word == "<null>" {
        return Some((None, None, None));
    }
    let mut parts = word.rsplitn(3, ':');
    let last = parts.next()?;
    let middle = parts.next()?;
    let first = parts.next();
    let last_num: Option<u32> = last.parse().ok();
    let middle_num: Option<u32> = middle.parse().ok();
    match (first, middle_num, last_num) {
        (Some(file), Some(line), Some(col)) if !file.is_empty() => {
            Some((Some(file.to_string()), Some(line), Some(col)))
        }
        (first, _, Some(line)) if !middle.is_empty() => {
            let file = match first {
                Some(f) => format!("{f}:{middle}"),
                None => middle.to_string(),
            };
            Some((Some(file), Some(line), None))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABI_SAMPLE: &str = "\
==================
WARNING: ThreadSanitizer: data race (pid=17034)
  Read of size 4 at 0x5572667b105c by thread T2:
    #0 worker /path/race.c:8 (race+0x11cf)

  Previous write of size 4 at 0x5572667b105c by thread T1:
    #0 worker /path/race.c:8 (race+0x11f3)

  Location is global 'counter' of size 4 at 0x5572667b105c (race+0x405c)

  Thread T2 (tid=17037, running) created by main thread at:
    #0 pthread_create ...
    #1 main /path/race.c:16 (race+0x1240)

SUMMARY: ThreadSanitizer: data race /path/race.c:8 in worker
==================
ThreadSanitizer: reported 1 warnings
";

    #[test]
    fn parses_the_abi_sample() {
        let reports = parse(ABI_SAMPLE);
        assert_eq!(reports.len(), 1);
        let r = &reports[0];
        assert_eq!(r.warning, "data race");
        assert_eq!(r.accesses.len(), 2);
        let (cur, prev) = (&r.accesses[0], &r.accesses[1]);
        assert!(!cur.previous && prev.previous);
        assert_eq!(cur.kind, AccessKind::Read);
        assert_eq!(prev.kind, AccessKind::Write);
        assert_eq!((cur.size, cur.addr), (4, 0x5572667b105c));
        assert_eq!(cur.thread, "thread T2");
        assert_eq!(cur.frames.len(), 1, "creation stacks are not the access's");
        let f = &cur.frames[0];
        assert_eq!(f.function, "worker");
        assert_eq!(f.file.as_deref(), Some("/path/race.c"));
        assert_eq!(f.file_name(), Some("race.c"));
        assert_eq!(f.line, Some(8));
        assert_eq!(f.module.as_deref(), Some("race+0x11cf"));
        assert_eq!(
            r.locations,
            vec![Location::Global {
                name: "counter".into(),
                size: Some(4)
            }]
        );
        assert_eq!(
            r.summary.as_deref(),
            Some("data race /path/race.c:8 in worker")
        );
        assert_eq!(reported_count(ABI_SAMPLE), Some(1));
    }

    // Shapes seen from gcc 12's libtsan: interceptor frames, mutexes, atomics,
    // C++ names with spaces, heap and stack locations, a second bogus location,
    // several reports in one run.
    const LIBTSAN_SAMPLES: &str = "\
==================
WARNING: ThreadSanitizer: data race (pid=18033)
  Read of size 1 at 0x55d70df3b0f4 by main thread (mutexes: write M1):
    #0 main /work/tests/native/memcpy_racy.c:28 (memcpy_racy+0x129b)

  Previous write of size 8 at 0x55d70df3b0f0 by thread T1:
    #0 memcpy ../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors.inc:827 (libtsan.so.2+0x5dda6)
    #1 copier /work/tests/native/memcpy_racy.c:17 (memcpy_racy+0x120c)

  Location is heap block of size 256 at 0x7b4000000000 allocated by main thread:
    #0 malloc ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:647 (libtsan.so.2+0x3cc4e)
    #1 main /work/tests/native/heap_racy.c:22 (heap_racy+0x1264)

SUMMARY: ThreadSanitizer: data race /work/tests/native/memcpy_racy.c:28 in main
==================
==================
WARNING: ThreadSanitizer: data race on vptr (ctor/dtor vs virtual call) (pid=25432)
  Write of size 8 at 0x7b0400000000 by main thread:
    #0 Shape::~Shape() /work/tests/native/vptr_racy.cpp:19 (vptr_racy+0x162e)
    #1 std::thread::_M_start_thread(std::unique_ptr<std::thread::_State, std::default_delete<std::thread::_State> >, void (*)()) <null> (libstdc++.so.6+0xd4578)
    #2 <null> <null> (libstdc++.so.6+0xd44a2)

  Previous atomic read of size 8 at 0x7b0400000000 by thread T1:
    #0 measure(Shape const*) /work/tests/native/vptr_racy.cpp:32:7 (vptr_racy+0x1319)

  Location is stack of main thread.

  Location is global '<null>' at 0x000000000000 ([stack]+0x1f93c)

SUMMARY: ThreadSanitizer: data race on vptr (ctor/dtor vs virtual call) /work/tests/native/vptr_racy.cpp:19 in Shape::~Shape()
==================
==================
WARNING: ThreadSanitizer: heap-use-after-free (pid=17951)
  Atomic read of size 4 at 0x7b1000000014 by thread T1:
    #0 Account::peek() const /work/tests/native/uaf_racy.cpp:16 (uaf_racy+0x1243)

  Location is stack of thread T3.

SUMMARY: ThreadSanitizer: heap-use-after-free /work/tests/native/uaf_racy.c:16 in worker
==================
ThreadSanitizer: reported 3 warnings
";

    #[test]
    fn parses_libtsan_shapes() {
        let reports = parse(LIBTSAN_SAMPLES);
        assert_eq!(reports.len(), 3);
        assert_eq!(reported_count(LIBTSAN_SAMPLES), Some(3));

        let r = &reports[0];
        assert_eq!(r.accesses[0].thread, "main thread");
        assert_eq!(r.accesses[0].mutexes.as_deref(), Some("write M1"));
        let prev = &r.accesses[1];
        assert_eq!(prev.frames.len(), 2);
        assert_eq!(prev.frames[0].function, "memcpy");
        let user = prev.first_frame_in("memcpy_racy.c").unwrap();
        assert_eq!((user.function.as_str(), user.line), ("copier", Some(17)));
        match &r.locations[0] {
            Location::Heap {
                size,
                allocated_by,
                frames,
            } => {
                assert_eq!(*size, 256);
                assert_eq!(allocated_by.as_deref(), Some("main thread"));
                assert_eq!(frames.len(), 2);
                assert_eq!(frames[1].line, Some(22));
            }
            other => panic!("{other:?}"),
        }

        let r = &reports[1];
        assert_eq!(r.warning, "data race on vptr (ctor/dtor vs virtual call)");
        let w = &r.accesses[0];
        assert_eq!(w.frames[0].function, "Shape::~Shape()");
        assert_eq!(w.frames[0].bare_function(), "Shape::~Shape");
        assert_eq!(
            w.frames[1].function,
            "std::thread::_M_start_thread(std::unique_ptr<std::thread::_State, std::default_delete<std::thread::_State> >, void (*)())"
        );
        assert_eq!(w.frames[1].file, None);
        assert_eq!(w.frames[2].function, "<null>");
        let p = &r.accesses[1];
        assert_eq!(p.kind, AccessKind::AtomicRead);
        assert_eq!(p.frames[0].bare_function(), "measure");
        assert_eq!((p.frames[0].line, p.frames[0].column), (Some(32), Some(7)));
        assert_eq!(
            r.locations,
            vec![
                Location::Stack {
                    thread: "main thread".into()
                },
                Location::Global {
                    name: "<null>".into(),
                    size: None
                }
            ]
        );

        let r = &reports[2];
        assert_eq!(r.warning, "heap-use-after-free");
        assert_eq!(r.accesses[0].kind, AccessKind::AtomicRead);
        assert_eq!(r.accesses[0].frames[0].bare_function(), "Account::peek");
        assert_eq!(
            r.locations,
            vec![Location::Stack {
                thread: "thread T3".into()
            }]
        );
    }

    #[test]
    fn bare_function_names() {
        assert_eq!(bare_function("main"), "main");
        assert_eq!(bare_function("worker(void*)"), "worker");
        assert_eq!(bare_function("Account::peek() const"), "Account::peek");
        assert_eq!(bare_function("operator()"), "operator()");
        assert_eq!(
            bare_function("operator delete(void*, unsigned long)"),
            "operator delete"
        );
        assert_eq!(
            bare_function("Foo::operator()(int) const"),
            "Foo::operator()"
        );
        assert_eq!(
            bare_function("(anonymous namespace)::f(int)"),
            "(anonymous namespace)::f"
        );
    }

    #[test]
    fn ignores_text_outside_reports_and_unterminated_reports() {
        let text = "program output\nWARNING: ThreadSanitizer: thread leak (pid=1)\n  Thread T1 (tid=2, finished) created by main thread at:\n    #0 pthread_create x.c:1 (x+0x1)\n";
        let reports = parse(text);
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].warning, "thread leak");
        assert!(reports[0].accesses.is_empty());
        assert_eq!(reported_count(text), None);
        assert!(parse("no reports here\n").is_empty());
    }
}
