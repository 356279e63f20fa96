//! Where instrumented builds go: `hbsan/` inside the project's target
//! directory, so that they never overwrite (or invalidate) normal builds.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The project's target directory as cargo sees it (`CARGO_TARGET_DIR`,
/// `build.target-dir` and the workspace root are all honoured), from
/// `cargo metadata`; `None` when cargo cannot tell (no project here: the
/// real command will say so).
pub fn project_target_dir(
    cargo: &str,
    toolchain: Option<&str>,
    manifest: Option<&str>,
) -> Option<PathBuf> {
    let mut cmd = Command::new(cargo);
    cmd.args(toolchain).args([
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--offline",
    ]);
    if let Some(m) = manifest {
        cmd.args(["--manifest-path", m]);
    }
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    json_string_field(&String::from_utf8_lossy(&out.stdout), "target_directory").map(PathBuf::from)
}

/// The value of the first `"name": "…"` string field in a JSON text.
fn json_string_field(json: &str, name: &str) -> Option<String> {
    let key = format!("\"{name}\"");
    let after = &json[json.find(&key)? + key.len()..];
    let after = after.trim_start().strip_prefix(':')?.trim_start();
    let mut chars = after.strip_prefix('"')?.chars();
    let mut value = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(value),
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                'b' => value.push('\u{8}'),
                'f' => value.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    value.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                c => value.push(c),
            },
            c => value.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_field() {
        let json = r#"{"packages":[],"target_directory" : "/w/my \"proj\"\\target","version":1}"#;
        assert_eq!(
            json_string_field(json, "target_directory").as_deref(),
            Some(r#"/w/my "proj"\target"#)
        );
        assert_eq!(json_string_field(json, "workspace_root"), None);
        assert_eq!(
            json_string_field(r#"{"a":"\u00e9"}"#, "a").as_deref(),
            Some("é")
        );
        assert_eq!(json_string_field(r#"{"a":"unterminated"#, "a"), None);
    }
}
