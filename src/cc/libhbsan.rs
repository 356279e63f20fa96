//! `libhbsan.a`: what `hbsan cc` links into every program — the runtime
//! and the interceptors — assembled on first use from
//! - the runtime's staticlib `libhbsan_rt.a` (cargo builds it beside the
//!   `hbsan` binary, or in its `deps/` directory), and
//! - the interceptors of `shim-c/`, compiled by build.rs and embedded in
//!   this binary.
//!
//! The staticlib holds Rust's std as well as the detector. Linked as is, a
//! Rust program instrumented with `-Zsanitizer=thread` would see two
//! copies of std's symbols. So the staticlib becomes one relocatable
//! object (`ld -r --whole-archive`) in which only `__tsan_*` and `__hbsan_*`
//! stay global (`objcopy`); everything else becomes local to it.
//!
//! Next to the archive: `libhbsan.dynlist`, the symbols the executable
//! must export (the interceptors and the hooks, so that shared objects and
//! dlopen'ed instrumented code reach them too), and `libhbsan.a.stamp`,
//! which names the inputs the archive was built from: a different runtime
//! or shim means a rebuild. Each file is written under a temporary name
//! and renamed into place, so concurrent `hbsan cc` runs only ever see
//! complete files.

use std::ffi::OsStr;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// The interceptors' archive, as build.rs compiled it.
const SHIM_ARCHIVE: &[u8] = include_bytes!(env!("HBSAN_SHIM_ARCHIVE"));

/// Bumped whenever the way the archive is assembled changes, so that old
/// archives are rebuilt.
const RECIPE: u32 = 1;

/// Overrides the runtime staticlib (a path to a `.a` implementing
/// `shim-c/include/hbsan_rt.h` and the `__tsan_*` hooks); the archive is
/// then built beside it.
pub const RUNTIME_ENV: &str = "HBSAN_RT_LIB";

/// The files a link needs.
#[derive(Debug, Clone)]
pub struct Runtime {
    /// `libhbsan.a`.
    pub archive: PathBuf,
    /// The `--dynamic-list` file of the symbols to export.
    pub dynamic_list: PathBuf,
}

impl Runtime {
    /// The arguments that link the runtime into an executable (after the
    /// program's own arguments).
    pub fn link_args(&self) -> Vec<String> {
        vec![
            "-Wl,--whole-archive".into(),
            self.archive.display().to_string(),
            "-Wl,--no-whole-archive".into(),
            format!("-Wl,--dynamic-list={}", self.dynamic_list.display()),
            "-lpthread".into(),
            "-ldl".into(),
            "-lm".into(),
        ]
    }
}

/// The runtime staticlib that `hbsan` at `exe` would use: `$HBSAN_RT_LIB`,
/// else the newest (by mtime) of `libhbsan_rt.a` and `deps/libhbsan_rt-*.a`
/// in the executable's directory.
pub fn runtime_staticlib(exe: &Path) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(RUNTIME_ENV) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("{RUNTIME_ENV}={} is not a file", path.display()))
        };
    }
    let dir = exe.parent().unwrap_or(Path::new("."));
    let mut candidates = vec![dir.join("libhbsan_rt.a")];
    if let Ok(entries) = fs::read_dir(dir.join("deps")) {
        candidates.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| is_deps_staticlib(p)),
        );
    }
    candidates
        .into_iter()
        .filter_map(|p| Some((fs::metadata(&p).ok()?.modified().ok()?, p)))
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, p)| p)
        .ok_or_else(|| {
            format!(
                "cannot find the hbsan runtime (libhbsan_rt.a) in {0} or {0}/deps; \
                 build the runtime first: cargo build --release",
                dir.display()
            )
        })
}

/// `deps/libhbsan_rt-<hash>.a`, cargo's name for the staticlib built as a
/// dependency.
fn is_deps_staticlib(path: &Path) -> bool {
    path.file_name()
        .and_then(OsStr::to_str)
        .is_some_and(|n| n.starts_with("libhbsan_rt-") && n.ends_with(".a"))
}

/// The runtime for the `hbsan` executable at `exe`: `libhbsan.a` beside
/// it (beside `$HBSAN_RT_LIB` when set; in the user's cache directory when
/// that directory is not writable), built or rebuilt first if needed.
pub fn ensure(exe: &Path) -> Result<Runtime, String> {
    let staticlib = runtime_staticlib(exe)?;
    let home = if std::env::var_os(RUNTIME_ENV).is_some() {
        staticlib.parent().unwrap_or(Path::new(".")).to_path_buf()
    } else {
        exe.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    let stamp = stamp_text(&staticlib)?;
    match ensure_in(&home, &staticlib, &stamp) {
        Err(BuildError::NotWritable) => {
            let cache = cache_dir(&home)?;
            fs::create_dir_all(&cache).map_err(|e| {
                format!("cannot create the cache directory {}: {e}", cache.display())
            })?;
            match ensure_in(&cache, &staticlib, &stamp) {
                Ok(rt) => Ok(rt),
                Err(BuildError::NotWritable) => Err(format!(
                    "cannot write libhbsan.a in {} or {}",
                    home.display(),
                    cache.display()
                )),
                Err(BuildError::Failed(msg)) => Err(msg),
            }
        }
        Err(BuildError::Failed(msg)) => Err(msg),
        Ok(rt) => Ok(rt),
    }
}

enum BuildError {
    /// The directory refuses new files: try the cache directory.
    NotWritable,
    /// A clear one-line message.
    Failed(String),
}

impl From<String> for BuildError {
    fn from(msg: String) -> Self {
        BuildError::Failed(msg)
    }
}

/// What the archive depends on, one line each.
fn stamp_text(staticlib: &Path) -> Result<String, String> {
    let meta =
        fs::metadata(staticlib).map_err(|e| format!("cannot read {}: {e}", staticlib.display()))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let canonical = fs::canonicalize(staticlib).unwrap_or_else(|_| staticlib.to_path_buf());
    Ok(format!(
        "recipe {RECIPE}\nruntime {} {} {modified}\nshim {} {:016x}\n",
        canonical.display(),
        meta.len(),
        SHIM_ARCHIVE.len(),
        fnv1a(SHIM_ARCHIVE)
    ))
}

/// 64-bit FNV-1a: enough to tell two shim archives apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `$XDG_CACHE_HOME/hbsan/<key>` (or `~/.cache/…`), one per directory the
/// archive would have lived in.
fn cache_dir(home: &Path) -> Result<PathBuf, String> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .ok_or("neither XDG_CACHE_HOME nor HOME is set (no cache directory)")?;
    let key = fnv1a(home.as_os_str().as_encoded_bytes());
    Ok(base.join("hbsan").join(format!("{key:016x}")))
}

/// Makes sure `dir` holds an archive built from the inputs `stamp` names.
fn ensure_in(dir: &Path, staticlib: &Path, stamp: &str) -> Result<Runtime, BuildError> {
    let rt = Runtime {
        archive: dir.join("libhbsan.a"),
        dynamic_list: dir.join("libhbsan.dynlist"),
    };
    let stamp_path = dir.join("libhbsan.a.stamp");
    let fresh = fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp)
        && rt.archive.is_file()
        && rt.dynamic_list.is_file();
    if fresh {
        return Ok(rt);
    }
    let work = TempDir::create_in(dir)?;
    build(work.path(), staticlib)?;
    // The archive and the list first, the stamp last: a stamp always
    // describes files that are already in place.
    rename(&work.path().join("libhbsan.a"), &rt.archive)?;
    rename(&work.path().join("libhbsan.dynlist"), &rt.dynamic_list)?;
    let stamp_tmp = work.path().join("stamp");
    fs::write(&stamp_tmp, stamp)
        .map_err(|e| format!("cannot write {}: {e}", stamp_tmp.display()))?;
    rename(&stamp_tmp, &stamp_path)?;
    Ok(rt)
}

fn rename(from: &Path, to: &Path) -> Result<(), String> {
    fs::rename(from, to)
        .map_err(|e| format!("cannot move {} to {}: {e}", from.display(), to.display()))
}

/// Builds `libhbsan.a` and `libhbsan.dynlist` inside `work`.
fn build(work: &Path, staticlib: &Path) -> Result<(), String> {
    // 1. The staticlib as one relocatable object.
    tool(
        Command::new("ld")
            .args(["-r", "--whole-archive"])
            .arg(staticlib)
            .args(["--no-whole-archive", "-o", "rt.o"])
            .current_dir(work),
    )?;
    // 2. Only the hooks stay global; the LLVM bitcode rustc may embed is
    //    dead weight for a C link.
    tool(
        Command::new("objcopy")
            .args([
                "--wildcard",
                "--keep-global-symbol=__tsan_*",
                "--keep-global-symbol=__hbsan_*",
                "--remove-section=.llvmbc",
                "--remove-section=.llvmcmd",
                "rt.o",
            ])
            .current_dir(work),
    )?;
    // 3. The interceptors' objects, out of the embedded archive.
    let shim = work.join("shim.a");
    fs::write(&shim, SHIM_ARCHIVE).map_err(|e| format!("cannot write {}: {e}", shim.display()))?;
    let members = tool(Command::new("ar").args(["t", "shim.a"]).current_dir(work))?;
    let members: Vec<&str> = members.lines().filter(|m| !m.is_empty()).collect();
    if members.is_empty() {
        return Err("the embedded interceptor archive is empty".into());
    }
    tool(Command::new("ar").args(["x", "shim.a"]).current_dir(work))?;
    // 4. Together.
    tool(
        Command::new("ar")
            .args(["rcs", "libhbsan.a", "rt.o"])
            .args(&members)
            .current_dir(work),
    )?;
    // 5. What the executable exports.
    let symbols = tool(
        Command::new("nm")
            .args(["-g", "--defined-only", "--format=posix", "libhbsan.a"])
            .current_dir(work),
    )?;
    let list = dynamic_list(&symbols);
    let list_path = work.join("libhbsan.dynlist");
    fs::write(&list_path, list).map_err(|e| format!("cannot write {}: {e}", list_path.display()))
}

/// The `--dynamic-list` script for the global symbols `nm --format=posix`
/// printed (lines `name type value size`; archive member headers end in
/// `:`). The shim's internal helpers (`hbsan_*`) and the compiler's
/// `DW.ref.*` personality pointers are hidden anyway: left out.
fn dynamic_list(nm_posix: &str) -> String {
    let mut names: Vec<&str> = nm_posix
        .lines()
        .filter(|l| !l.ends_with(':'))
        .filter_map(|l| {
            let mut fields = l.split_whitespace();
            let name = fields.next()?;
            let kind = fields.next()?;
            let internal = name.starts_with("hbsan_") || name.starts_with("DW.ref.");
            (kind.len() == 1 && !internal).then_some(name)
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out = String::from("{\n");
    for name in names {
        out.push_str("  ");
        out.push_str(name);
        out.push_str(";\n");
    }
    out.push_str("};\n");
    out
}

/// Runs a binutils command; its stdout, or a one-line error naming it.
fn tool(cmd: &mut Command) -> Result<String, String> {
    let shown = format!(
        "{} {}",
        cmd.get_program().to_string_lossy(),
        cmd.get_args()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let out = cmd.output().map_err(|e| {
        format!(
            "cannot run `{}` to build libhbsan.a: {e} (binutils must be installed)",
            cmd.get_program().to_string_lossy()
        )
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!(
            "building libhbsan.a: `{shown}` failed ({}): {first}",
            out.status
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A private directory inside the archive's directory (same filesystem,
/// so renames out of it are atomic); removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn create_in(dir: &Path) -> Result<TempDir, BuildError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = dir.join(format!(".libhbsan-{}-{nanos}.tmp", std::process::id()));
        match fs::create_dir(&path) {
            Ok(()) => Ok(TempDir(path)),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                Err(BuildError::NotWritable)
            }
            Err(e) => Err(BuildError::Failed(format!(
                "cannot create {}: {e}",
                path.display()
            ))),
        }
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_list_keeps_global_names() {
        let nm = "libhbsan.a[rt.o]:\n__tsan_read4 T 10 5\n__hbsan_malloc T 20 8\n\
                  libhbsan.a[x-memory.o]:\nmalloc T 0 40\nhbsan_quiet B 0 4\nmalloc T 0 40\n\
                  DW.ref.__gcc_personality_v0 V 0 8\n";
        assert_eq!(
            dynamic_list(nm),
            "{\n  __hbsan_malloc;\n  __tsan_read4;\n  malloc;\n};\n"
        );
    }

    #[test]
    fn shim_is_embedded() {
        assert!(SHIM_ARCHIVE.starts_with(b"!<arch>\n"));
    }

    #[test]
    fn deps_names() {
        assert!(is_deps_staticlib(Path::new(
            "/t/deps/libhbsan_rt-0123abcd.a"
        )));
        assert!(!is_deps_staticlib(Path::new(
            "/t/deps/libhbsan_rt-0123abcd.rlib"
        )));
        assert!(!is_deps_staticlib(Path::new("/t/deps/libother-0123.a")));
    }
}
