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
    // 1. Every member of the archive, in one object.
    run(Command::new("ld")
        .arg("-r")
        .arg("--whole-archive")
        .arg(staticlib)
        .arg("--no-whole-archive")
        .arg("-o")
        .arg(&merged))?;
    // 2. Only the hooks stay global. The LLVM bitcode rustc may embed and
    //    the debug information are of no use to Go (reports are
    //    symbolized through Go's own callback) and would quadruple the
    //    object.
    run(Command::new("objcopy")
        .args([
            "--wildcard",
            "--keep-global-symbol=__tsan_*",
            "--remove-section=.llvmbc",
            "--remove-section=.llvmcmd",
            "--strip-debug",
        ])
        .arg(&merged)
        .arg(out))?;
    Ok(())
}

/// Runs a binutils command; a one-line error naming it when it fails.
fn run(cmd: &mut Command) -> Result<(), String> {
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
    Ok(())
}
