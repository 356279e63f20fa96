//! `hbsan instrument`: our own ThreadSanitizer-compatible instrumentation pass over textual
//! LLVM IR (clang 14 typed or opaque pointers, clang 19).
//!
//! It rewrites a `.ll` file so that it calls the hooks of the compiler instrumentation ABI
//! (`__tsan_read4`, `__tsan_atomic32_load`, `__tsan_func_entry`, ...), placing fewer checks than
//! LLVM's own pass: no checks for stack slots that never escape, for reads of constant data,
//! for accesses covered by another check between the same synchronization points, and one
//! range check before a simple loop instead of one per iteration. docs/INSTRUMENTATION.md
//! explains each choice and why verdicts stay the same.
//!
//! Malformed input yields `hbsan instrument: FILE:LINE: message` and exit code 2; the reader
//! never panics (see the fuzz tests).

mod analysis;
mod cursor;
#[cfg(test)]
mod fuzz;
mod hoist;
mod hooks;
mod instructions;
mod lexer;
mod lowering;
mod module;
mod rewrite;
mod stats;
mod types;
mod unwind;

use std::io::{Read, Write};

pub use analysis::accesses::Eliminations;
pub use module::SyntaxError;
pub use rewrite::Config;
pub use stats::Stats;

/// Usage text for `hbsan instrument --help`.
pub const USAGE: &str =
    "usage: hbsan instrument IN.ll [-o OUT.ll] [--volatile] [--verbose] [--disable=LIST]

Rewrites textual LLVM IR so that it calls the ThreadSanitizer hooks (see ABI.md).
  IN.ll            input file ('-' for standard input)
  -o OUT.ll        output file (default: standard output)
  --volatile       check volatile accesses with the __tsan_volatile_* hooks
  --verbose        print what was instrumented, skipped and left untouched to stderr
  --disable=LIST   turn eliminations off (comma-separated: private, constants, redundant,
                   loops, all) -- for measuring and debugging
Exit codes: 0 success, 1 input/output error, 2 usage error or malformed input.";

/// Instruments IR text. `Err` carries the 1-based line of malformed input.
pub fn instrument_text(src: &str, cfg: Config) -> Result<(String, Stats), SyntaxError> {
    let m = module::parse(src)?;
    rewrite::instrument(src, &m, cfg)
}

/// Parsed command line.
struct Cli {
    input: String,
    output: Option<String>,
    verbose: bool,
    cfg: Config,
}

fn parse_args(args: &[String]) -> Result<Option<Cli>, String> {
    let mut input = None;
    let mut output = None;
    let mut verbose = false;
    let mut cfg = Config {
        volatile: false,
        elim: Eliminations::ALL,
    };
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-h" | "--help" => return Ok(None),
            "-o" => {
                i += 1;
                output = Some(args.get(i).ok_or("-o needs a file name")?.clone());
            }
            "--volatile" => cfg.volatile = true,
            "--verbose" | "-v" => verbose = true,
            _ if a.starts_with("--disable=") => {
                for what in a["--disable=".len()..].split(',') {
                    match what {
                        "private" => cfg.elim.private = false,
                        "constants" => cfg.elim.constants = false,
                        "redundant" => cfg.elim.redundant = false,
                        "loops" => cfg.elim.loops = false,
                        "all" => {
                            cfg.elim = Eliminations {
                                private: false,
                                constants: false,
                                redundant: false,
                                loops: false,
                            }
                        }
                        _ => return Err(format!("unknown elimination '{what}'")),
                    }
                }
            }
            _ if a.starts_with("-o") && a.len() > 2 => output = Some(a[2..].to_string()),
            _ if a.starts_with('-') && a != "-" => return Err(format!("unknown option '{a}'")),
            _ => {
                if input.is_some() {
                    return Err("more than one input file".to_string());
                }
                input = Some(a.to_string());
            }
        }
        i += 1;
    }
    let input = input.ok_or("no input file")?;
    Ok(Some(Cli {
        input,
        output,
        verbose,
        cfg,
    }))
}

/// Entry point of `hbsan instrument`; `args` are the words after `instrument`. Returns the
/// process exit code.
pub fn main(args: &[String]) -> i32 {
    let cli = match parse_args(args) {
        Ok(Some(c)) => c,
        Ok(None) => {
            println!("{USAGE}");
            return 0;
        }
        Err(e) => {
            eprintln!("hbsan instrument: {e}\n{USAGE}");
            return 2;
        }
    };
    let mut bytes = Vec::new();
    let read = if cli.input == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(&cli.input).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    if let Err(e) = read {
        eprintln!("hbsan instrument: {}: {e}", cli.input);
        return 1;
    }
    let src = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
            eprintln!("hbsan instrument: {}:{line}: invalid UTF-8", cli.input);
            return 2;
        }
    };
    let (text, stats) = match instrument_text(&src, cli.cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hbsan instrument: {}:{}: {}", cli.input, e.line, e.message);
            return 2;
        }
    };
    let written = match &cli.output {
        Some(p) if p != "-" => std::fs::write(p, text.as_bytes()),
        _ => std::io::stdout().lock().write_all(text.as_bytes()),
    };
    if let Err(e) = written {
        eprintln!(
            "hbsan instrument: {}: {e}",
            cli.output.as_deref().unwrap_or("<stdout>")
        );
        return 1;
    }
    if cli.verbose {
        eprint!("{}", stats.report());
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn command_line() {
        assert!(parse_args(&args("--help")).is_ok_and(|c| c.is_none()));
        let c = parse_args(&args("in.ll -o out.ll --volatile --disable=loops,private"))
            .ok()
            .flatten()
            .expect("parses");
        assert_eq!(c.input, "in.ll");
        assert_eq!(c.output.as_deref(), Some("out.ll"));
        assert!(c.cfg.volatile && !c.cfg.elim.loops && !c.cfg.elim.private);
        assert!(parse_args(&args("--bogus x.ll")).is_err());
        assert!(parse_args(&args("a.ll b.ll")).is_err());
        assert!(parse_args(&args("")).is_err());
        assert_eq!(main(&args("--disable=nothing x.ll")), 2);
        assert_eq!(main(&args("/nonexistent/file.ll")), 1);
    }
}
