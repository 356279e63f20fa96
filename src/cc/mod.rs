//! `hbsan cc ARGS…` / `hbsan c++ ARGS…`: the C/C++ compiler, with hbsan in
//! place of ThreadSanitizer's runtime — replace `gcc -fsanitize=thread`
//! with `hbsan cc`.
//!
//! - Compile steps (`-c`, `-S`, `-E`, …) run the compiler (`gcc`/`g++`, or
//!   `$CC`/`$CXX`) with `-fsanitize=thread` added.
//! - A link runs it WITHOUT `-fsanitize=thread` (that would link libtsan)
//!   and with `libhbsan.a` (see [`libhbsan`]) linked whole. A
//!   compile-and-link command line is split: each source is compiled with
//!   `-fsanitize=thread` into a temporary object, then the objects are
//!   linked. Objects compiled elsewhere with `-fsanitize=thread -c` link
//!   the same way.
//! - Anything else (`--version`, no input files) goes to the compiler
//!   unchanged, so errors are the compiler's own, with its exit status.
//! - `--pass=hbsan` (hbsan's own option) compiles sources through clang and
//!   hbsan's instrumentation pass instead of `-fsanitize=thread`'s; see
//!   [`pass`].

pub mod args;
pub mod compiler;
pub mod libhbsan;
pub mod pass;

use std::fs;
use std::path::{Path, PathBuf};

use args::{Arg, CommandLine, LinkKind, Mode};
use compiler::Compiler;
use pass::Pass;

/// The option that instruments compile steps.
const TSAN: &str = "-fsanitize=thread";

/// `hbsan cc ARGS…` (`cxx`: `hbsan c++ ARGS…`); returns the exit status.
pub fn main(args: &[String], cxx: bool) -> i32 {
    let (pass, args) = match pass::split_option(args) {
        Ok(split) => split,
        Err(e) => {
            eprintln!("hbsan: {e}");
            return 2;
        }
    };
    let args = &args[..];
    let compiler = match pass {
        Pass::Compiler => Compiler::from_env(cxx),
        Pass::Hbsan => match pass::clang(cxx) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("hbsan: {e}");
                return 1;
            }
        },
    };
    let cl = args::parse(args);
    match cl.mode {
        Mode::Query => compiler.run(args),
        Mode::CompileOnly if pass == Pass::Hbsan => pass::compile_only(&compiler, &cl, args),
        Mode::CompileOnly => {
            // First, so that a later -fno-sanitize=thread of the user's wins.
            let mut full = vec![TSAN.to_string()];
            full.extend_from_slice(args);
            compiler.run(&full)
        }
        Mode::Link(LinkKind::Static) => {
            eprintln!(
                "hbsan: -static is not supported: the interceptors find libc's functions \
                 with dlsym, which needs a dynamically linked program"
            );
            1
        }
        Mode::Link(kind) => compile_and_link(&compiler, pass, &cl, kind),
    }
}

/// Compiles the sources (if any) into temporary objects, then links.
fn compile_and_link(compiler: &Compiler, pass: Pass, cl: &CommandLine, kind: LinkKind) -> i32 {
    let objects = match ObjectDir::for_sources(cl) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("hbsan: {e}");
            return 1;
        }
    };
    let compile_opts = compile_options(cl);
    let mut failed = 0;
    for (n, (source, lang)) in cl.sources().enumerate() {
        let object = objects.object(n, source);
        if pass == Pass::Hbsan {
            let mut options = compile_opts.clone();
            options.extend(
                dependency_output(cl, source)
                    .chunks(2)
                    .map(<[String]>::to_vec),
            );
            let code = pass::compile(
                compiler,
                &pass::Step {
                    source,
                    lang,
                    options: &options,
                    emit_llvm: false,
                    output_kind: pass::Output::Object,
                    output: &object,
                    scratch: &object,
                },
            );
            if code != 0 && failed == 0 {
                failed = code;
            }
            continue;
        }
        let mut step = vec![TSAN.to_string()];
        step.extend(compile_opts.iter().flatten().cloned());
        step.push("-c".into());
        if let Some(lang) = lang {
            step.extend(["-x".to_string(), lang.to_string()]);
        }
        step.push(source.to_string());
        step.push("-o".into());
        step.push(object.display().to_string());
        step.extend(dependency_output(cl, source));
        // Like gcc: every source is compiled, and nothing is linked if one
        // failed.
        let code = compiler.run(&step);
        if code != 0 && failed == 0 {
            failed = code;
        }
    }
    if failed != 0 {
        return failed;
    }

    let mut link = link_arguments(cl, &objects);
    if kind == LinkKind::Executable {
        let runtime = std::env::current_exe()
            .map_err(|e| format!("cannot find the hbsan executable: {e}"))
            .and_then(|exe| libhbsan::ensure(&exe));
        match runtime {
            Ok(rt) => link.extend(rt.link_args()),
            Err(e) => {
                eprintln!("hbsan: {e}");
                return 1;
            }
        }
    }
    compiler.run(&link)
}

/// The options for compiling one source of a compile-and-link command
/// line: everything but the inputs, the output, the `-x` languages (each
/// source gets its own) and what only the linker reads.
fn compile_options(cl: &CommandLine) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for arg in &cl.args {
        let Arg::Opt(words) = arg else { continue };
        let first = words[0].as_str();
        let link_only = first.starts_with("-o")
            || first.starts_with("-x")
            || first.starts_with("-l")
            || first.starts_with("-Wl,")
            || first == "-Xlinker";
        if !link_only {
            out.push(words.clone());
        }
    }
    out
}

/// With `-MD`/`-MMD` and no `-MF`, gcc names the dependency file after
/// the compiler's output; here that output is a temporary object, so the
/// names gcc (12) gives in a compile-and-link are spelled out: with
/// `-o OUT`, `OUT` minus its suffix plus `.d`, for target `OUT`; without,
/// `a-STEM.d` for target `STEM.o`.
fn dependency_output(cl: &CommandLine, source: &str) -> Vec<String> {
    let mut wants = false;
    let mut named = false;
    let mut targeted = false;
    let mut output = None;
    for arg in &cl.args {
        let Arg::Opt(words) = arg else { continue };
        match words[0].as_str() {
            "-MD" | "-MMD" => wants = true,
            "-MF" => named = true,
            "-MT" | "-MQ" => targeted = true,
            "-o" => output = words.get(1).cloned(),
            w if w.starts_with("-MF") => named = true,
            w if w.starts_with("-MT") || w.starts_with("-MQ") => targeted = true,
            w if w.starts_with("-o") => output = Some(w[2..].to_string()),
            _ => {}
        }
    }
    if !wants || named {
        return Vec::new();
    }
    let stem = Path::new(source)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("stdin");
    let (file, target) = match output {
        Some(out) => (
            Path::new(&out).with_extension("d").display().to_string(),
            out,
        ),
        None => (format!("a-{stem}.d"), format!("{stem}.o")),
    };
    let mut words = vec!["-MF".to_string(), file];
    if !targeted {
        words.extend(["-MT".to_string(), target]);
    }
    words
}

/// The link step's arguments: the command line with its sources replaced
/// by their objects, without `-x` (the objects are not source) and without
/// ThreadSanitizer's runtime.
fn link_arguments(cl: &CommandLine, objects: &ObjectDir) -> Vec<String> {
    let mut out = Vec::new();
    let mut n = 0;
    for arg in &cl.args {
        match arg {
            Arg::Source { path, .. } => {
                out.push(objects.object(n, path).display().to_string());
                n += 1;
            }
            Arg::Input(path) => out.push(path.clone()),
            Arg::Opt(words) if words[0].starts_with("-x") => {}
            Arg::Opt(words) => {
                if let Some(first) = args::without_tsan_at_link(&words[0]) {
                    out.push(first);
                    out.extend(words[1..].iter().cloned());
                }
            }
        }
    }
    out
}

/// Where the objects of a compile-and-link live until the link is done:
/// a fresh directory under the temporary directory, removed when dropped.
struct ObjectDir(Option<PathBuf>);

impl ObjectDir {
    /// A directory if `cl` has sources to compile.
    fn for_sources(cl: &CommandLine) -> Result<ObjectDir, String> {
        if cl.sources().next().is_none() {
            return Ok(ObjectDir(None));
        }
        let base = std::env::temp_dir();
        for attempt in 0..100u32 {
            let dir = base.join(format!("hbsan-cc-{}-{attempt}", std::process::id()));
            match fs::create_dir(&dir) {
                Ok(()) => return Ok(ObjectDir(Some(dir))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
            }
        }
        Err(format!(
            "cannot create a temporary directory in {}",
            base.display()
        ))
    }

    /// The object for the `n`-th source (named after it, for readable
    /// compiler messages).
    fn object(&self, n: usize, source: &str) -> PathBuf {
        let stem = Path::new(source)
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| !s.is_empty() && *s != "-")
            .unwrap_or("stdin");
        let dir = self.0.as_deref().unwrap_or(Path::new("."));
        dir.join(format!("{n}-{stem}.o"))
    }
}

impl Drop for ObjectDir {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cl(args: &[&str]) -> CommandLine {
        args::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn compile_options_drop_link_only_words() {
        let line = cl(&[
            "-O2",
            "-x",
            "c",
            "a",
            "-x",
            "none",
            "b.o",
            "-o",
            "prog",
            "-lm",
            "-Wl,-z,now",
            "-Xlinker",
            "-q",
            "-DX=1",
            "-pthread",
            "-L/lib",
        ]);
        assert_eq!(
            compile_options(&line).concat(),
            ["-O2", "-DX=1", "-pthread", "-L/lib"]
        );
    }

    #[test]
    fn dependency_files_named_like_gccs() {
        let with_output = cl(&["-MMD", "x.c", "-o", "out/prog.bin"]);
        assert_eq!(
            dependency_output(&with_output, "x.c"),
            ["-MF", "out/prog.d", "-MT", "out/prog.bin"]
        );
        let without = cl(&["-MD", "src/x.c"]);
        assert_eq!(
            dependency_output(&without, "src/x.c"),
            ["-MF", "a-x.d", "-MT", "x.o"]
        );
        let own_name = cl(&["-MD", "-MF", "deps", "x.c"]);
        assert!(dependency_output(&own_name, "x.c").is_empty());
        assert!(dependency_output(&cl(&["x.c"]), "x.c").is_empty());
    }

    #[test]
    fn link_arguments_replace_sources() {
        let line = cl(&[
            "-fsanitize=thread,undefined",
            "a.c",
            "b.o",
            "-o",
            "prog",
            "-static-libtsan",
            "-lm",
        ]);
        let dir = ObjectDir(Some(PathBuf::from("/tmp/o")));
        assert_eq!(
            link_arguments(&line, &dir),
            [
                "-fsanitize=undefined",
                "/tmp/o/0-a.o",
                "b.o",
                "-o",
                "prog",
                "-lm"
            ]
        );
        std::mem::forget(dir);
    }
}
