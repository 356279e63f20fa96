//! Fatal errors: one line on stderr, then abort. Used for misuse of the ABI
//! and for conditions the runtime cannot recover from; never unwinds.

use std::io::Write;

/// Prints `hbsan: <message>` and aborts the process.
#[cold]
#[inline(never)]
pub fn die(message: core::fmt::Arguments<'_>) -> ! {
    let line = format!("hbsan: {message}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    std::process::abort()
}

/// `die!("format", args…)`: print one line and abort.
#[macro_export]
macro_rules! die {
    ($($arg:tt)*) => { $crate::platform::die::die(format_args!($($arg)*)) };
}
