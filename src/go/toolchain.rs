//! Finding the Go toolchain and its GOROOT.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The file an overlay GOROOT holds at its top: the real GOROOT's path.
/// `hbsan go` run under another `hbsan go` (a test that runs `go`) sees the
/// overlay as GOROOT and goes back to the real one.
pub const MARKER: &str = ".hbsan-goroot";

/// The `go` command: the first `go` on `PATH`, else the newest
/// `/usr/lib/go-1.N/bin/go` (Debian's `golang-1.N-go`), else
/// `/usr/local/go/bin/go` (Go's own tarball).
pub fn find_go() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_go_in(&path, Path::new("/usr/lib"), Path::new("/usr/local/go"))
}

fn find_go_in(path: &std::ffi::OsStr, lib: &Path, local: &Path) -> Option<PathBuf> {
    std::env::split_paths(path)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join("go"))
        .chain(debian_gos(lib))
        .chain(std::iter::once(local.join("bin/go")))
        .find(|p| is_executable(p))
}

/// `lib/go-1.N/bin/go`, newest (highest N) first.
fn debian_gos(lib: &Path) -> Vec<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(lib)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let minor = name.to_str()?.strip_prefix("go-1.")?.parse().ok()?;
            Some((minor, e.path().join("bin/go")))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0));
    found.into_iter().map(|(_, p)| p).collect()
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What `hbsan go` needs to know about a toolchain.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// Its own GOROOT (never an hbsan overlay).
    pub goroot: PathBuf,
    /// `go1.19.8` and the like.
    pub version: String,
}

/// Asks `go` for its GOROOT and version (`go env GOROOT GOVERSION`, in the
/// caller's environment: a `GOROOT` the user set is honoured).
pub fn describe(go: &Path) -> Result<Toolchain, String> {
    let out = Command::new(go)
        .args(["env", "GOROOT", "GOVERSION"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", go.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    let (Some(goroot), Some(version)) = (lines.next(), lines.next()) else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "`{} env GOROOT GOVERSION` failed ({}): {}",
            go.display(),
            out.status,
            stderr.lines().next().unwrap_or("")
        ));
    };
    if !out.status.success() || goroot.is_empty() {
        return Err(format!(
            "`{} env GOROOT` names no GOROOT ({})",
            go.display(),
            out.status
        ));
    }
    let mut goroot = PathBuf::from(goroot);
    if let Ok(real) = std::fs::read_to_string(goroot.join(MARKER)) {
        goroot = PathBuf::from(real.trim_end_matches('\n'));
    }
    Ok(Toolchain {
        goroot,
        version: version.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn fake_go(p: &Path) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn search_order() {
        let t = std::env::temp_dir().join(format!("hbsan-go-find-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&t);
        let (bin, lib, local) = (t.join("bin"), t.join("lib"), t.join("local"));
        std::fs::create_dir_all(&bin).unwrap();
        let path = bin.as_os_str().to_owned();
        assert_eq!(find_go_in(&path, &lib, &local), None);
        fake_go(&local.join("bin/go"));
        assert_eq!(find_go_in(&path, &lib, &local), Some(local.join("bin/go")));
        fake_go(&lib.join("go-1.9/bin/go"));
        fake_go(&lib.join("go-1.19/bin/go"));
        std::fs::create_dir_all(lib.join("go-1.21/bin")).unwrap(); // no go inside
        assert_eq!(
            find_go_in(&path, &lib, &local),
            Some(lib.join("go-1.19/bin/go"))
        );
        fake_go(&bin.join("go"));
        assert_eq!(find_go_in(&path, &lib, &local), Some(bin.join("go")));
        std::fs::remove_dir_all(&t).unwrap();
    }
}
