//! The race object Go links: hbsan's runtime staticlib as one relocatable
//! object whose only global definitions are the `__tsan_*` hooks.
//!
//! The staticlib holds the detector and the parts of Rust's std it uses.
//! Linked into a Go program (next to the C libraries cgo brings), only
//! the hooks may be visible: everything else becomes local to the object,
//! so nothing in it can clash with, or be preempted by, another definition.

use std::path::Path;
use std::process::Command;

/// Builds the race object at `out` from `staticlib`, with scratch files in
/// `work`.
pub fn build(staticlib: &Path, out: &Path, work: &Path) -> Result<(), String> {
    let merged = work.join("hbsan_rt.o");
    let plain = work.join("hbsan_rt.plain.o");
    let live = work.join("hbsan_rt.live.o");
    // 1. Every member of the archive, in one object.
    run(Command::new("ld")
        .arg("-r")
        .arg("--whole-archive")
        .arg(staticlib)
        .arg("--no-whole-archive")
        .arg("-o")
        .arg(&merged))?;
    // 2. Without the LLVM bitcode rustc may embed (which also trips `nm`)
    //    and the debug information: Go symbolizes reports through its own
    //    callback, and they would quadruple the object.
    run(Command::new("objcopy")
        .args([
            "--remove-section=.llvmbc",
            "--remove-section=.llvmcmd",
            "--strip-debug",
        ])
        .arg(&merged)
        .arg(&plain))?;
    // 3. Only what the hooks reach: a third of the code and a quarter of
    //    the sections, which makes every link of a race program faster.
    let hooks = hooks(&plain)?;
    run(Command::new("ld")
        .args(["-r", "--gc-sections"])
        .args(hooks.iter().flat_map(|h| ["-u", h.as_str()]))
        .arg(&plain)
        .arg("-o")
        .arg(&live))?;
    // 4. Only the hooks stay global.
    run(Command::new("objcopy")
        .args(["--wildcard", "--keep-global-symbol=__tsan_*"])
        .arg(&live)
        .arg(out))?;
    Ok(())
}

/// The `__tsan_*` functions and variables `object` defines.
fn hooks(object: &Path) -> Result<Vec<String>, String> {
    let listing = run(Command::new("nm")
        .args(["-g", "--defined-only", "--format=posix"])
        .arg(object))?;
    let mut names: Vec<String> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with("__tsan_"))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Err(format!(
            "{} defines no __tsan_* hook: not hbsan's runtime",
            object.display()
        ));
    }
    Ok(names)
}

/// Runs a binutils command: its stdout, or a one-line error naming it.
fn run(cmd: &mut Command) -> Result<String, String> {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().map_err(|e| {
        format!("cannot run `{name}` to build the Go race object: {e} (binutils must be installed)")
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!(
            "building the Go race object: `{name}` failed ({}): {first}",
            out.status
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
