//! Reading a C compiler command line the way gcc does, far enough to know
//! what the invocation does (compile only, link, or just ask something)
//! and which arguments are source files.
//!
//! Nothing here runs anything: [`parse`] turns the arguments into
//! [`Arg`]s and a [`Mode`]; the driver decides what to run from them.

/// One argument of the command line, or an option with its separate value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// An option, with its value when that is a separate argument
    /// (`-o out`, `-include x.h`, `-Xlinker --foo`).
    Opt(Vec<String>),
    /// A file the compiler compiles (by its suffix, or because `-x LANG`
    /// is in force); `lang` is the `-x` language then in force.
    Source {
        /// The path as given (`-` is standard input).
        path: String,
        /// The `-x` language in force, if any.
        lang: Option<String>,
    },
    /// A file given to the linker as is: object, archive, shared library,
    /// linker script.
    Input(String),
}

/// What the invocation asks the compiler to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No input files, or an option that only prints something
    /// (`--version`, `-dumpmachine`, `-###`…): the command line goes to the
    /// compiler unchanged.
    Query,
    /// `-c`, `-S`, `-E`, `-M`, `-fsyntax-only`…: compile steps only.
    CompileOnly,
    /// A link step follows (after compiling the sources, if any).
    Link(LinkKind),
}

/// What a link produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// A dynamically linked executable: the runtime goes into it.
    Executable,
    /// A shared object (`-shared`) or a relocatable object (`-r`): it
    /// gets no runtime; the executable that loads it provides one.
    NoRuntime,
    /// `-static`: the interceptors cannot find libc's functions with
    /// dlsym in a static executable.
    Static,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// The arguments, in order.
    pub args: Vec<Arg>,
    /// What the invocation does.
    pub mode: Mode,
}

impl CommandLine {
    /// The source files, in order.
    pub fn sources(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.args.iter().filter_map(|a| match a {
            Arg::Source { path, lang } => Some((path.as_str(), lang.as_deref())),
            _ => None,
        })
    }
}

/// Options whose value is the next argument when written alone (`-o out`;
/// `-oout` is one argument). Covers gcc's and clang's common ones.
const SEPARATE_VALUE: &[&str] = &[
    "-o",
    "-x",
    "-I",
    "-D",
    "-U",
    "-L",
    "-l",
    "-T",
    "-u",
    "-e",
    "-z",
    "-A",
    "-B",
    "-MF",
    "-MT",
    "-MQ",
    "-include",
    "-imacros",
    "-idirafter",
    "-iprefix",
    "-iwithprefix",
    "-iwithprefixbefore",
    "-isystem",
    "-isysroot",
    "-iquote",
    "-imultilib",
    "-imultiarch",
    "-Xlinker",
    "-Xassembler",
    "-Xpreprocessor",
    "-aux-info",
    "--param",
    "-wrapper",
    "-dumpbase",
    "-dumpbase-ext",
    "-dumpdir",
    "--sysroot",
    "-target",
    "--target",
    "-Xclang",
    "-mllvm",
    "-Xanalyzer",
    "-arch",
    "-ivfsoverlay",
    "-include-pch",
    "-cxx-isystem",
    "-isystem-after",
];

/// Options after which the compiler does not link.
const NO_LINK: &[&str] = &[
    "-c",
    "-S",
    "-E",
    "-M",
    "-MM",
    "-fsyntax-only",
    "--precompile",
    "-emit-llvm",
];

/// Options that make the compiler print something and stop, whatever the
/// inputs.
const QUERY: &[&str] = &[
    "--version",
    "-dumpversion",
    "-dumpfullversion",
    "-dumpmachine",
    "-dumpspecs",
    "--help",
    "--target-help",
    "-###",
];

/// File suffixes gcc compiles (C, C++, Objective-C, preprocessed forms,
/// assembly, Fortran); everything else is for the linker.
const SOURCE_SUFFIXES: &[&str] = &[
    "c", "i", "ii", "m", "mi", "mm", "M", "mii", "cc", "cp", "cxx", "cpp", "CPP", "c++", "C", "s",
    "S", "sx", "f", "F", "for", "FOR", "ftn", "FTN", "fpp", "FPP", "f90", "F90", "f95", "F95",
    "f03", "F03", "f08", "F08",
];

/// Whether `path` names a file gcc would compile, by its suffix.
pub fn is_source_suffix(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, suffix)) if !stem.is_empty() => SOURCE_SUFFIXES.contains(&suffix),
        _ => false,
    }
}

/// Reads `args` (the compiler's arguments, without the compiler's name).
pub fn parse(args: &[String]) -> CommandLine {
    let mut out = Vec::with_capacity(args.len());
    let mut lang: Option<String> = None;
    let mut no_link = false;
    let mut query = false;
    let mut kind = LinkKind::Executable;
    let mut any_input = false;

    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "-" || !a.starts_with('-') {
            any_input = true;
            // After `-x LANG` every file is LANG source (gcc: until `-x none`);
            // standard input is always compiled.
            if lang.is_some() || a == "-" || is_source_suffix(a) {
                out.push(Arg::Source {
                    path: a.clone(),
                    lang: lang.clone(),
                });
            } else {
                out.push(Arg::Input(a.clone()));
            }
            continue;
        }
        if SEPARATE_VALUE.contains(&a.as_str()) {
            let mut opt = vec![a.clone()];
            if let Some(value) = args.get(i) {
                opt.push(value.clone());
                i += 1;
            }
            if a == "-x" {
                lang = opt.get(1).cloned().filter(|l| l != "none");
            }
            if a == "-l" {
                any_input = true;
            }
            out.push(Arg::Opt(opt));
            continue;
        }
        // Attached values: `-xc` is `-x c`; `-lm` names a library input.
        if let Some(l) = a.strip_prefix("-x") {
            lang = Some(l.to_string()).filter(|l| l != "none");
        } else if a.starts_with("-l") {
            any_input = true;
        }
        match a.as_str() {
            s if NO_LINK.contains(&s) => no_link = true,
            s if QUERY.contains(&s) || s.starts_with("-print-") || s.starts_with("--help=") => {
                query = true
            }
            "-shared" | "-r" => kind = LinkKind::NoRuntime,
            "-static" | "-static-pie" | "--static" if kind == LinkKind::Executable => {
                kind = LinkKind::Static
            }
            _ => {}
        }
        out.push(Arg::Opt(vec![a.clone()]));
    }

    let mode = if query || !any_input {
        Mode::Query
    } else if no_link {
        Mode::CompileOnly
    } else {
        Mode::Link(kind)
    };
    CommandLine { args: out, mode }
}

/// Whether `opt` (one argument) turns ThreadSanitizer on for the link:
/// gcc would then link libtsan. Returns the argument to pass instead, if
/// any: `-fsanitize=thread,undefined` keeps `-fsanitize=undefined`.
pub fn without_tsan_at_link(opt: &str) -> Option<String> {
    if opt == "-static-libtsan" {
        return None;
    }
    let Some(list) = opt.strip_prefix("-fsanitize=") else {
        return Some(opt.to_string());
    };
    let rest: Vec<&str> = list.split(',').filter(|s| *s != "thread").collect();
    if rest.is_empty() {
        None
    } else {
        Some(format!("-fsanitize={}", rest.join(",")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> CommandLine {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn modes() {
        assert_eq!(p(&["--version"]).mode, Mode::Query);
        assert_eq!(p(&[]).mode, Mode::Query);
        assert_eq!(p(&["-O2"]).mode, Mode::Query);
        assert_eq!(p(&["-print-file-name=libc.so", "x.c"]).mode, Mode::Query);
        assert_eq!(p(&["-c", "x.c"]).mode, Mode::CompileOnly);
        assert_eq!(p(&["x.c", "-E"]).mode, Mode::CompileOnly);
        assert_eq!(
            p(&["x.c", "-o", "x"]).mode,
            Mode::Link(LinkKind::Executable)
        );
        assert_eq!(
            p(&["x.o", "-lpthread"]).mode,
            Mode::Link(LinkKind::Executable)
        );
        assert_eq!(p(&["-shared", "x.o"]).mode, Mode::Link(LinkKind::NoRuntime));
        assert_eq!(p(&["-static", "x.o"]).mode, Mode::Link(LinkKind::Static));
    }

    #[test]
    fn sources_and_inputs() {
        let cl = p(&[
            "-O2",
            "a.c",
            "-o",
            "prog.c.out",
            "b.cpp",
            "c.o",
            "libd.a",
            "-include",
            "e.c",
            "-lm",
        ]);
        let sources: Vec<_> = cl.sources().map(|(s, _)| s).collect();
        assert_eq!(sources, ["a.c", "b.cpp"]);
        assert!(cl.args.contains(&Arg::Input("c.o".into())));
        assert!(cl.args.contains(&Arg::Input("libd.a".into())));
        assert!(
            cl.args
                .contains(&Arg::Opt(vec!["-include".into(), "e.c".into()]))
        );
    }

    #[test]
    fn language_override() {
        let cl = p(&["-x", "c", "prog.txt", "-x", "none", "y.o", "-xc++", "z"]);
        let sources: Vec<_> = cl.sources().collect();
        assert_eq!(sources, [("prog.txt", Some("c")), ("z", Some("c++"))]);
        assert!(cl.args.contains(&Arg::Input("y.o".into())));
    }

    #[test]
    fn suffixes() {
        assert!(is_source_suffix("dir.d/x.c"));
        assert!(is_source_suffix("X.C"));
        assert!(!is_source_suffix("x.c.o"));
        assert!(!is_source_suffix("dir.c/x"));
        assert!(!is_source_suffix(".c"));
    }

    #[test]
    fn tsan_is_dropped_from_links() {
        assert_eq!(without_tsan_at_link("-fsanitize=thread"), None);
        assert_eq!(without_tsan_at_link("-static-libtsan"), None);
        assert_eq!(
            without_tsan_at_link("-fsanitize=undefined,thread").as_deref(),
            Some("-fsanitize=undefined")
        );
        assert_eq!(without_tsan_at_link("-O2").as_deref(), Some("-O2"));
    }
}
