//! `hbsan go ARGS…`: the Go toolchain, with hbsan as its race runtime.
//!
//! Go links its race runtime from one relocatable object in GOROOT,
//! `src/runtime/race/race_linux_amd64.syso`. `hbsan go` builds that object
//! from hbsan's runtime ([`syso`]), puts it in a GOROOT overlay that
//! mirrors the real one ([`overlay`]), and runs the real `go` command
//! ([`toolchain`]) with `GOROOT` pointing at the overlay. Everything else
//! is Go's: `hbsan go test -race ./...` is `go test -race ./...` with
//! hbsan finding the races.
//!
//! The overlay is prepared once per runtime and Go toolchain and cached
//! under the user's cache directory ([`cache`]).
//!
//! Linking: hbsan's runtime is Rust with std inside (thread-locals, an
//! `.init_array` entry, ~150 libc imports), which Go's internal linker
//! cannot load, so the `go` command runs with `GO_EXTLINK_ENABLED=1`: Go
//! then links race programs with the C toolchain (gcc), as it does for any
//! cgo program in external link mode.

pub mod cache;
pub mod overlay;
pub mod syso;
pub mod toolchain;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `go ARGS…` with hbsan as the race runtime; returns the exit status
/// when `go` could not be started (otherwise the process becomes `go`).
pub fn main(args: &[String]) -> i32 {
    let Some(go) = toolchain::find_go() else {
        eprintln!(
            "hbsan go: no Go toolchain found (no `go` on PATH, none in /usr/lib/go-1.*/bin \
             or /usr/local/go/bin); install one, e.g. `apt install golang-go`"
        );
        return 2;
    };
    let prepared = match prepare(&go) {
        Ok(g) => g,
        Err(msg) => {
            eprintln!("hbsan go: {msg}");
            return 2;
        }
    };
    let err = command(&go, &prepared, args).exec();
    eprintln!("hbsan go: cannot run {}: {err}", go.display());
    2
}

/// A GOROOT overlay for the toolchain whose `go` command is `go`, with the
/// runtime this `hbsan` uses, ready to use.
pub struct Prepared {
    /// The overlay (the value of `GOROOT`).
    pub overlay: PathBuf,
    /// The toolchain's own GOROOT.
    pub real: PathBuf,
}

/// Finds the runtime and the toolchain's GOROOT and makes sure the overlay
/// for them exists.
pub fn prepare(go: &Path) -> Result<Prepared, String> {
    let toolchain = toolchain::describe(go)?;
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the hbsan executable: {e}"))?;
    let staticlib = crate::cc::libhbsan::runtime_staticlib(&exe)?;
    let runtime_hash = cache::hash_file(&staticlib)
        .map_err(|e| format!("cannot read {}: {e}", staticlib.display()))?;
    let key = cache::key(&[
        &overlay::RECIPE.to_le_bytes(),
        env!("CARGO_PKG_VERSION").as_bytes(),
        &runtime_hash.to_le_bytes(),
        toolchain.goroot.as_os_str().as_encoded_bytes(),
        toolchain.version.as_bytes(),
    ]);
    let overlay = overlay::ensure(&cache::dir()?, &key, &toolchain.goroot, &staticlib)?;
    Ok(Prepared {
        overlay,
        real: toolchain.goroot,
    })
}

/// The `go` command line: `go ARGS…` in the caller's environment, but
/// with `GOROOT` at the overlay and external linking.
fn command(go: &Path, prepared: &Prepared, args: &[String]) -> Command {
    let mut cmd = Command::new(go);
    cmd.args(args)
        .env("GOROOT", &prepared.overlay)
        // Go's internal linker cannot load a race object that uses
        // thread-locals and `.init_array` (Rust's std does): let the C
        // toolchain link. Go reads this when it picks the link mode.
        .env("GO_EXTLINK_ENABLED", "1");
    // Binaries name their GOROOT files (stack traces, race reports,
    // runtime.GOROOT()) after the real GOROOT, not the cache directory.
    if std::env::var_os("GOROOT_FINAL").is_none() {
        cmd.env("GOROOT_FINAL", &prepared.real);
    }
    cmd
}
