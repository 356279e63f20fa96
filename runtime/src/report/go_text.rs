//! Reports in the layout of Go's race detector, which tools and Go's own
//! tests parse:
//!
//! ```text
//! ==================
//! WARNING: DATA RACE
//! Write at 0x00c000018108 by goroutine 7:
//!   main.store()
//!       /src/main.go:14 +0x64
//!
//! Previous write at 0x00c000018108 by main goroutine:
//!   ...
//!
//! Goroutine 7 (running) created at:
//!   ...
//! ==================
//! ```

use core::fmt::Write;

use super::model::{AccessDesc, Location, RaceReport};
use super::symbolize::{Frame, Symbolizer};
use crate::thread::Tid;

/// Formats `r`.
pub fn format(r: &RaceReport, sym: &Symbolizer, strip: &str) -> String {
    let mut s = String::from("==================\nWARNING: DATA RACE\n");
    access(&mut s, &r.current, true, r.main_tid, sym, strip);
    s.push('\n');
    access(&mut s, &r.previous, false, r.main_tid, sym, strip);
    match &r.location {
        Some(Location::Global(g)) => {
            let _ = write!(
                s,
                "\nGlobal var {} of size {} at {:#014x}",
                g.name, g.size, g.start
            );
            if !g.file.is_empty() {
                let _ = write!(
                    s,
                    " declared at {}:{}",
                    strip_prefix(&g.file, strip),
                    g.line
                );
            }
            s.push('\n');
        }
        Some(Location::Heap {
            start,
            size,
            tid,
            stack,
        }) => {
            let _ = writeln!(
                s,
                "\nHeap block of size {size} at {start:#014x} allocated by {}:",
                who(*tid, r.main_tid)
            );
            frames(&mut s, Some(stack), sym, strip);
        }
        Some(Location::Stack { .. } | Location::Tls { .. }) | None => {}
    }
    for t in &r.threads {
        if t.tid == r.main_tid {
            continue;
        }
        let _ = writeln!(
            s,
            "\nGoroutine {} ({}) created at:",
            t.tid.0,
            if t.running { "running" } else { "finished" }
        );
        frames(&mut s, Some(&t.creation), sym, strip);
    }
    s.push_str("==================\n");
    s
}

fn who(tid: Tid, main: Tid) -> String {
    if tid == main {
        "main goroutine".into()
    } else {
        format!("goroutine {}", tid.0)
    }
}

fn access(s: &mut String, a: &AccessDesc, first: bool, main: Tid, sym: &Symbolizer, strip: &str) {
    let verb = match (first, a.is_write) {
        (true, true) => "Write",
        (true, false) => "Read",
        (false, true) => "Previous write",
        (false, false) => "Previous read",
    };
    let by = match a.tid {
        Some(t) => who(t, main),
        None => "unknown goroutine".into(),
    };
    let _ = writeln!(s, "{verb} at {:#014x} by {by}:", a.addr);
    frames(s, a.stack.as_deref(), sym, strip);
}

fn frames(s: &mut String, stack: Option<&[u64]>, sym: &Symbolizer, strip: &str) {
    let Some(stack) = stack.filter(|st| !st.is_empty()) else {
        s.push_str("  [failed to restore the stack]\n");
        return;
    };
    let mut all: Vec<Frame> = stack.iter().rev().flat_map(|&pc| sym.code(pc)).collect();
    // The outermost frame of a goroutine is the runtime code that called
    // its function (`runtime.goexit`, `runtime.main`, the cgo callback
    // machinery); Go's reports leave it out.
    if all.len() > 1
        && all
            .last()
            .is_some_and(|f| f.function.starts_with("runtime."))
    {
        all.pop();
    }
    for f in &all {
        let file = if f.file.is_empty() {
            "??"
        } else {
            strip_prefix(&f.file, strip)
        };
        let _ = writeln!(
            s,
            "  {}()\n      {}:{} +{:#x}",
            f.function, file, f.line, f.function_offset
        );
    }
}

/// `path` without everything up to the end of the first occurrence of
/// `prefix`, and without a leading `./` (the `strip_path_prefix` option).
pub fn strip_prefix<'a>(path: &'a str, prefix: &str) -> &'a str {
    let rest = match path.find(prefix) {
        Some(i) if !prefix.is_empty() => &path[i + prefix.len()..],
        _ => path,
    };
    rest.strip_prefix("./").unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_up_to_the_prefix() {
        assert_eq!(strip_prefix("/tmp/x/main.go", "/main."), "go");
        assert_eq!(strip_prefix("/src/a/b.c", "/src/"), "a/b.c");
        assert_eq!(strip_prefix("./b.c", ""), "b.c");
        assert_eq!(strip_prefix("/x/b.c", "/nope/"), "/x/b.c");
    }
}
