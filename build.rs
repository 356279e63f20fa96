//! Builds the C interceptors of `shim-c/` into a static archive for
//! `hbsan cc`, which links them (with the runtime) into the programs it
//! builds.
//!
//! The archive is deliberately NOT linked into the `hbsan` binary itself
//! (`cargo_metadata(false)`): its `malloc`, `memcpy`, `pthread_create`, …
//! would intercept the command line's own calls. Its path reaches the
//! binary as `HBSAN_SHIM_ARCHIVE`, which embeds it.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let shim = manifest.join("shim-c");
    let include = shim.join("include");
    let src = shim.join("src");

    println!("cargo:rerun-if-changed={}", include.display());
    println!("cargo:rerun-if-changed={}", src.display());
    let sources = c_sources(&src);
    let mut headers = Vec::new();
    for dir in [&src, &include] {
        for entry in std::fs::read_dir(dir)
            .expect("shim-c is readable")
            .flatten()
        {
            if entry.path().extension().is_some_and(|e| e == "h") {
                headers.push(entry.path());
            }
        }
    }
    for file in sources.iter().chain(&headers) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo:rerun-if-env-changed=CFLAGS");

    cc::Build::new()
        .files(&sources)
        .include(&include)
        // The object files go into programs, never into this binary.
        .cargo_metadata(false)
        .opt_level(2)
        .debug(true)
        .pic(true)
        .warnings_into_errors(true)
        .flag("-std=c11")
        .flag("-Wall")
        // The interceptors ARE memcpy, strlen, malloc…: the compiler must
        // not turn their bodies into calls to those names (that is, into
        // calls to themselves).
        .flag("-fno-builtin")
        .flag_if_supported("-fno-tree-loop-distribute-patterns")
        // Cleanups (`__attribute__((cleanup))`) must run when an exception
        // or a thread cancellation unwinds through an interceptor.
        .flag("-fexceptions")
        .compile("hbsan_shim");

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let archive = out.join("libhbsan_shim.a");
    assert!(
        archive.is_file(),
        "the cc crate made no {}",
        archive.display()
    );
    println!("cargo:rustc-env=HBSAN_SHIM_ARCHIVE={}", archive.display());
}

/// The shim's C files, sorted so the archive's member order is stable.
fn c_sources(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("shim-c/src is readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    files.sort();
    files
}
