//! The real programs: zstd and SQLite, compiled from the C sources that ship inside the
//! `zstd-sys` and `libsqlite3-sys` crates. benches/real/Cargo.toml pins their versions; cargo
//! downloads them (`cargo fetch`) and tells us where they were unpacked (`cargo metadata`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::config::Config;
use crate::json;
use crate::workloads::{Kind, Source, Workload, fill};

/// Where the two crates' C sources are.
pub struct RealSources {
    /// `<zstd-sys>/zstd/lib` (holds zstd.h and common/, compress/, decompress/).
    pub zstd_lib: PathBuf,
    pub zstd_version: String,
    /// `<libsqlite3-sys>/sqlite3` (holds sqlite3.c and sqlite3.h).
    pub sqlite_dir: PathBuf,
    pub sqlite_version: String,
}

pub fn locate(cfg: &Config) -> Result<RealSources, String> {
    let manifest = cfg.root.join("benches").join("real").join("Cargo.toml");
    let fetch = Command::new(&cfg.cargo)
        .arg("fetch")
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cfg.cargo.display()))?;
    if !fetch.status.success() {
        // Maybe offline with the crates already downloaded: let metadata decide.
        eprintln!(
            "overhead: `cargo fetch` for benches/real failed ({}); trying the local cache\n{}",
            fetch.status,
            String::from_utf8_lossy(&fetch.stderr).trim_end()
        );
    }
    let meta = Command::new(&cfg.cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !meta.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&meta.stderr).trim_end()
        ));
    }
    let text = String::from_utf8(meta.stdout).map_err(|e| e.to_string())?;
    let doc = json::parse(&text)?;
    let (zstd_root, zstd_version) = package_dir(&doc, "zstd-sys")?;
    let (sqlite_root, sqlite_version) = package_dir(&doc, "libsqlite3-sys")?;
    let found = RealSources {
        zstd_lib: zstd_root.join("zstd").join("lib"),
        zstd_version,
        sqlite_dir: sqlite_root.join("sqlite3"),
        sqlite_version,
    };
    for must in [
        found.zstd_lib.join("zstd.h"),
        found.sqlite_dir.join("sqlite3.c"),
        found.sqlite_dir.join("sqlite3.h"),
    ] {
        if !must.is_file() {
            return Err(format!("{} is missing", must.display()));
        }
    }
    Ok(found)
}

/// The unpacked directory and version of package `name` in `cargo metadata` output.
fn package_dir(doc: &json::Json, name: &str) -> Result<(PathBuf, String), String> {
    let packages = doc
        .get("packages")
        .and_then(|p| p.as_array())
        .ok_or("cargo metadata: no \"packages\" array")?;
    let pkg = packages
        .iter()
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))
        .ok_or_else(|| format!("cargo metadata: package {name} not found"))?;
    let manifest = pkg
        .get("manifest_path")
        .and_then(|m| m.as_str())
        .ok_or_else(|| format!("cargo metadata: {name} has no manifest_path"))?;
    let version = pkg.get("version").and_then(|v| v.as_str()).unwrap_or("?");
    let dir = Path::new(manifest)
        .parent()
        .ok_or_else(|| format!("cargo metadata: odd manifest path {manifest}"))?;
    Ok((dir.to_path_buf(), version.to_string()))
}

/// The two real-program workloads.
pub fn workloads(cfg: &Config, src: &RealSources) -> Result<Vec<Workload>, String> {
    let drivers = cfg.root.join("benches").join("real");
    let zinc = format!("-I{}", src.zstd_lib.display());
    let sinc = format!("-I{}", src.sqlite_dir.display());

    // zstd: the library proper (no legacy formats, no dictionary builder), threads on, and the
    // C Huffman decoder instead of the x86-64 assembly one so that every byte is instrumented.
    let mut zstd_sources = vec![Source::new(drivers.join("zstd_driver.c"), &[&zinc])];
    for sub in ["common", "compress", "decompress"] {
        for file in c_files(&src.zstd_lib.join(sub))? {
            zstd_sources.push(Source::new(
                file,
                &["-DZSTD_MULTITHREAD", "-DZSTD_DISABLE_ASM", &zinc],
            ));
        }
    }
    let zstd_args: &[&str] = if cfg.quick { &["8"] } else { &["64"] };
    let sqlite_args: &[&str] = if cfg.quick { &["4000"] } else { &["40000"] };
    Ok(vec![
        Workload {
            name: "zstd_mt",
            kind: Kind::Real,
            what: fill(
                &format!(
                    "zstd {} (zstd-sys {}): {{}} MiB, nbWorkers=2, level 3, round trip",
                    zstd_release(&src.zstd_version),
                    src.zstd_version
                ),
                zstd_args,
            ),
            sources: zstd_sources,
            libs: vec!["-lpthread".into()],
            args: zstd_args.iter().map(|a| a.to_string()).collect(),
            expected_exit: 0,
        },
        Workload {
            name: "sqlite_mt",
            kind: Kind::Real,
            what: fill(
                &format!(
                    "SQLite {} (libsqlite3-sys {}): 2 threads x {{}} inserts + selects, one serialized :memory: connection",
                    sqlite_release(&src.sqlite_dir),
                    src.sqlite_version
                ),
                sqlite_args,
            ),
            sources: vec![
                Source::new(drivers.join("sqlite_driver.c"), &[&sinc]),
                Source::new(src.sqlite_dir.join("sqlite3.c"), &["-DSQLITE_THREADSAFE=1"]),
            ],
            libs: vec!["-lpthread".into(), "-lm".into(), "-ldl".into()],
            args: sqlite_args.iter().map(|a| a.to_string()).collect(),
            expected_exit: 0,
        },
    ])
}

/// The `*.c` files of a directory, sorted (deterministic object lists and link order).
fn c_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    files.sort();
    Ok(files)
}

/// "2.1.3+zstd.1.5.7" -> "1.5.7".
fn zstd_release(crate_version: &str) -> &str {
    crate_version.rsplit("zstd.").next().unwrap_or("?")
}

/// The SQLITE_VERSION string from sqlite3.h.
fn sqlite_release(dir: &Path) -> String {
    let header = fs::read_to_string(dir.join("sqlite3.h")).unwrap_or_default();
    header
        .lines()
        .find_map(|l| l.strip_prefix("#define SQLITE_VERSION "))
        .map(|v| v.trim().trim_matches('"').to_string())
        .unwrap_or_else(|| "?".into())
}
