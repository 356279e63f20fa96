//! The rustc flags of an instrumented build, and how they join the flags
//! the user already has.

/// cargo's separator in `CARGO_ENCODED_RUSTFLAGS`.
const SEP: char = '\u{1f}';

/// What the link of an instrumented program needs beyond rustc's own
/// arguments: the runtime (compiler-driver arguments), the std glue object
/// and its `--wrap` options.
#[derive(Debug, Clone, Default)]
pub struct Link {
    /// `libhbsan.a` and its companions, as `cc` arguments.
    pub runtime: Vec<String>,
    /// The glue object.
    pub glue: String,
    /// `-Wl,--wrap=…` for each hooked std function.
    pub wraps: Vec<String>,
    /// Names the runtime and glue the link uses (changes when they change).
    pub stamp: String,
}

/// The flags that switch on rustc's ThreadSanitizer instrumentation with
/// hbsan as its runtime. `lld_default`: the toolchain links with its own
/// lld by default (rustc 1.90+ on x86_64 Linux), which rejects the runtime
/// archive's merged object (a COMDAT it keeps is referenced from a section
/// it drops); those links go through the system linker instead.
pub fn instrumentation(link: &Link, lld_default: bool) -> Vec<String> {
    let mut flags = vec![
        // The instrumentation pass, for every crate of the target…
        "-Zsanitizer=thread".to_string(),
        // …while std stays the precompiled, uninstrumented one.
        "-Cunsafe-allow-abi-mismatch=sanitizer".to_string(),
        // Not rustc's bundled ThreadSanitizer runtime: hbsan's, below.
        "-Zexternal-clangrt".to_string(),
    ];
    if lld_default {
        flags.push("-Clinker-features=-lld".to_string());
    }
    let mut link_args = link.runtime.clone();
    link_args.push(link.glue.clone());
    link_args.extend(link.wraps.iter().cloned());
    // rustc links with -nodefaultlibs and puts libc before these arguments:
    // the runtime's own libc needs (atexit, pthread_atfork from
    // libc_nonshared.a) come after them.
    link_args.push("-lc".to_string());
    // cargo relinks when the flags change, not when a linked file does: an
    // unused symbol named after the runtime's inputs makes a new runtime a
    // new flag.
    link_args.push(format!("-Wl,--defsym=__hbsan_runtime_{}=0", link.stamp));
    flags.extend(link_args.iter().map(|a| format!("-Clink-arg={a}")));
    flags
}

/// The user's flags from the environment: `encoded` (the
/// `CARGO_ENCODED_*` variable, separated by 0x1f) wins over `plain`
/// (whitespace-separated), as in cargo.
pub fn existing(encoded: Option<&str>, plain: Option<&str>) -> Vec<String> {
    match (encoded, plain) {
        (Some(e), _) => e
            .split(SEP)
            .filter(|f| !f.is_empty())
            .map(String::from)
            .collect(),
        (None, Some(p)) => p.split_whitespace().map(String::from).collect(),
        (None, None) => Vec::new(),
    }
}

/// `flags` as the value of a `CARGO_ENCODED_*` variable.
pub fn encode(flags: &[String]) -> String {
    flags.join(&SEP.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_flags_are_kept_first() {
        assert_eq!(
            existing(None, Some(" -Ctarget-cpu=native  --cfg x ")),
            ["-Ctarget-cpu=native", "--cfg", "x"]
        );
        assert_eq!(
            existing(Some("-Ca=b c\u{1f}--cfg\u{1f}y"), Some("-Cignored")),
            ["-Ca=b c", "--cfg", "y"]
        );
        assert!(existing(Some(""), None).is_empty());
        assert_eq!(encode(&["a b".into(), "c".into()]), "a b\u{1f}c");
    }

    #[test]
    fn instrumentation_links_runtime_glue_and_libc() {
        let link = Link {
            runtime: vec!["-Wl,--whole-archive".into(), "/r/libhbsan.a".into()],
            glue: "/c/glue.o".into(),
            wraps: vec!["-Wl,--wrap=sym".into()],
            stamp: "0123".into(),
        };
        let f = instrumentation(&link, true);
        assert_eq!(
            &f[..3],
            [
                "-Zsanitizer=thread",
                "-Cunsafe-allow-abi-mismatch=sanitizer",
                "-Zexternal-clangrt"
            ]
        );
        assert!(f.contains(&"-Clinker-features=-lld".to_string()));
        assert_eq!(
            &f[4..],
            [
                "-Clink-arg=-Wl,--whole-archive",
                "-Clink-arg=/r/libhbsan.a",
                "-Clink-arg=/c/glue.o",
                "-Clink-arg=-Wl,--wrap=sym",
                "-Clink-arg=-lc",
                "-Clink-arg=-Wl,--defsym=__hbsan_runtime_0123=0",
            ]
        );
        assert!(!instrumentation(&link, false).contains(&"-Clinker-features=-lld".to_string()));
    }
}
