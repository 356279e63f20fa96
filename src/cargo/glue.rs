//! The glue between a toolchain's precompiled std and hbsan's hooks for it
//! (`shim-c/src/rust.c`): for each std function whose synchronization the
//! instrumented program cannot see, a `__wrap_<symbol>` that hands the
//! call to its hook, linked with `ld --wrap=<symbol>` so that the
//! program's calls (not std's calls to itself) go through it. Also the
//! marker `hbsan_rust_std_uninstrumented`, which tells the interceptors
//! that their callers are uninstrumented std code.
//!
//! The symbols' names carry the toolchain's hashes, so the glue is
//! generated per std (from its symbol table) and compiled once into the
//! cache directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use rustc_demangle::demangle;

/// A std function and the hook its calls go through.
struct Hooked {
    /// The function's path, demangled without hashes or angle brackets,
    /// as spelled by any of the toolchains this list knows.
    paths: &'static [&'static str],
    /// The hook in `shim-c/src/rust.c`.
    hook: &'static str,
}

/// The std functions `hbsan cargo` hooks (see `shim-c/src/rust.c` for the
/// edge each one gets).
const HOOKED: &[Hooked] = &[
    Hooked {
        paths: &["std::sys::sync::mutex::futex::Mutex::lock_contended"],
        hook: "hbsan_rust_acquire_after",
    },
    Hooked {
        paths: &["std::sys::sync::rwlock::futex::RwLock::read_contended"],
        hook: "hbsan_rust_rwlock_acquire_after",
    },
    Hooked {
        paths: &["std::sys::sync::rwlock::futex::RwLock::write_contended"],
        hook: "hbsan_rust_rwlock_acquire_after",
    },
    Hooked {
        paths: &["std::sys::sync::condvar::futex::Condvar::wait"],
        hook: "hbsan_rust_condvar_wait",
    },
    Hooked {
        paths: &["std::sys::sync::condvar::futex::Condvar::wait_timeout"],
        hook: "hbsan_rust_condvar_wait",
    },
    Hooked {
        paths: &["std::sys::sync::once::futex::Once::call"],
        hook: "hbsan_rust_once_call",
    },
    Hooked {
        paths: &[
            "std::sync::once::Once::wait",
            "std::sys::sync::once::futex::Once::wait",
        ],
        hook: "hbsan_rust_acquire_after",
    },
    Hooked {
        paths: &["std::sync::once::Once::wait_force"],
        hook: "hbsan_rust_acquire_after",
    },
    Hooked {
        paths: &["std::sync::barrier::Barrier::wait"],
        hook: "hbsan_rust_release_acquire_around",
    },
    Hooked {
        paths: &["std::thread::scoped::ScopeData::decrement_num_running_threads"],
        hook: "hbsan_rust_scope_release_before",
    },
    Hooked {
        paths: &["std::io::stdio::Stdout::lock"],
        hook: "hbsan_rust_guard_acquire_after",
    },
    Hooked {
        paths: &["std::io::stdio::Stderr::lock"],
        hook: "hbsan_rust_guard_acquire_after",
    },
    Hooked {
        paths: &["std::io::stdio::Stdin::lock"],
        hook: "hbsan_rust_guard_acquire_after",
    },
    Hooked {
        paths: &["std::io::stdio::Stdin::lines"],
        hook: "hbsan_rust_guard_acquire_after",
    },
    Hooked {
        paths: &["std::thread::functions::park", "std::thread::park"],
        hook: "hbsan_rust_park",
    },
    Hooked {
        paths: &[
            "std::thread::functions::park_timeout",
            "std::thread::park_timeout",
        ],
        hook: "hbsan_rust_park",
    },
    Hooked {
        paths: &[
            "std::thread::functions::park_timeout_ms",
            "std::thread::park_timeout_ms",
        ],
        hook: "hbsan_rust_park",
    },
];

/// std functions the hooks call: `(path, glue variable)`. The variable
/// holds the function's address (the real one, when it is also wrapped).
const CALLED: &[(&[&str], &str)] = &[
    (
        &["std::thread::current::current", "std::thread::current"],
        "hbsan_rust_std_current",
    ),
    (
        &[
            "std::thread::functions::park_timeout",
            "std::thread::park_timeout",
        ],
        "hbsan_rust_std_park_timeout",
    ),
];

/// Bumped when the generated text's shape or the hooks' contract changes.
const RECIPE: u32 = 3;

/// The hooked functions found in one std.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `(symbol, hook)` for each function found.
    pub wraps: Vec<(String, &'static str)>,
    /// The paths of hooked functions this std does not define (their
    /// edges are missing).
    pub missing: Vec<&'static str>,
    /// `(symbol, variable)` for each function of [`CALLED`] found.
    pub called: Vec<(String, &'static str)>,
}

/// A std function's path for matching: demangled without hashes, angle
/// brackets dropped (`<std::…::Mutex>::lock_contended` is
/// `std::…::Mutex::lock_contended`).
fn path_of(symbol: &str) -> String {
    format!("{:#}", demangle(symbol)).replace(['<', '>'], "")
}

/// Finds the hooked functions among std's function symbols.
pub fn plan(functions: &[String]) -> Plan {
    let paths: Vec<String> = functions.iter().map(|s| path_of(s)).collect();
    let mut wraps = Vec::new();
    let mut missing = Vec::new();
    for hooked in HOOKED {
        let found = hooked
            .paths
            .iter()
            .find_map(|want| paths.iter().position(|p| p == want));
        match found {
            Some(i) => wraps.push((functions[i].clone(), hooked.hook)),
            None => missing.push(hooked.paths[0]),
        }
    }
    let called = CALLED
        .iter()
        .filter_map(|(wants, variable)| {
            let i = wants
                .iter()
                .find_map(|want| paths.iter().position(|p| p == want))?;
            Some((functions[i].clone(), *variable))
        })
        .collect();
    Plan {
        wraps,
        missing,
        called,
    }
}

impl Plan {
    /// The C source of the glue.
    pub fn source(&self, std_rlib: &Path) -> String {
        let mut c = format!(
            "/* Generated by hbsan cargo (glue recipe {RECIPE}) for\n * {}\n * \
             See shim-c/src/rust.c. */\n#include <stdint.h>\n\n\
             typedef uintptr_t u;\n\
             typedef struct {{ u r0, r1; }} ret;\n\
             typedef ret (*hbsan_rust_real)(u, u, u, u, u, u);\n\n\
             /* The interceptors' callers are uninstrumented std code. */\n\
             const char hbsan_rust_std_uninstrumented = 1;\n",
            std_rlib.display()
        );
        let mut hooks: Vec<&str> = self.wraps.iter().map(|(_, h)| *h).collect();
        hooks.sort_unstable();
        hooks.dedup();
        c.push('\n');
        for hook in hooks {
            c.push_str(&format!("ret {hook}(hbsan_rust_real, u, u, u, u, u, u);\n"));
        }
        for (n, (symbol, hook)) in self.wraps.iter().enumerate() {
            c.push_str(&format!(
                "\n/* {} */\nret real_{n}(u, u, u, u, u, u) __asm__(\"__real_{symbol}\");\n\
                 ret wrap_{n}(u a0, u a1, u a2, u a3, u a4, u a5) __asm__(\"__wrap_{symbol}\");\n\
                 ret wrap_{n}(u a0, u a1, u a2, u a3, u a4, u a5) {{\n    \
                 return {hook}(real_{n}, a0, a1, a2, a3, a4, a5);\n}}\n",
                path_of(symbol)
            ));
        }
        for (symbol, variable) in &self.called {
            // A wrapped function's own code is `__real_<symbol>`.
            let wrapped = self.wraps.iter().any(|(s, _)| s == symbol);
            let prefix = if wrapped { "__real_" } else { "" };
            c.push_str(&format!(
                "\n/* {} */\nret {variable}_fn(u, u, u, u, u, u) __asm__(\"{prefix}{symbol}\");\n\
                 const hbsan_rust_real {variable} = {variable}_fn;\n",
                path_of(symbol)
            ));
        }
        c
    }

    /// The linker options that route the program's calls through the glue.
    pub fn wrap_options(&self) -> Vec<String> {
        self.wraps
            .iter()
            .map(|(symbol, _)| format!("-Wl,--wrap={symbol}"))
            .collect()
    }
}

/// The glue for the std at `std_rlib`, compiled: returns the object and the
/// plan it was made from. Cached under `cache` by the source's hash.
pub fn ensure(std_rlib: &Path, cache: &Path) -> Result<(PathBuf, Plan), String> {
    let bytes =
        fs::read(std_rlib).map_err(|e| format!("cannot read {}: {e}", std_rlib.display()))?;
    let functions = super::symbols::archive_functions(&bytes)
        .map_err(|e| format!("cannot read the symbols of {}: {e}", std_rlib.display()))?;
    let plan = plan(&functions);
    let source = plan.source(std_rlib);
    let key = crate::go::cache::key(&[source.as_bytes()]);
    let dir = cache.join(&key);
    let object = dir.join("glue.o");
    if object.is_file() {
        return Ok((object, plan));
    }
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Compiled under private names, then renamed: concurrent runs only
    // ever see a complete object.
    let tag = std::process::id();
    let c_path = dir.join(format!("glue.{tag}.c"));
    let o_path = dir.join(format!("glue.{tag}.o"));
    fs::write(&c_path, &source).map_err(|e| format!("cannot write {}: {e}", c_path.display()))?;
    let cc = std::env::var_os("CC")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "cc".into());
    let out = Command::new(&cc)
        .args(["-c", "-O2", "-fPIC", "-fexceptions", "-o"])
        .arg(&o_path)
        .arg(&c_path)
        .output()
        .map_err(|e| {
            format!(
                "cannot run the C compiler {} to build hbsan's std glue: {e}",
                cc.to_string_lossy()
            )
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!(
            "compiling hbsan's std glue {} failed: {first}",
            c_path.display()
        ));
    }
    let rename = |from: &Path, to: &Path| {
        fs::rename(from, to)
            .map_err(|e| format!("cannot move {} to {}: {e}", from.display(), to.display()))
    };
    rename(&c_path, &dir.join("glue.c"))?;
    rename(&o_path, &object)?;
    Ok((object, plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK_CONTENDED: &str =
        "_RNvMNtNtNtNtCsjrHSEGnQ3l9_3std3sys4sync5mutex5futexNtB2_5Mutex14lock_contended";
    const PARK: &str = "_RNvNtNtCsjrHSEGnQ3l9_3std6thread9functions4park";

    #[test]
    fn v0_and_legacy_names_match() {
        assert_eq!(
            path_of(LOCK_CONTENDED),
            "std::sys::sync::mutex::futex::Mutex::lock_contended"
        );
        assert_eq!(
            path_of("_ZN3std6thread4park17h0123456789abcdefE"),
            "std::thread::park"
        );
    }

    #[test]
    fn plan_finds_what_std_defines() {
        let functions = vec![
            LOCK_CONTENDED.to_string(),
            PARK.to_string(),
            "_ZN3std6thread12park_timeout17h0123456789abcdefE".to_string(),
            "_RNvNtCsjrHSEGnQ3l9_3std5other".to_string(),
        ];
        let p = plan(&functions);
        assert_eq!(
            p.wraps,
            [
                (LOCK_CONTENDED.to_string(), "hbsan_rust_acquire_after"),
                (PARK.to_string(), "hbsan_rust_park"),
                (
                    "_ZN3std6thread12park_timeout17h0123456789abcdefE".to_string(),
                    "hbsan_rust_park"
                ),
            ]
        );
        assert!(
            p.missing
                .contains(&"std::sys::sync::condvar::futex::Condvar::wait")
        );
        assert_eq!(p.wraps.len() + p.missing.len(), HOOKED.len());
        let options = p.wrap_options();
        assert_eq!(options[0], format!("-Wl,--wrap={LOCK_CONTENDED}"));
        let c = p.source(Path::new("/x/libstd.rlib"));
        assert!(c.contains(&format!("__asm__(\"__wrap_{LOCK_CONTENDED}\")")));
        assert!(c.contains("return hbsan_rust_park(real_1, a0, a1, a2, a3, a4, a5);"));
        assert!(c.contains("const char hbsan_rust_std_uninstrumented = 1;"));
        // park_timeout is wrapped: the hooks call the real one.
        assert_eq!(
            p.called,
            [(
                "_ZN3std6thread12park_timeout17h0123456789abcdefE".to_string(),
                "hbsan_rust_std_park_timeout"
            )]
        );
        assert!(c.contains(
            "__asm__(\"__real__ZN3std6thread12park_timeout17h0123456789abcdefE\");\n\
             const hbsan_rust_real hbsan_rust_std_park_timeout = hbsan_rust_std_park_timeout_fn;"
        ));
    }
}
