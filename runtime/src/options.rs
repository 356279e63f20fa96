//! Run-time options, from the environment.
//!
//! Native programs read `TSAN_OPTIONS`, Go programs `GORACE`; `HBSAN_OPTIONS`
//! is read last and wins. The syntax is ThreadSanitizer's: `name=value`
//! pairs separated by spaces, colons or commas; values may be quoted. A
//! malformed or unknown option is reported in one warning line naming it,
//! and the program runs with the rest.

/// Report format.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// The text layout of ThreadSanitizer (native) or Go's race detector.
    Text,
    /// One JSON object per report.
    Json,
}

/// All options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Exit status of a program that reported races.
    pub exitcode: i32,
    /// Exit right after the first report.
    pub halt_on_error: bool,
    /// Print reports at all.
    pub report_bugs: bool,
    /// File of suppressions.
    pub suppressions: Option<String>,
    /// Write reports to `<log_path>.<pid>` instead of stderr.
    pub log_path: Option<String>,
    /// History per slot: `32K << history_size` events (0..=7).
    pub history_size: u32,
    /// Diagnostic chattiness.
    pub verbosity: u32,
    /// Report format.
    pub format: Format,
    /// Prefix removed from file names in reports.
    pub strip_path_prefix: String,
    /// Report a pair of stacks only once.
    pub suppress_equal_stacks: bool,
    /// Report an address range only once.
    pub suppress_equal_addresses: bool,
    /// At exit, give other threads this long to finish before the verdict.
    pub atexit_sleep_ms: u64,
    /// Count hook calls and print them at exit.
    pub stats: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            exitcode: 66,
            halt_on_error: false,
            report_bugs: true,
            suppressions: None,
            log_path: None,
            history_size: 2,
            verbosity: 0,
            format: Format::Text,
            strip_path_prefix: String::new(),
            suppress_equal_stacks: true,
            suppress_equal_addresses: true,
            atexit_sleep_ms: 1000,
            stats: false,
        }
    }
}

/// A problem with one option (printed as a warning; parsing goes on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionWarning {
    /// The environment variable it came from.
    pub source: &'static str,
    /// What is wrong.
    pub message: String,
}

impl Options {
    /// Parses `text` (from variable `source`) on top of `self`; returns
    /// warnings for what could not be used.
    pub fn apply(&mut self, source: &'static str, text: &str) -> Vec<OptionWarning> {
        let mut warnings = Vec::new();
        let mut warn = |message: String| warnings.push(OptionWarning { source, message });
        for token in tokens(text) {
            let Some((name, value)) = token.split_once('=') else {
                warn(format!("malformed option '{token}' (expected name=value)"));
                continue;
            };
            if let Err(why) = self.set(name, value) {
                warn(why);
            }
        }
        warnings
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        fn boolean(name: &str, v: &str) -> Result<bool, String> {
            match v {
                "1" | "true" | "yes" => Ok(true),
                "0" | "false" | "no" => Ok(false),
                _ => Err(format!("option '{name}' wants 0 or 1, got '{v}'")),
            }
        }
        fn number<T: core::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("option '{name}' wants a number, got '{v}'"))
        }
        match name {
            "exitcode" => self.exitcode = number(name, value)?,
            "halt_on_error" => self.halt_on_error = boolean(name, value)?,
            "report_bugs" => self.report_bugs = boolean(name, value)?,
            "suppressions" => self.suppressions = (!value.is_empty()).then(|| value.to_string()),
            "log_path" => self.log_path = (!value.is_empty()).then(|| value.to_string()),
            "history_size" => {
                let n: u32 = number(name, value)?;
                if n > 7 {
                    return Err(format!("option 'history_size' must be 0..7, got {n}"));
                }
                self.history_size = n;
            }
            "verbosity" => self.verbosity = number(name, value)?,
            "format" => {
                self.format = match value {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    _ => {
                        return Err(format!(
                            "option 'format' must be text or json, got '{value}'"
                        ));
                    }
                }
            }
            "strip_path_prefix" => self.strip_path_prefix = value.to_string(),
            "suppress_equal_stacks" => self.suppress_equal_stacks = boolean(name, value)?,
            "suppress_equal_addresses" => self.suppress_equal_addresses = boolean(name, value)?,
            "atexit_sleep_ms" => self.atexit_sleep_ms = number(name, value)?,
            "stats" => self.stats = boolean(name, value)?,
            // Accepted for compatibility with ThreadSanitizer's option
            // strings; they have no effect here.
            "detect_deadlocks"
            | "second_deadlock_stack"
            | "symbolize"
            | "external_symbolizer_path"
            | "abort_on_error"
            | "die_after_fork"
            | "ignore_noninstrumented_modules"
            | "flush_memory_ms"
            | "memory_limit_mb"
            | "io_sync"
            | "force_seq_cst_atomics"
            | "print_benign"
            | "report_thread_leaks"
            | "report_destroy_locked"
            | "report_mutex_bugs"
            | "report_signal_unsafe"
            | "report_atomic_races"
            | "handle_segv"
            | "allow_user_segv_handler"
            | "use_sigaltstack"
            | "detect_leaks"
            | "fast_unwind_on_fatal"
            | "strip_env"
            | "color"
            | "check_malloc_usable_size" => {}
            _ => return Err(format!("unknown option '{name}'")),
        }
        Ok(())
    }

    /// The options of a process, from `primary` (`TSAN_OPTIONS` or
    /// `GORACE`) and `HBSAN_OPTIONS`.
    pub fn from_env(primary: &'static str) -> (Options, Vec<OptionWarning>) {
        let mut o = Options::default();
        if primary == "GORACE" {
            // Go's race runtime documents a 1000 ms default but, in Go
            // 1.19, never sleeps at exit (measured: a program that leaves
            // goroutines running ends at once, even with an explicit
            // GORACE=atexit_sleep_ms=2000). Go programs keep goroutines
            // of the runtime alive to the end, so sleeping whenever some
            // are alive would add a second to every `go run` and every
            // test binary. An explicit value is honoured.
            o.atexit_sleep_ms = 0;
        }
        let mut warnings = Vec::new();
        for var in [primary, "HBSAN_OPTIONS"] {
            if let Some(text) = env_var(var) {
                warnings.extend(o.apply(var, &text));
            }
        }
        (o, warnings)
    }
}

/// An environment variable. Native programs start the runtime from
/// `.preinit_array`, before the C library has set up `environ`; the
/// kernel's copy of the initial environment is read then.
fn env_var(name: &str) -> Option<String> {
    if let Some(v) = std::env::var_os(name) {
        return Some(v.to_string_lossy().into_owned());
    }
    let initial = std::fs::read("/proc/self/environ").ok()?;
    initial.split(|&b| b == 0).find_map(|entry| {
        let rest = entry.strip_prefix(name.as_bytes())?.strip_prefix(b"=")?;
        Some(String::from_utf8_lossy(rest).into_owned())
    })
}

/// Splits an option string on spaces, colons and commas outside quotes.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, ' ' | '\t' | '\n' | '\r' | ':' | ',') => {
                if !cur.is_empty() {
                    out.push(core::mem::take(&mut cur));
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_options() {
        let mut o = Options::default();
        let w = o.apply(
            "TSAN_OPTIONS",
            "exitcode=13 halt_on_error=1:history_size=4,log_path='/tmp/a b' format=json strip_path_prefix=/src/",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.exitcode, 13);
        assert!(o.halt_on_error);
        assert_eq!(o.history_size, 4);
        assert_eq!(o.log_path.as_deref(), Some("/tmp/a b"));
        assert_eq!(o.format, Format::Json);
        assert_eq!(o.strip_path_prefix, "/src/");
    }

    #[test]
    fn bad_options_warn_and_do_not_stop_the_rest() {
        let mut o = Options::default();
        let w = o.apply(
            "GORACE",
            "exitcode=x bogus=1 history_size=9 loose atexit_sleep_ms=0",
        );
        assert_eq!(w.len(), 4, "{w:?}");
        assert!(w[0].message.contains("exitcode"));
        assert!(w[1].message.contains("unknown option 'bogus'"));
        assert!(w[2].message.contains("history_size"));
        assert!(w[3].message.contains("'loose'"));
        assert_eq!(o.exitcode, 66);
        assert_eq!(o.atexit_sleep_ms, 0);
    }
}
