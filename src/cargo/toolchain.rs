//! The Rust toolchain cargo will use: its host, release, sysroot and the
//! precompiled std of a target.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What `hbsan cargo` needs to know about rustc.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The host triple (`rustc -vV`'s `host:`).
    pub host: String,
    /// The release (`1.95.0`, `1.97.0-nightly`).
    pub release: String,
    /// `rustc --print sysroot`.
    pub sysroot: PathBuf,
}

/// The targets hbsan's runtime can serve: this `hbsan`'s own architecture,
/// glibc Linux (the runtime is linked into the program and finds libc's
/// functions with dlsym).
pub fn supported_target() -> String {
    format!("{}-unknown-linux-gnu", std::env::consts::ARCH)
}

/// The `rustc` cargo runs: `$RUSTC`, else `rustc` (with rustup's
/// `+toolchain` when the cargo command line has one).
pub fn rustc_command(toolchain: Option<&str>) -> Command {
    match std::env::var_os("RUSTC").filter(|v| !v.is_empty()) {
        Some(rustc) => Command::new(rustc),
        None => {
            let mut cmd = Command::new("rustc");
            cmd.args(toolchain);
            cmd
        }
    }
}

/// Asks rustc for its host, release and sysroot.
pub fn describe(toolchain: Option<&str>) -> Result<Toolchain, String> {
    let verbose = run(rustc_command(toolchain).arg("-vV"))?;
    let field = |name: &str| {
        verbose
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .ok_or_else(|| format!("`rustc -vV` printed no `{name}` line"))
    };
    let host = field("host:")?;
    let release = field("release:")?;
    let sysroot = run(rustc_command(toolchain).args(["--print", "sysroot"]))?;
    Ok(Toolchain {
        host,
        release,
        sysroot: PathBuf::from(sysroot.trim()),
    })
}

impl Toolchain {
    /// `(major, minor)` of the release.
    pub fn version(&self) -> Option<(u32, u32)> {
        let mut parts = self.release.split(['.', '-']);
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some((major, minor))
    }

    /// The precompiled std of `target`: `lib/rustlib/TARGET/lib/libstd-*.rlib`
    /// in the sysroot.
    pub fn std_rlib(&self, target: &str) -> Result<PathBuf, String> {
        let dir = self.sysroot.join("lib/rustlib").join(target).join("lib");
        find_std_rlib(&dir).ok_or_else(|| {
            format!(
                "no std for {target} in {} (rustup target add {target})",
                dir.display()
            )
        })
    }
}

fn find_std_rlib(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libstd-") && n.ends_with(".rlib"))
        })
        .collect();
    found.sort();
    found.pop()
}

/// Runs a rustc query; its stdout, or a one-line error.
fn run(cmd: &mut Command) -> Result<String, String> {
    let shown = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!("`{shown}` failed ({}): {first}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let t = |release: &str| Toolchain {
            host: String::new(),
            release: release.into(),
            sysroot: PathBuf::new(),
        };
        assert_eq!(t("1.95.0").version(), Some((1, 95)));
        assert_eq!(t("1.97.0-nightly").version(), Some((1, 97)));
        assert_eq!(t("garbage").version(), None);
    }

    #[test]
    fn the_supported_target_is_this_architecture_on_glibc() {
        assert!(supported_target().ends_with("-unknown-linux-gnu"));
        assert!(supported_target().starts_with(std::env::consts::ARCH));
    }
}
