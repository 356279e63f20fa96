//! The C compiler `hbsan cc` drives, and running it.

use std::process::Command;

/// Set in the environment of every compiler `hbsan cc` runs. A `hbsan cc`
/// that finds it set was started by a compiler it started (`CC="hbsan cc"`
/// exported to a build that runs `$CC`, a wrapper script…): it ignores
/// `CC`/`CXX` instead of starting itself again, forever.
const NESTED_ENV: &str = "HBSAN_CC_NESTED";

/// A compiler command: the program and the arguments `CC`/`CXX` put
/// before the command line's own (`CC="ccache gcc"`, `CC="clang -m64"`).
#[derive(Debug, Clone)]
pub struct Compiler {
    words: Vec<String>,
    /// Whether `CC`/`CXX` chose it.
    from_env: bool,
}

impl Compiler {
    /// The compiler `words` (program, then arguments it always gets).
    pub fn new(words: Vec<String>) -> Compiler {
        assert!(!words.is_empty(), "a compiler command has a program");
        Compiler {
            words,
            from_env: false,
        }
    }

    /// Whether `CC`/`CXX` named this compiler.
    pub fn is_from_env(&self) -> bool {
        self.from_env
    }

    /// The program's file name (`clang-19` for `/usr/bin/clang-19 -m64`).
    pub fn program_name(&self) -> &str {
        self.words[0].rsplit('/').next().unwrap_or(&self.words[0])
    }

    /// `CXX` (else `g++`) for C++, `CC` (else `gcc`) for C.
    pub fn from_env(cxx: bool) -> Compiler {
        let (var, default) = if cxx { ("CXX", "g++") } else { ("CC", "gcc") };
        let chosen = if std::env::var_os(NESTED_ENV).is_some() {
            None
        } else {
            std::env::var(var).ok()
        };
        let words: Vec<String> = chosen
            .as_deref()
            .unwrap_or(default)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if words.is_empty() {
            Compiler::new(vec![default.to_string()])
        } else {
            Compiler {
                words,
                from_env: chosen.is_some(),
            }
        }
    }

    /// Runs the compiler with `args` (standard streams inherited); returns
    /// its exit status, the way a shell reports it.
    pub fn run(&self, args: &[String]) -> i32 {
        let mut cmd = Command::new(&self.words[0]);
        cmd.args(&self.words[1..]).args(args).env(NESTED_ENV, "1");
        match cmd.status() {
            Ok(status) => exit_code(status),
            Err(e) => {
                eprintln!("hbsan: cannot run `{}`: {e}", self.words[0]);
                127
            }
        }
    }
}

/// A child's exit status as a shell reports it: its code, or 128 + the
/// signal that killed it.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => 1,
    }
}
