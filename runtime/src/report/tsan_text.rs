//! Reports in ThreadSanitizer's text layout, which existing tools parse:
//!
//! ```text
//! ==================
//! WARNING: ThreadSanitizer: data race (pid=17034)
//!   Read of size 4 at 0x5572667b105c by thread T2:
//!     #0 worker /path/race.c:8 (race+0x11cf)
//!
//!   Previous write of size 4 at 0x5572667b105c by thread T1:
//!     #0 worker /path/race.c:8 (race+0x11f3)
//!
//!   Location is global 'counter' of size 4 at 0x5572667b105c (race+0x405c)
//!
//!   Thread T2 (tid=17037, running) created by main thread at:
//!     #0 pthread_create ...
//!     #1 main /path/race.c:16 (race+0x1240)
//!
//! SUMMARY: ThreadSanitizer: data race /path/race.c:8 in worker
//! ==================
//! ```

use core::fmt::Write;

use super::go_text::strip_prefix;
use super::model::{AccessDesc, Location, RaceReport};
use super::symbolize::{Frame, Symbolizer};
use crate::thread::Tid;

/// Formats `r`.
pub fn format(r: &RaceReport, sym: &Symbolizer, strip: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "==================\nWARNING: ThreadSanitizer: {} (pid={})",
        r.kind.text(),
        std::process::id()
    );
    let top = access(&mut s, &r.current, true, r.main_tid, sym, strip);
    access(&mut s, &r.previous, false, r.main_tid, sym, strip);
    match &r.location {
        Some(Location::Global(g)) => {
            let module = basename(&g.module);
            if g.size != 0 {
                let _ = writeln!(
                    s,
                    "  Location is global '{}' of size {} at {:#014x} ({}+{:#x})\n",
                    g.name, g.size, g.start, module, g.module_offset
                );
            } else {
                let _ = writeln!(
                    s,
                    "  Location is global '{}' at {:#014x} ({}+{:#x})\n",
                    g.name, g.start, module, g.module_offset
                );
            }
        }
        Some(Location::Heap {
            start,
            size,
            tid,
            stack,
        }) => {
            let _ = writeln!(
                s,
                "  Location is heap block of size {size} at {start:#014x} allocated by {}:",
                thread_name(*tid, r.main_tid)
            );
            frames(&mut s, Some(stack), sym, strip);
        }
        Some(Location::Stack { tid }) => {
            let _ = writeln!(
                s,
                "  Location is stack of {}.\n",
                thread_name(*tid, r.main_tid)
            );
        }
        Some(Location::Tls { tid }) => {
            let _ = writeln!(
                s,
                "  Location is TLS of {}.\n",
                thread_name(*tid, r.main_tid)
            );
        }
        None => {}
    }
    for t in &r.threads {
        if t.tid == r.main_tid {
            continue;
        }
        let parent = t
            .parent
            .map(|p| thread_name(p, r.main_tid))
            .unwrap_or_else(|| "unknown thread".into());
        let name = t
            .name
            .as_deref()
            .map(|n| format!(" '{n}'"))
            .unwrap_or_default();
        let _ = write!(
            s,
            "  Thread T{}{name} (tid={}, {}) created by {parent}",
            t.tid.0,
            t.os_tid,
            if t.running { "running" } else { "finished" }
        );
        if t.creation.is_empty() {
            s.push('\n');
        } else {
            s.push_str(" at:\n");
            frames(&mut s, Some(&t.creation), sym, strip);
        }
    }
    if let Some(f) = top {
        let file = strip_prefix(&f.file, strip);
        if f.line != 0 {
            let _ = writeln!(
                s,
                "SUMMARY: ThreadSanitizer: {} {file}:{} in {}",
                r.kind.text(),
                f.line,
                f.function
            );
        } else {
            let _ = writeln!(
                s,
                "SUMMARY: ThreadSanitizer: {} ({}+{:#x}) in {}",
                r.kind.text(),
                basename(&f.module),
                f.module_offset,
                f.function
            );
        }
    }
    s.push_str("==================\n");
    s
}

/// `main thread` or `thread T<n>`.
pub fn thread_name(tid: Tid, main: Tid) -> String {
    if tid == main {
        "main thread".into()
    } else {
        format!("thread T{}", tid.0)
    }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Prints the access header and its stack; returns its innermost frame.
fn access(
    s: &mut String,
    a: &AccessDesc,
    first: bool,
    main: Tid,
    sym: &Symbolizer,
    strip: &str,
) -> Option<Frame> {
    let what = match (a.is_atomic, a.is_write) {
        (true, true) => "atomic write",
        (true, false) => "atomic read",
        (false, true) => "write",
        (false, false) => "read",
    };
    let head = if first {
        let mut h = what.to_string();
        h[..1].make_ascii_uppercase();
        h
    } else {
        format!("Previous {what}")
    };
    let by = a
        .tid
        .map(|t| thread_name(t, main))
        .unwrap_or_else(|| "unknown thread".into());
    let _ = writeln!(
        s,
        "  {head} of size {} at {:#014x} by {by}:",
        a.size, a.addr
    );
    frames(s, a.stack.as_deref(), sym, strip)
}

fn frames(s: &mut String, stack: Option<&[u64]>, sym: &Symbolizer, strip: &str) -> Option<Frame> {
    let Some(stack) = stack.filter(|st| !st.is_empty()) else {
        s.push_str("    [failed to restore the stack]\n\n");
        return None;
    };
    let mut all: Vec<Frame> = stack.iter().rev().flat_map(|&pc| sym.code(pc)).collect();
    strip_start_frames(&mut all);
    for (n, f) in all.iter().enumerate() {
        let func = if f.function == "??" {
            "<null>"
        } else {
            &f.function
        };
        let _ = write!(s, "    #{n} {func} ");
        if f.file.is_empty() {
            s.push_str("<null> ");
        } else {
            let _ = write!(s, "{}:{} ", strip_prefix(&f.file, strip), f.line);
        }
        let _ = writeln!(s, "({}+{:#x})", basename(&f.module), f.module_offset);
    }
    s.push('\n');
    all.into_iter().next()
}

/// Drops what lies below the program's own frames: the C library's code
/// that calls `main`, and the thread start-up code that calls a thread's
/// start routine (ThreadSanitizer shows neither).
fn strip_start_frames(frames: &mut Vec<Frame>) {
    if let Some(main) = frames.iter().position(|f| f.function == "main") {
        frames.truncate(main + 1);
        return;
    }
    while frames.len() > 1 && frames.last().is_some_and(|f| is_thread_start(&f.function)) {
        frames.pop();
    }
}

fn is_thread_start(function: &str) -> bool {
    matches!(
        function,
        "start_thread" | "clone" | "clone3" | "__clone" | "__clone3"
    ) || function == "hbsan_thread_main"
}
