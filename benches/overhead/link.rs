//! The three variants of a workload and how each is linked from the shared objects.
//!
//! native:  gcc <native objs> -o x.native <libs>
//! libtsan: gcc -fsanitize=thread <instrumented objs> -o x.tsan <libs>
//! hbsan:   hbsan cc <instrumented objs> -o x.hbsan <libs>
//! libtsan and hbsan link the very same instrumented objects.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::compile::{Objects, first_lines, is_executable};
use crate::config::Config;
use crate::results::Row;
use crate::workloads::Workload;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Variant {
    Native,
    Libtsan,
    Hbsan,
}

pub const VARIANTS: [Variant; 3] = [Variant::Native, Variant::Libtsan, Variant::Hbsan];

impl Variant {
    pub fn name(self) -> &'static str {
        match self {
            Variant::Native => "native",
            Variant::Libtsan => "libtsan",
            Variant::Hbsan => "hbsan",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Link `variant` of workload `w`; returns the executable or why there is none.
pub fn link(
    cfg: &Config,
    w: &Workload,
    objs: &Objects,
    variant: Variant,
) -> Result<PathBuf, String> {
    let exe = cfg.bin_dir().join(format!("{}.{}", w.name, variant.name()));
    // Never measure a stale executable from an earlier run.
    let _ = fs::remove_file(&exe);
    let mut cmd = match variant {
        Variant::Native => Command::new("gcc"),
        Variant::Libtsan => {
            let mut c = Command::new("gcc");
            c.arg("-fsanitize=thread");
            c
        }
        Variant::Hbsan => {
            if !cfg.hbsan.exists() {
                return Err(format!("{} not found", cfg.hbsan.display()));
            }
            let mut c = Command::new(&cfg.hbsan);
            c.arg("cc");
            c
        }
    };
    let inputs = match variant {
        Variant::Native => &objs.native,
        _ => &objs.instrumented,
    };
    cmd.args(inputs).arg("-o").arg(&exe).args(&w.libs);
    let what = describe(variant, &cfg.hbsan);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if !out.status.success() {
        let mut msg = format!("{what} failed ({})", out.status);
        let err = first_lines(&String::from_utf8_lossy(&out.stderr), 6);
        if !err.is_empty() {
            msg.push_str(": ");
            msg.push_str(&err);
        }
        return Err(msg);
    }
    if !is_executable(&exe) {
        return Err(format!(
            "{what} exited 0 but wrote no executable {}",
            exe.display()
        ));
    }
    Ok(exe)
}

fn describe(variant: Variant, hbsan: &Path) -> String {
    match variant {
        Variant::Native => "gcc (native link)".into(),
        Variant::Libtsan => "gcc -fsanitize=thread (link)".into(),
        Variant::Hbsan => format!("`{} cc`", hbsan.display()),
    }
}

/// Whether hbsan could be used, and a sentence saying so (printed and put in the table).
pub fn hbsan_status(cfg: &Config, rows: &[Row]) -> (bool, String) {
    let errors: Vec<(&str, &String)> = rows
        .iter()
        .filter(|r| r.build_error.is_none())
        .filter_map(|r| {
            r.cell(Variant::Hbsan)
                .exe
                .as_ref()
                .err()
                .map(|e| (r.name, e))
        })
        .collect();
    let built = rows.iter().filter(|r| r.build_error.is_none()).count();
    if !cfg.hbsan.exists() {
        return (false, format!("{} not found", cfg.hbsan.display()));
    }
    if built > 0 && errors.len() == built {
        return (false, errors[0].1.lines().next().unwrap_or("").to_string());
    }
    let mut s = cfg.hbsan.display().to_string();
    if !errors.is_empty() {
        let names: Vec<&str> = errors.iter().map(|(n, _)| *n).collect();
        s.push_str(&format!(
            " (but `hbsan cc` failed for {})",
            names.join(", ")
        ));
        for (name, e) in &errors {
            println!("overhead: hbsan cc failed for {name}: {e}");
        }
    }
    (true, s)
}
