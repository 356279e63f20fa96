//! `hbsan cc --pass=hbsan …`: sources are instrumented by hbsan's own pass
//! ([`crate::instrument`]) instead of the compiler's ThreadSanitizer pass.
//!
//! Each source takes three steps:
//! 1. clang compiles it to textual IR with `-fsanitize=thread` but with the
//!    ThreadSanitizer function pass's instrumentation switched off
//!    (`-mllvm -tsan-instrument-*=0`). The IR is optimized exactly as for
//!    ThreadSanitizer — the `sanitize_thread` attribute keeps the optimizer
//!    from speculating loads, which would invent races — and carries only
//!    clang's module constructor calling `__tsan_init`.
//! 2. Our pass rewrites that IR (in this process).
//! 3. clang turns the rewritten IR into what the command line asked for
//!    (object, assembly, IR) without optimizing it again: the checks were
//!    placed for this IR.
//!
//! Assembly sources skip steps 1 and 2. Linking is the same as `hbsan cc`'s.

use std::path::{Path, PathBuf};

use super::TSAN;
use super::args::{Arg, CommandLine};
use super::compiler::Compiler;

/// Which instrumentation pass compiles the sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// The compiler's own `-fsanitize=thread` (the default).
    Compiler,
    /// hbsan's pass over LLVM IR, through clang.
    Hbsan,
}

/// Takes `--pass=…` (hbsan's own option, anywhere on the command line) out
/// of `args`.
pub fn split_option(args: &[String]) -> Result<(Pass, Vec<String>), String> {
    let mut pass = Pass::Compiler;
    let mut rest = Vec::with_capacity(args.len());
    for a in args {
        match a.strip_prefix("--pass=") {
            Some("hbsan") => pass = Pass::Hbsan,
            Some("tsan" | "compiler") => pass = Pass::Compiler,
            Some(other) => {
                return Err(format!(
                    "unknown pass '{other}' (--pass=hbsan: hbsan's own; --pass=tsan: the \
                     compiler's -fsanitize=thread, the default)"
                ));
            }
            None => rest.push(a.clone()),
        }
    }
    Ok((pass, rest))
}

/// The clang that compiles for our pass: `CC`/`CXX` when they name a
/// clang, else `clang`/`clang++` on `PATH`, else the newest
/// `/usr/lib/llvm-N/bin/clang` (Debian's versioned packages).
pub fn clang(cxx: bool) -> Result<Compiler, String> {
    let (var, name) = if cxx {
        ("CXX", "clang++")
    } else {
        ("CC", "clang")
    };
    let chosen = Compiler::from_env(cxx);
    if chosen.is_from_env() {
        return if chosen.program_name().contains("clang") {
            Ok(chosen)
        } else {
            Err(format!(
                "--pass=hbsan compiles through clang (14 or newer), but {var} is '{}'; \
                 unset {var} or set it to a clang",
                chosen.program_name()
            ))
        };
    }
    if let Some(dirs) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&dirs) {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(Compiler::new(vec![p.display().to_string()]));
            }
        }
    }
    let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e
                .file_name()
                .to_str()?
                .strip_prefix("llvm-")?
                .parse()
                .ok()?;
            let p = e.path().join("bin").join(name);
            (v >= 14 && p.is_file()).then_some((v, p))
        })
        .collect();
    versioned.sort();
    match versioned.pop() {
        Some((_, p)) => Ok(Compiler::new(vec![p.display().to_string()])),
        None => Err(format!(
            "--pass=hbsan compiles through clang (14 or newer); none found ({name} on PATH, \
             /usr/lib/llvm-N/bin/{name}); install clang or set {var}"
        )),
    }
}

/// Options that only the front end reads (preprocessor, dependency output,
/// language standard): they go to step 1 and not to step 3, which compiles
/// IR (clang rejects `-std=` for IR).
fn frontend_only(first: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "-D",
        "-U",
        "-I",
        "-M",
        "-include",
        "-imacros",
        "-isystem",
        "-iquote",
        "-idirafter",
        "-iprefix",
        "-iwithprefix",
        "-isysroot",
        "-nostdinc",
        "-std=",
        "-ansi",
        "-Xpreprocessor",
        "-cxx-isystem",
    ];
    PREFIXES.iter().any(|p| first.starts_with(p))
}

/// What a compile-only command line produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// `-c`: an object (`-c -emit-llvm`: bitcode).
    Object,
    /// `-S`: assembly (`-S -emit-llvm`: textual IR).
    Assembly,
}

/// The paths and options of one source's compilation.
pub struct Step<'a> {
    /// The source file.
    pub source: &'a str,
    /// Its `-x` language, if one is in force.
    pub lang: Option<&'a str>,
    /// The options from the command line, each with its separate value if
    /// it has one (no inputs, no `-o`, no `-x`, no `-c`/`-S`).
    pub options: &'a [Vec<String>],
    /// Whether `-emit-llvm` was given.
    pub emit_llvm: bool,
    /// What to produce.
    pub output_kind: Output,
    /// Where to put it.
    pub output: &'a Path,
    /// Where the intermediate IR goes (`STEM.ll`; `STEM.hbsan.ll` is the
    /// rewritten IR).
    pub scratch: &'a Path,
}

/// Compiles one source through the three steps; returns the exit status
/// (the compiler's, or 1 when the pass rejects the IR).
pub fn compile(compiler: &Compiler, step: &Step<'_>) -> i32 {
    let action = match step.output_kind {
        Output::Object => "-c",
        Output::Assembly => "-S",
    };
    if is_assembly(step.source, step.lang) {
        let mut words = step.options.concat();
        words.push(action.into());
        words.extend(lang_words(step.lang));
        words.extend([step.source.to_string(), "-o".into(), path(step.output)]);
        return compiler.run(&words);
    }

    let ir = step.scratch.with_extension("ll");
    let mut first = vec![TSAN.to_string()];
    for off in [
        "memory-accesses",
        "func-entry-exit",
        "atomics",
        "memintrinsics",
    ] {
        first.extend(["-mllvm".into(), format!("-tsan-instrument-{off}=0")]);
    }
    first.extend(step.options.iter().flatten().cloned());
    first.extend(["-S".into(), "-emit-llvm".into()]);
    first.extend(lang_words(step.lang));
    first.extend([step.source.to_string(), "-o".into(), path(&ir)]);
    let code = compiler.run(&first);
    if code != 0 {
        return code;
    }

    let rewritten = step.scratch.with_extension("hbsan.ll");
    if let Err(e) = run_pass(&ir, &rewritten) {
        eprintln!("hbsan: {}: {e}", step.source);
        return 1;
    }

    let mut last: Vec<String> = step
        .options
        .iter()
        .filter(|o| !frontend_only(&o[0]))
        .flatten()
        .cloned()
        .collect();
    // Step 1 optimized the IR; the checks were placed for it as it is.
    last.extend([
        "-Xclang".into(),
        "-disable-llvm-passes".into(),
        "-Wno-unused-command-line-argument".into(),
        action.into(),
    ]);
    if step.emit_llvm {
        last.push("-emit-llvm".into());
    }
    last.extend([
        "-x".into(),
        "ir".into(),
        path(&rewritten),
        "-o".into(),
        path(step.output),
    ]);
    compiler.run(&last)
}

/// Reads IR, instruments it, writes it.
fn run_pass(input: &Path, output: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let cfg = crate::instrument::Config {
        volatile: false,
        elim: crate::instrument::Eliminations::ALL,
    };
    let (out, _) = crate::instrument::instrument_text(&text, cfg).map_err(|e| {
        format!(
            "hbsan's pass rejected clang's IR ({}:{}): {}",
            input.display(),
            e.line,
            e.message
        )
    })?;
    std::fs::write(output, out).map_err(|e| format!("{}: {e}", output.display()))
}

/// Whether a source is assembly (nothing to instrument).
fn is_assembly(source: &str, lang: Option<&str>) -> bool {
    match lang {
        Some(l) => l.starts_with("assembler"),
        None => matches!(source.rsplit_once('.'), Some((_, "s" | "S" | "sx"))),
    }
}

fn lang_words(lang: Option<&str>) -> Vec<String> {
    lang.map(|l| vec!["-x".to_string(), l.to_string()])
        .unwrap_or_default()
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

/// `hbsan cc --pass=hbsan` with `-c` or `-S`: every source through
/// [`compile`], each output where the compiler would put it. Other
/// compile-only work (`-E`, `-M`, `-fsyntax-only`) instruments nothing and
/// goes to the compiler unchanged.
pub fn compile_only(compiler: &Compiler, cl: &CommandLine, args: &[String]) -> i32 {
    let has = |w: &str| {
        cl.args
            .iter()
            .any(|a| matches!(a, Arg::Opt(words) if words[0] == w))
    };
    let preprocess_only = ["-E", "-M", "-MM", "-fsyntax-only", "--precompile"]
        .iter()
        .any(|w| has(w));
    let output_kind = if preprocess_only {
        return compiler.run(args);
    } else if has("-c") {
        Output::Object
    } else if has("-S") {
        Output::Assembly
    } else {
        // `-emit-llvm` alone: clang then needs -c or -S; let it say so.
        return compiler.run(args);
    };
    let emit_llvm = has("-emit-llvm");
    let mut named_output = None;
    let mut options = Vec::new();
    for arg in &cl.args {
        let Arg::Opt(words) = arg else { continue };
        let first = words[0].as_str();
        if first == "-o" {
            named_output = words.get(1).cloned();
        } else if let Some(o) = first.strip_prefix("-o") {
            named_output = Some(o.to_string());
        } else if !(first.starts_with("-x") || ["-c", "-S", "-emit-llvm"].contains(&first)) {
            options.push(words.clone());
        }
    }
    let sources: Vec<_> = cl.sources().collect();
    if named_output.is_some() && sources.len() > 1 {
        eprintln!("hbsan: cannot specify '-o' with '-c' or '-S' and more than one source");
        return 1;
    }
    let scratch = match super::ObjectDir::for_sources(cl) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("hbsan: {e}");
            return 1;
        }
    };
    let suffix = match (output_kind, emit_llvm) {
        (Output::Object, false) => "o",
        (Output::Object, true) => "bc",
        (Output::Assembly, false) => "s",
        (Output::Assembly, true) => "ll",
    };
    let mut failed = 0;
    for (n, (source, lang)) in sources.into_iter().enumerate() {
        let output = match &named_output {
            Some(o) => PathBuf::from(o),
            None => PathBuf::from(format!("{}.{suffix}", stem(source))),
        };
        let mut opts = options.clone();
        opts.extend(
            dependency_words(cl, &output)
                .chunks(2)
                .map(<[String]>::to_vec),
        );
        let code = compile(
            compiler,
            &Step {
                source,
                lang,
                options: &opts,
                emit_llvm,
                output_kind,
                output: &output,
                scratch: &scratch.object(n, source),
            },
        );
        if code != 0 && failed == 0 {
            failed = code;
        }
    }
    failed
}

/// The file name of `source` without directory and suffix (`-` is `stdin`).
fn stem(source: &str) -> String {
    Path::new(source)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty() && *s != "-")
        .unwrap_or("stdin")
        .to_string()
}

/// With `-MD`/`-MMD` and no `-MF`, the dependency file is named after the
/// output (`OUT` minus its suffix plus `.d`, target `OUT`); step 1 writes
/// IR elsewhere, so the names are spelled out.
fn dependency_words(cl: &CommandLine, output: &Path) -> Vec<String> {
    let mut wants = false;
    let mut named = false;
    let mut targeted = false;
    for arg in &cl.args {
        let Arg::Opt(words) = arg else { continue };
        let w = words[0].as_str();
        wants |= w == "-MD" || w == "-MMD";
        named |= w.starts_with("-MF");
        targeted |= w.starts_with("-MT") || w.starts_with("-MQ");
    }
    if !wants || named {
        return Vec::new();
    }
    let mut words = vec!["-MF".to_string(), path(&output.with_extension("d"))];
    if !targeted {
        words.extend(["-MT".to_string(), path(output)]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_option_is_taken_out() {
        let (pass, rest) = split_option(&strings(&["-O2", "--pass=hbsan", "x.c"])).unwrap();
        assert_eq!(pass, Pass::Hbsan);
        assert_eq!(rest, ["-O2", "x.c"]);
        let (pass, rest) = split_option(&strings(&["x.c"])).unwrap();
        assert_eq!((pass, rest.len()), (Pass::Compiler, 1));
        assert!(split_option(&strings(&["--pass=llvm"])).is_err());
    }

    #[test]
    fn front_end_options_stay_in_step_one() {
        for o in ["-DX=1", "-I.", "-MD", "-include", "-std=c11", "-isystem"] {
            assert!(frontend_only(o), "{o}");
        }
        for o in ["-O2", "-g", "-fPIC", "-march=native", "-Wall"] {
            assert!(!frontend_only(o), "{o}");
        }
    }

    #[test]
    fn assembly_is_not_instrumented() {
        assert!(is_assembly("x.S", None));
        assert!(is_assembly("x.c", Some("assembler-with-cpp")));
        assert!(!is_assembly("x.c", None));
    }
}
