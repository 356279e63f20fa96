//! `hbsan cargo ARGS…`: cargo, with rustc's ThreadSanitizer instrumentation
//! switched on and hbsan as the runtime — on the stable toolchain.
//!
//! For the subcommands that build (`build`, `test`, `run`, `bench`,
//! `check`, `rustc`, `doc`, `clippy`, `install` and their aliases), cargo
//! runs with
//! - `RUSTC_BOOTSTRAP=1`, which lets stable rustc take the `-Z` flags;
//! - the instrumentation flags ([`flags`]) after the user's own flags,
//!   wherever cargo takes those from ([`config`]: `RUSTFLAGS` and
//!   `RUSTDOCFLAGS`, or the config's `rustflags`): the sanitizer,
//!   permission to link the precompiled uninstrumented std, no bundled
//!   runtime, and the link of `libhbsan.a` (the runtime and the
//!   interceptors, see [`crate::cc::libhbsan`]) and of the std glue
//!   ([`glue`]);
//! - `--target HOST` unless the command line names a target: the flags
//!   then apply to the target's crates only, and build scripts and
//!   proc-macros are built and run normally;
//! - `CARGO_TARGET_DIR` set to `hbsan/` inside the project's target
//!   directory ([`target_dir`]), which keeps instrumented and normal builds
//!   apart;
//! - line tables and function names in the `release` and `bench` profiles
//!   (`CARGO_PROFILE_{RELEASE,BENCH}_DEBUG=limited`, unless set in
//!   the environment), so that reports name functions and lines there too;
//! - no cross-crate link-time optimization (`CARGO_PROFILE_*_LTO=false`):
//!   it would merge std into the program and hide the functions the glue
//!   wraps.
//!
//! Other subcommands (`clean`, `tree`, …) run with only `CARGO_TARGET_DIR`
//! set (`hbsan cargo clean` cleans the instrumented builds).
//!
//! std is precompiled without instrumentation: what it does inside its own
//! object code is invisible. The code std inlines or instantiates into the
//! program (generic and `#[inline]` functions: lock fast paths, unlocks,
//! `Arc`, channels, atomics) is instrumented; the rest of std's
//! synchronization is supplied by hooks on the std functions the program
//! calls (`shim-c/src/rust.c`), and the interceptors stop reporting the
//! memory std hands to `memcpy`, `read`… (its locks being invisible).

pub mod args;
pub mod config;
pub mod flags;
pub mod glue;
pub mod symbols;
pub mod target_dir;
pub mod toolchain;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use args::CargoArgs;

/// The cargo command (`$CARGO` is cargo's variable for its own children,
/// which `hbsan cargo` may well be one of: the `cargo` on `PATH` is what a
/// user means).
const CARGO: &str = "cargo";

/// Runs `cargo ARGS…` instrumented; returns an exit status only when cargo
/// could not be started (otherwise the process becomes cargo).
pub fn main(args: &[String]) -> i32 {
    let cl = CargoArgs::parse(args);
    let mut cmd = Command::new(CARGO);
    match prepare(&cl, &mut cmd) {
        Ok(()) => {}
        Err(msg) => {
            eprintln!("hbsan cargo: {msg}");
            return 2;
        }
    }
    let err = cmd.exec();
    if err.kind() == std::io::ErrorKind::NotFound {
        eprintln!("hbsan cargo: cannot run cargo: not found on PATH (install Rust with rustup)");
    } else {
        eprintln!("hbsan cargo: cannot run cargo: {err}");
    }
    2
}

/// Fills in the cargo command for `cl`.
fn prepare(cl: &CargoArgs, cmd: &mut Command) -> Result<(), String> {
    if !cargo_exists() {
        return Err("cannot run cargo: not found on PATH (install Rust with rustup)".into());
    }
    if let Some(dir) =
        target_dir::project_target_dir(CARGO, cl.toolchain.as_deref(), cl.manifest_path.as_deref())
    {
        cmd.env("CARGO_TARGET_DIR", dir.join("hbsan"));
    }
    if !cl.builds() {
        cmd.args(&cl.args);
        return Ok(());
    }
    let supported = toolchain::supported_target();
    if let Some(other) = cl.targets.iter().find(|t| **t != supported) {
        return Err(format!(
            "target {other} is not supported: hbsan's runtime serves {supported} only"
        ));
    }
    let tc = toolchain::describe(cl.toolchain.as_deref())?;
    if tc.host != supported {
        return Err(format!(
            "rustc's host is {}, not {supported}: hbsan cargo instruments {supported} only",
            tc.host
        ));
    }
    if tc.version().is_none_or(|v| v < MIN_RUSTC) {
        return Err(format!(
            "rustc {} is too old: hbsan cargo needs {}.{} or newer",
            tc.release, MIN_RUSTC.0, MIN_RUSTC.1
        ));
    }
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the hbsan executable: {e}"))?;
    let runtime = crate::cc::libhbsan::ensure(&exe)?;
    let std_rlib = tc.std_rlib(&supported)?;
    let (glue, plan) = glue::ensure(&std_rlib, &cache_dir()?)?;
    for path in &plan.missing {
        eprintln!("hbsan cargo: warning: this std has no {path}; its synchronization is not seen");
    }
    let link = flags::Link {
        runtime: runtime.link_args(),
        glue: glue.display().to_string(),
        wraps: plan.wrap_options(),
        stamp: runtime_key(&runtime.archive, &glue),
    };
    let lld_default = std::env::consts::ARCH == "x86_64" && tc.version() >= Some((1, 90));
    let ours = flags::instrumentation(&link, lld_default);
    let configs = place_flags(cl, &ours, &supported, cmd);
    set_profiles(cmd);
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .args(cl.with_options(&supported, &configs));
    Ok(())
}

/// Puts our flags after the user's, wherever cargo takes those from (see
/// [`config`]): into `cmd`'s environment, or into the `--config` options
/// returned.
fn place_flags(cl: &CargoArgs, ours: &[String], target: &str, cmd: &mut Command) -> Vec<String> {
    let target_table = config::target_table(CARGO, cl.toolchain.as_deref());
    let mut configs = Vec::new();
    for (key, encoded, plain) in [
        ("rustflags", "CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS"),
        ("rustdocflags", "CARGO_ENCODED_RUSTDOCFLAGS", "RUSTDOCFLAGS"),
    ] {
        let encoded_value = std::env::var(encoded).ok();
        let plain_value = std::env::var(plain).ok();
        let from_env = encoded_value.is_some() || plain_value.is_some();
        match config::placement(key, from_env, target_table.as_deref(), target) {
            config::Placement::Env => {
                let mut all = flags::existing(encoded_value.as_deref(), plain_value.as_deref());
                all.extend(ours.iter().cloned());
                cmd.env(encoded, flags::encode(&all));
            }
            config::Placement::Config(key) => configs.push(config::config_array(&key, ours)),
        }
    }
    configs
}

/// The profile settings an instrumented build needs.
fn set_profiles(cmd: &mut Command) {
    // Reports name functions and lines only with debug info (`limited`:
    // line tables and function names, which inlined frames need): optimized
    // profiles get them unless the user decides in the environment.
    for profile in ["RELEASE", "BENCH"] {
        let var = format!("CARGO_PROFILE_{profile}_DEBUG");
        if std::env::var_os(&var).is_none() {
            cmd.env(var, "limited");
        }
    }
    // Link-time optimization across crates pulls std's code into the
    // program's and internalizes the functions the glue wraps: off in the
    // built-in profiles (a custom profile inherits it from one of them
    // unless it sets `lto` itself).
    for profile in ["DEV", "TEST", "RELEASE", "BENCH"] {
        cmd.env(format!("CARGO_PROFILE_{profile}_LTO"), "false");
    }
}

/// The oldest rustc `hbsan cargo` knows the flags of
/// (`-Cunsafe-allow-abi-mismatch`, `-Clinker-features`).
const MIN_RUSTC: (u32, u32) = (1, 90);

/// A key that changes whenever the runtime archive or the glue does: the
/// archive's stamp (its inputs) and the glue's path (its content's hash).
fn runtime_key(archive: &Path, glue: &Path) -> String {
    let mut stamp = archive.as_os_str().to_owned();
    stamp.push(".stamp");
    let inputs = std::fs::read(&stamp).unwrap_or_default();
    crate::go::cache::key(&[&inputs, glue.as_os_str().as_encoded_bytes()])
}

/// Whether `cargo` is on `PATH`.
fn cargo_exists() -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|d| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(d.join(CARGO))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// `$XDG_CACHE_HOME/hbsan/cargo`, or `~/.cache/hbsan/cargo`: the std glue.
fn cache_dir() -> Result<PathBuf, String> {
    crate::user_cache::dir("cargo", "the std glue")
}
