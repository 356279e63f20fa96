//! The launcher (launch.c): building it and reading the result line it writes per run.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::config::Config;
use crate::measure::Method;

/// Build target/bench/bin/launch, statically if the C library allows (smallest footprint), else
/// dynamically; fall back to spawning directly from the harness when neither works.
pub fn build(cfg: &Config) -> (Method, String) {
    let src = cfg.root.join("benches").join("overhead").join("launch.c");
    let exe = cfg.bin_dir().join("launch");
    let mut why = String::new();
    for static_link in [true, false] {
        let mut cmd = Command::new("gcc");
        cmd.args(["-O2", "-Wall"]);
        if static_link {
            cmd.arg("-static");
        }
        match cmd.arg(&src).arg("-o").arg(&exe).output() {
            Ok(out) if out.status.success() => {
                let how = if static_link { "static" } else { "dynamic" };
                return (
                    Method::Launcher(exe),
                    format!("measured through the {how} C launcher (benches/overhead/launch.c)"),
                );
            }
            Ok(out) => {
                why = String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string()
            }
            Err(e) => why = e.to_string(),
        }
    }
    println!(
        "overhead: cannot build the launcher ({why}); spawning directly (RSS floor = the harness's own peak)"
    );
    (
        Method::Direct,
        "spawned directly by the harness (launcher unavailable)".into(),
    )
}

/// One line of the launcher's result file.
pub struct LaunchResult {
    pub status: libc::c_int,
    pub timed_out: bool,
    pub wall: f64,
    pub cpu: f64,
    pub maxrss_kib: u64,
    pub floor_kib: u64,
}

pub fn read_result(path: &Path) -> Result<LaunchResult, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("launcher result {}: {e}", path.display()))?;
    let field = |name: &str| -> Result<f64, String> {
        text.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| format!("launcher result lacks {name}: {text:?}"))
    };
    Ok(LaunchResult {
        status: field("status")? as libc::c_int,
        timed_out: field("timeout")? != 0.0,
        wall: field("wall")?,
        cpu: field("utime")? + field("stime")?,
        maxrss_kib: field("maxrss")? as u64,
        floor_kib: field("floor")? as u64,
    })
}
