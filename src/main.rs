//! `hbsan`: the command line of the hbsan race detector.

use std::process::ExitCode;

const USAGE: &str = "\
usage: hbsan <command> [args...]

commands:
  cc ARGS...      the C compiler (gcc, or $CC) with hbsan instead of ThreadSanitizer:
                  use it where you would use `gcc -fsanitize=thread`;
                  `hbsan cc --pass=hbsan ARGS...` compiles through clang and hbsan's
                  own instrumentation pass (fewer checks, same verdicts)
  c++ ARGS...     the same for C++ (g++, or $CXX)
  instrument IN.ll [-o OUT.ll] [--volatile] [--verbose] [--disable=LIST]
                  rewrite LLVM IR to call the race hooks (hbsan's own pass; see
                  `hbsan instrument --help`)
  go ARGS...      the Go command (go on PATH, or /usr/lib/go-1.*) with hbsan as the race
                  runtime: `hbsan go test -race ./...`
  cargo ARGS...   cargo with rustc's ThreadSanitizer instrumentation and hbsan as its
                  runtime, on the stable toolchain: `hbsan cargo test`, `hbsan cargo run`
  demo counter [racy|sleep|mutex|atomic|channel]   (none: racy, then fixed)
                  run the Go counter example through the detector
  help            show this message";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("cargo") => hbsan::cargo::main(&args[1..]),
        Some("cc") => hbsan::cc::main(&args[1..], false),
        Some("c++") => hbsan::cc::main(&args[1..], true),
        Some("demo") => hbsan::demo::main(&args[1..]),
        Some("go") => hbsan::go::main(&args[1..]),
        Some("instrument") => hbsan::instrument::main(&args[1..]),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            0
        }
        Some("--version" | "-V") => {
            println!("hbsan {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Some(other) => {
            eprintln!("hbsan: unknown command '{other}'\n{USAGE}");
            2
        }
        None => {
            eprintln!("{USAGE}");
            2
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
