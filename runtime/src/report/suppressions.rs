//! Suppression files: `race:<pattern>` hides races whose stacks or location
//! mention the pattern; `called_from_lib:<library>` hides races whose
//! accesses happen in that library. `#` starts a comment. Patterns match
//! anywhere in a function, file or module name; `*` matches any text, a
//! leading `^` anchors at the start and a trailing `$` at the end.

use super::model::{Location, RaceReport};
use super::symbolize::Symbolizer;

/// The loaded suppressions.
#[derive(Default, Debug)]
pub struct Suppressions {
    races: Vec<String>,
    libraries: Vec<String>,
}

impl Suppressions {
    /// Reads a suppression file. A malformed line makes the whole file an
    /// error naming the line (the program then runs without suppressions).
    pub fn load(path: &str) -> Result<Suppressions, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read '{path}': {e}"))?;
        Suppressions::parse(&text).map_err(|e| format!("{path}:{e}"))
    }

    /// Parses the text of a suppression file.
    pub fn parse(text: &str) -> Result<Suppressions, String> {
        let mut s = Suppressions::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((kind, pattern)) = line.split_once(':') else {
                return Err(format!(
                    "{}: expected 'race:<pattern>', got '{line}'",
                    n + 1
                ));
            };
            let pattern = pattern.trim();
            if pattern.is_empty() {
                return Err(format!("{}: empty pattern", n + 1));
            }
            match kind.trim() {
                "race" | "race_top" => s.races.push(pattern.to_string()),
                "called_from_lib" => s.libraries.push(pattern.to_string()),
                // Kinds that do not apply to a race detector without those
                // reports; accepted so that ThreadSanitizer files load.
                "thread" | "mutex" | "signal" | "deadlock" => {}
                other => return Err(format!("{}: unknown suppression type '{other}'", n + 1)),
            }
        }
        Ok(s)
    }

    /// Whether there is nothing to match.
    pub fn is_empty(&self) -> bool {
        self.races.is_empty() && self.libraries.is_empty()
    }

    /// Whether `r` is suppressed.
    pub fn matches(&self, r: &RaceReport, sym: &Symbolizer) -> bool {
        let mut names: Vec<String> = Vec::new();
        let mut modules: Vec<String> = Vec::new();
        for stack in [&r.current.stack, &r.previous.stack].into_iter().flatten() {
            for &pc in stack.iter().rev() {
                for f in sym.code(pc) {
                    names.push(f.function.clone());
                    names.push(f.file.clone());
                    modules.push(f.module.clone());
                }
            }
        }
        if let Some(Location::Global(g)) = &r.location {
            names.push(g.name.clone());
        }
        names.extend(modules.iter().cloned());
        self.races
            .iter()
            .any(|p| names.iter().any(|n| matches(p, n)))
            || self.libraries.iter().any(|lib| {
                modules
                    .iter()
                    .any(|m| m.rsplit('/').next().is_some_and(|base| matches(lib, base)))
            })
    }
}

/// Whether `pattern` matches `text` (see the module documentation).
pub fn matches(pattern: &str, text: &str) -> bool {
    let (anchored_start, p) = match pattern.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let (anchored_end, p) = match p.strip_suffix('$') {
        Some(rest) => (true, rest),
        None => (false, p),
    };
    let parts: Vec<&str> = p.split('*').collect();
    let mut at = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        let found = if i == 0 && anchored_start {
            text.starts_with(part).then_some(0)
        } else {
            text[at..].find(part).map(|j| at + j)
        };
        match found {
            Some(j) => at = j + part.len(),
            None => return false,
        }
    }
    if anchored_end {
        let last = parts.last().copied().unwrap_or("");
        return last.is_empty() || text.ends_with(last);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_like_thread_sanitizer() {
        assert!(matches("worker", "my_worker_fn"));
        assert!(matches("^worker", "worker_fn"));
        assert!(!matches("^worker", "my_worker"));
        assert!(matches("fn$", "worker_fn"));
        assert!(!matches("fn$", "fn_worker"));
        assert!(matches("foo*bar", "xfoo_and_barx"));
        assert!(!matches("foo*bar", "bar_foo"));
        assert!(matches("*", "anything"));
    }

    #[test]
    fn files_parse_and_errors_name_the_line() {
        let s = Suppressions::parse("# c\nrace:worker\ncalled_from_lib:libz.so\n\n").unwrap();
        assert_eq!(s.races, vec!["worker"]);
        assert_eq!(s.libraries, vec!["libz.so"]);
        assert!(
            Suppressions::parse("race:a\nnonsense\n")
                .unwrap_err()
                .starts_with("2:")
        );
        assert!(
            Suppressions::parse("bogus:x")
                .unwrap_err()
                .contains("unknown suppression type")
        );
    }
}
