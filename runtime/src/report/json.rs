//! Reports as JSON lines (`format=json`): one object per report, the same
//! facts as the text layouts.

use core::fmt::Write;

use super::go_text::strip_prefix;
use super::model::{AccessDesc, Location, RaceReport};
use super::symbolize::Symbolizer;

/// Formats `r` as one line of JSON.
pub fn format(r: &RaceReport, sym: &Symbolizer, strip: &str) -> String {
    let mut s = String::new();
    s.push_str("{\"type\":");
    string(&mut s, r.kind.text());
    let _ = write!(s, ",\"pid\":{},\"current\":", std::process::id());
    access(&mut s, &r.current, sym, strip);
    s.push_str(",\"previous\":");
    access(&mut s, &r.previous, sym, strip);
    s.push_str(",\"location\":");
    match &r.location {
        None => s.push_str("null"),
        Some(Location::Global(g)) => {
            s.push_str("{\"kind\":\"global\",\"name\":");
            string(&mut s, &g.name);
            let _ = write!(s, ",\"size\":{},\"start\":\"{:#x}\"}}", g.size, g.start);
        }
        Some(Location::Heap {
            start,
            size,
            tid,
            stack,
        }) => {
            let _ = write!(
                s,
                "{{\"kind\":\"heap\",\"start\":\"{start:#x}\",\"size\":{size},\"thread\":{},\"stack\":",
                tid.0
            );
            frames(&mut s, Some(stack), sym, strip);
            s.push('}');
        }
        Some(Location::Stack { tid }) => {
            let _ = write!(s, "{{\"kind\":\"stack\",\"thread\":{}}}", tid.0);
        }
        Some(Location::Tls { tid }) => {
            let _ = write!(s, "{{\"kind\":\"tls\",\"thread\":{}}}", tid.0);
        }
    }
    s.push_str(",\"threads\":[");
    for (i, t) in r.threads.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"id\":{},\"main\":{},\"running\":{},\"os_tid\":{},\"parent\":{},\"created_at\":",
            t.tid.0,
            t.tid == r.main_tid,
            t.running,
            t.os_tid,
            t.parent
                .map(|p| p.0.to_string())
                .unwrap_or_else(|| "null".into())
        );
        frames(&mut s, Some(&t.creation), sym, strip);
        if let Some(name) = &t.name {
            s.push_str(",\"name\":");
            string(&mut s, name);
        }
        s.push('}');
    }
    s.push_str("]}\n");
    s
}

fn access(s: &mut String, a: &AccessDesc, sym: &Symbolizer, strip: &str) {
    let kind = if a.is_free {
        "free"
    } else if a.is_write {
        "write"
    } else {
        "read"
    };
    let _ = write!(
        s,
        "{{\"kind\":\"{kind}\",\"atomic\":{},\"size\":{},\"addr\":\"{:#x}\",\"thread\":{},\"stack\":",
        a.is_atomic,
        a.size,
        a.addr,
        a.tid
            .map(|t| t.0.to_string())
            .unwrap_or_else(|| "null".into())
    );
    frames(s, a.stack.as_deref(), sym, strip);
    s.push('}');
}

/// Innermost frame first; `null` when the stack could not be restored.
fn frames(s: &mut String, stack: Option<&[u64]>, sym: &Symbolizer, strip: &str) {
    let Some(stack) = stack else {
        s.push_str("null");
        return;
    };
    s.push('[');
    let mut first = true;
    for &pc in stack.iter().rev() {
        for f in sym.code(pc) {
            if !first {
                s.push(',');
            }
            first = false;
            s.push_str("{\"function\":");
            string(s, &f.function);
            s.push_str(",\"file\":");
            string(s, strip_prefix(&f.file, strip));
            let _ = write!(s, ",\"line\":{},\"module\":", f.line);
            string(s, &f.module);
            let _ = write!(
                s,
                ",\"offset\":\"{:#x}\",\"pc\":\"{:#x}\"}}",
                f.module_offset, f.pc
            );
        }
    }
    s.push(']');
}

/// A JSON string literal.
fn string(s: &mut String, text: &str) {
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        let mut s = String::new();
        string(&mut s, "a\"b\\c\nd\u{1}");
        assert_eq!(s, r#""a\"b\\c\nd\u0001""#);
    }
}
