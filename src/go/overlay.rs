//! The GOROOT overlay: a directory that mirrors a real GOROOT with
//! symbolic links, except for the race runtime's directory, which is a
//! copy holding hbsan's race object instead of ThreadSanitizer's.
//!
//! ```text
//! <cache>/<key>/            GOROOT for the go command
//!   .hbsan-goroot           the real GOROOT's path (written last)
//!   api bin doc lib misc pkg test VERSION …  -> <real>/…
//!   src/
//!     archive bufio cmd …   -> <real>/src/…
//!     runtime/
//!       asm_amd64.s cgo …   -> <real>/src/runtime/…
//!       race/               copied; race_linux_amd64.syso is hbsan's
//! ```
//!
//! Only the path down to the race directory is made of real directories,
//! so Go finds every other file where it would in the real GOROOT (the
//! tools in `pkg/tool`, the headers in `pkg/include`, std's sources). Go
//! keys its build cache on file contents, so it rebuilds `runtime/race`,
//! and only that, when the object changes.
//!
//! An overlay is built in a temporary directory beside its final place
//! and renamed into place: concurrent `hbsan go` runs see a complete
//! overlay or none, and the loser of a race to build one uses the
//! winner's.

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::syso;
use super::toolchain::MARKER;

/// Bumped whenever the overlay or the object is made differently, so that
/// older overlays are not used.
pub const RECIPE: u32 = 2;

/// The path from GOROOT to the race runtime's directory.
const RACE_DIR: [&str; 3] = ["src", "runtime", "race"];

/// Overlays unused for this long are removed when a new one is made.
const UNUSED_FOR: Duration = Duration::from_secs(14 * 24 * 3600);

/// Leftovers of interrupted builds older than this are removed.
const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The overlay `cache/key` of `real` with the race object built from
/// `staticlib`, built first if it does not exist.
pub fn ensure(cache: &Path, key: &str, real: &Path, staticlib: &Path) -> Result<PathBuf, String> {
    let dst = cache.join(key);
    let marker = dst.join(MARKER);
    if marker.is_file() {
        // Mark it used, for `prune` (best effort: the cache may be shared
        // read-only).
        let _ = fs::File::options()
            .write(true)
            .open(&marker)
            .and_then(|f| f.set_modified(SystemTime::now()));
        return Ok(dst);
    }
    fs::create_dir_all(cache).map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = TempDir::create(cache.join(format!(".tmp-{key}-{}-{nanos}", std::process::id())))?;
    build(real, tmp.path(), staticlib)?;
    fs::write(tmp.path().join(MARKER), format!("{}\n", real.display()))
        .map_err(|e| format!("cannot write in {}: {e}", tmp.path().display()))?;
    if let Err(e) = fs::rename(tmp.path(), &dst) {
        if !marker.is_file() {
            return Err(format!(
                "cannot move {} to {}: {e}",
                tmp.path().display(),
                dst.display()
            ));
        }
        // Another `hbsan go` got there first: use its overlay.
        return Ok(dst);
    }
    tmp.keep();
    prune(cache, key);
    Ok(dst)
}

/// Makes the overlay of `real` in the empty directory `dst`.
fn build(real: &Path, dst: &Path, staticlib: &Path) -> Result<(), String> {
    let work = dst.join(".work");
    mkdir(&work)?;
    let object = work.join("race.syso");
    syso::build(staticlib, &object, &work)?;
    mirror(real, dst, &RACE_DIR, &object)?;
    fs::remove_dir_all(&work).map_err(|e| format!("cannot remove {}: {e}", work.display()))
}

/// Mirrors directory `real` into `dst`: symbolic links for everything but
/// the entry named by `path[0]`, which is mirrored the same way with
/// `path[1..]` — or, the last one, copied with the race object in it.
fn mirror(real: &Path, dst: &Path, path: &[&str], object: &Path) -> Result<(), String> {
    let mut found = false;
    for entry in read_dir(real)? {
        let name = entry.file_name();
        let (from, to) = (real.join(&name), dst.join(&name));
        if name.to_str() != Some(path[0]) {
            link(&from, &to)?;
        } else if path.len() > 1 {
            mkdir(&to)?;
            mirror(&from, &to, &path[1..], object)?;
            found = true;
        } else {
            mkdir(&to)?;
            let replaced = copy_race_dir(&from, &to, object)?;
            if replaced == 0 {
                return Err(format!(
                    "{} holds no race runtime for linux/{} (this Go release is not supported)",
                    from.display(),
                    goarch()
                ));
            }
            found = true;
        }
    }
    if found {
        Ok(())
    } else {
        Err(format!(
            "{} has no {}: is it a GOROOT?",
            real.display(),
            path[0]
        ))
    }
}

/// Copies the race runtime's directory `from` into `to`, with `object` in
/// place of every race object for this platform (Go 1.19:
/// `race_linux_amd64.syso`; Go 1.21 and later keep one per x86-64 level,
/// `internal/amd64v{1,3}/race_linux.syso`). Other platforms' objects are
/// linked, not copied. Returns how many objects were replaced.
fn copy_race_dir(from: &Path, to: &Path, object: &Path) -> Result<usize, String> {
    let mut replaced = 0;
    for entry in read_dir(from)? {
        let name = entry.file_name();
        let (src, dst) = (from.join(&name), to.join(&name));
        let meta = fs::metadata(&src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        let name = name.to_string_lossy();
        if meta.is_dir() {
            mkdir(&dst)?;
            replaced += copy_race_dir(&src, &dst, object)?;
        } else if is_our_object(&name, from) {
            copy(object, &dst)?;
            replaced += 1;
        } else if name.ends_with(".syso") {
            link(&src, &dst)?;
        } else {
            copy(&src, &dst)?;
        }
    }
    Ok(replaced)
}

/// Whether `name` in directory `dir` is the race object Go links on this
/// platform.
fn is_our_object(name: &str, dir: &Path) -> bool {
    let arch = goarch();
    name == format!("race_linux_{arch}.syso")
        || (name == "race_linux.syso"
            && dir
                .file_name()
                .and_then(|d| d.to_str())
                .is_some_and(|d| d.starts_with(arch)))
}

/// Go's name for the architecture hbsan (and so its runtime) was built for.
fn goarch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// Removes overlays nobody used for [`UNUSED_FOR`] (each holds a copy of
/// the runtime) and abandoned temporary directories. Best effort.
fn prune(cache: &Path, keep: &str) {
    let now = SystemTime::now();
    let age = |p: &Path| {
        fs::symlink_metadata(p)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .unwrap_or_default()
    };
    let Ok(entries) = fs::read_dir(cache) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let path = entry.path();
        let stale = if name.starts_with(".tmp-") {
            age(&path) > ABANDONED_AFTER
        } else if name != keep && name.len() == 16 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
            age(&path.join(MARKER)) > UNUSED_FOR
        } else {
            false
        };
        if stale {
            // remove_dir_all removes symbolic links, never what they
            // point to: the real GOROOT is safe.
            let _ = fs::remove_dir_all(&path);
        }
    }
}

fn read_dir(dir: &Path) -> Result<Vec<fs::DirEntry>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut v: Vec<fs::DirEntry> = entries.flatten().collect();
    v.sort_by_key(|e| e.file_name());
    Ok(v)
}

fn mkdir(p: &Path) -> Result<(), String> {
    fs::create_dir(p).map_err(|e| format!("cannot create {}: {e}", p.display()))
}

fn link(from: &Path, to: &Path) -> Result<(), String> {
    symlink(from, to)
        .map_err(|e| format!("cannot link {} to {}: {e}", to.display(), from.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

/// A directory removed when dropped, unless kept.
struct TempDir(Option<PathBuf>);

impl TempDir {
    fn create(path: PathBuf) -> Result<TempDir, String> {
        match fs::create_dir(&path) {
            Ok(()) => Ok(TempDir(Some(path))),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                Err(format!("{} exists already", path.display()))
            }
            Err(e) => Err(format!("cannot create {}: {e}", path.display())),
        }
    }

    fn path(&self) -> &Path {
        self.0.as_deref().expect("not kept yet")
    }

    /// It was renamed into place: nothing to remove.
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = fs::remove_dir_all(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_objects() {
        if goarch() != "amd64" {
            return;
        }
        let race = Path::new("/g/src/runtime/race");
        assert!(is_our_object("race_linux_amd64.syso", race));
        assert!(!is_our_object("race_linux_arm64.syso", race));
        assert!(!is_our_object("race_darwin_amd64.syso", race));
        assert!(is_our_object(
            "race_linux.syso",
            &race.join("internal/amd64v3")
        ));
        assert!(!is_our_object(
            "race_darwin.syso",
            &race.join("internal/amd64v1")
        ));
    }

    #[test]
    fn mirror_links_all_but_the_race_directory() {
        let t = std::env::temp_dir().join(format!("hbsan-go-overlay-{}", std::process::id()));
        let _ = fs::remove_dir_all(&t);
        let real = t.join("real");
        for d in ["bin", "pkg/tool", "src/fmt", "src/runtime/race/testdata"] {
            fs::create_dir_all(real.join(d)).unwrap();
        }
        for f in [
            "VERSION",
            "src/fmt/print.go",
            "src/runtime/proc.go",
            "src/runtime/race/race.go",
            "src/runtime/race/race_linux_amd64.syso",
            "src/runtime/race/race_darwin_amd64.syso",
            "src/runtime/race/testdata/mop_test.go",
        ] {
            fs::write(real.join(f), f).unwrap();
        }
        let object = t.join("ours.syso");
        fs::write(&object, "hbsan").unwrap();
        let dst = t.join("overlay");
        fs::create_dir(&dst).unwrap();
        mirror(&real, &dst, &RACE_DIR, &object).unwrap();

        let is_link = |p: &str| {
            fs::symlink_metadata(dst.join(p))
                .unwrap()
                .file_type()
                .is_symlink()
        };
        for p in ["VERSION", "bin", "pkg", "src/fmt", "src/runtime/proc.go"] {
            assert!(is_link(p), "{p}");
        }
        for p in [
            "src",
            "src/runtime",
            "src/runtime/race",
            "src/runtime/race/race.go",
        ] {
            assert!(!is_link(p), "{p}");
        }
        let read = |p: &str| fs::read_to_string(dst.join(p)).unwrap();
        assert_eq!(read("src/fmt/print.go"), "src/fmt/print.go");
        assert_eq!(
            read("src/runtime/race/testdata/mop_test.go"),
            "src/runtime/race/testdata/mop_test.go"
        );
        if goarch() == "amd64" {
            assert_eq!(read("src/runtime/race/race_linux_amd64.syso"), "hbsan");
            assert!(is_link("src/runtime/race/race_darwin_amd64.syso"));
        }
        fs::remove_dir_all(&t).unwrap();
    }
}
