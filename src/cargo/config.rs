//! Where the instrumentation flags go so that the user's own flags stay:
//! cargo takes rustc flags from exactly one source, the first set of
//! `CARGO_ENCODED_RUSTFLAGS`, `RUSTFLAGS`, the config's
//! `target.<triple>.rustflags` (with `target.<cfg>.rustflags`), the
//! config's `build.rustflags` (the same for `RUSTDOCFLAGS` and
//! `rustdocflags`). Flags from the environment are extended in the
//! environment; otherwise ours join the config key the user's flags come
//! from, as a `--config` array (cargo concatenates config arrays).

use std::process::{Command, Stdio};

/// Where one kind of flags (rustc's or rustdoc's) goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// In `CARGO_ENCODED_…`, after the user's flags from the environment.
    Env,
    /// Appended to this config key with `--config`.
    Config(String),
}

/// Decides where flags of kind `key` (`rustflags` or `rustdocflags`) go:
/// `from_env` says whether the environment sets them, `target_config` is
/// the JSON of the config's `target` table (`None` when it has none).
pub fn placement(
    key: &str,
    from_env: bool,
    target_config: Option<&str>,
    triple: &str,
) -> Placement {
    if from_env {
        return Placement::Env;
    }
    // Any target.* table with such flags takes precedence over build.*.
    let targeted = target_config.is_some_and(|json| json.contains(&format!("\"{key}\"")));
    if targeted {
        Placement::Config(format!("target.{triple}.{key}"))
    } else {
        Placement::Config(format!("build.{key}"))
    }
}

/// The config's `target` table as JSON (`cargo config get`, an unstable
/// command that `RUSTC_BOOTSTRAP=1` lets stable cargo run); `None` when it
/// is not set or cargo cannot tell.
pub fn target_table(cargo: &str, toolchain: Option<&str>) -> Option<String> {
    let out = Command::new(cargo)
        .args(toolchain)
        .args([
            "-Zunstable-options",
            "config",
            "get",
            "target",
            "--format",
            "json",
        ])
        .env("RUSTC_BOOTSTRAP", "1")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `key=[…]` for `--config`: `flags` as a TOML array of strings.
pub fn config_array(key: &str, flags: &[String]) -> String {
    let items: Vec<String> = flags.iter().map(|f| toml_string(f)).collect();
    format!("{key}=[{}]", items.join(", "))
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_source_gets_our_flags() {
        let t = "x86_64-unknown-linux-gnu";
        assert_eq!(placement("rustflags", true, None, t), Placement::Env);
        assert_eq!(
            placement("rustflags", false, None, t),
            Placement::Config("build.rustflags".into())
        );
        let json = r#"{"target":{"cfg(unix)":{"rustflags":["--cfg","u"]}}}"#;
        assert_eq!(
            placement("rustflags", false, Some(json), t),
            Placement::Config(format!("target.{t}.rustflags"))
        );
        // A target table without rustdoc flags leaves build.rustdocflags.
        assert_eq!(
            placement("rustdocflags", false, Some(json), t),
            Placement::Config("build.rustdocflags".into())
        );
    }

    #[test]
    fn arrays_are_toml() {
        assert_eq!(
            config_array(
                "build.rustflags",
                &["-Za".into(), r#"-Clink-arg=/p "q"\r"#.into()]
            ),
            r#"build.rustflags=["-Za", "-Clink-arg=/p \"q\"\\r"]"#
        );
        assert_eq!(toml_string("\u{1f}"), r#""\u001F""#);
    }
}
