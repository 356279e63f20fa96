//! Where reports go: stderr, or the file named by `log_path`.

use std::fs::{File, OpenOptions};
use std::io::Write;

/// The destination of reports.
pub enum Sink {
    /// Standard error.
    Stderr,
    /// A file (`<log_path>.<pid>`).
    File(File),
}

impl Sink {
    /// The sink for `log_path` (`None`, `"stderr"`: stderr; `"stdout"`: fd 1).
    pub fn open(log_path: Option<&str>) -> Sink {
        match log_path {
            None | Some("stderr") => Sink::Stderr,
            Some("stdout") => match File::options().append(true).open("/dev/stdout") {
                Ok(f) => Sink::File(f),
                Err(_) => Sink::Stderr,
            },
            Some(p) => {
                let path = format!("{p}.{}", std::process::id());
                match OpenOptions::new().create(true).append(true).open(&path) {
                    Ok(f) => Sink::File(f),
                    Err(e) => {
                        eprintln!("hbsan: cannot open log_path '{path}': {e}; reporting to stderr");
                        Sink::Stderr
                    }
                }
            }
        }
    }

    /// Writes `text` in one piece.
    pub fn write(&mut self, text: &str) {
        let _ = match self {
            Sink::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
            Sink::File(f) => f.write_all(text.as_bytes()),
        };
    }
}
