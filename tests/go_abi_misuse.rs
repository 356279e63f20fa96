//! Misuse of the Go race ABI is caught: one line naming the hook, then the
//! process aborts. Never undefined behaviour, never a hang.

#[path = "support/scenario.rs"]
mod scenario;

use core::ffi::c_void;
use std::os::unix::process::ExitStatusExt;

use hbsan::minigo::ffi::*;
use hbsan::pc;

/// Runs `body` in a child; asserts it aborted after printing one `hbsan:`
/// line containing `message`.
fn aborts(name: &str, message: &str, body: impl FnOnce()) {
    if scenario::is_child(name) {
        body();
        eprintln!("misuse was not caught");
        std::process::exit(0);
    }
    let out = scenario::spawn(name, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGABRT),
        "{name}: expected an abort, got {:?}\n{stderr}",
        out.status
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("hbsan:")).collect();
    assert_eq!(lines.len(), 1, "{name}: expected one hbsan line\n{stderr}");
    assert!(
        lines[0].contains(message),
        "{name}: expected '{message}' in '{}'",
        lines[0]
    );
}

#[test]
fn a_hook_before_init() {
    aborts(
        "a_hook_before_init",
        "__tsan_go_start called before __tsan_init",
        || {
            let mut child = core::ptr::null_mut();
            // SAFETY: deliberately misused; the runtime must catch it.
            unsafe { __tsan_go_start(0x1000 as *mut c_void, &mut child, pc!().0 as *mut c_void) };
        },
    );
}

#[test]
fn a_null_thread_handle() {
    aborts(
        "a_null_thread_handle",
        "__tsan_read: null thread handle",
        || {
            let _main = hbsan::minigo::init();
            let x = 0u64;
            // SAFETY: deliberately misused.
            unsafe {
                __tsan_read(
                    core::ptr::null_mut(),
                    &x as *const u64 as *mut c_void,
                    core::ptr::null_mut(),
                )
            };
        },
    );
}

#[test]
fn an_unknown_thread_handle() {
    aborts(
        "an_unknown_thread_handle",
        "__tsan_write: 0xdeadbeef is not a live thread handle",
        || {
            let _main = hbsan::minigo::init();
            let x = 0u64;
            // SAFETY: deliberately misused.
            unsafe {
                __tsan_write(
                    0xdead_beef as *mut c_void,
                    &x as *const u64 as *mut c_void,
                    core::ptr::null_mut(),
                )
            };
        },
    );
}

#[test]
fn go_end_twice() {
    aborts("go_end_twice", "__tsan_go_end", || {
        let main = hbsan::minigo::init();
        let mut child = core::ptr::null_mut();
        // SAFETY: the first calls are proper; the second end is the misuse.
        unsafe {
            __tsan_go_start(main.handle(), &mut child, core::ptr::null_mut());
            __tsan_go_end(child);
            __tsan_go_end(child);
        }
    });
}

#[test]
fn init_twice() {
    aborts("init_twice", "__tsan_init called twice", || {
        let _main = hbsan::minigo::init();
        let _again = hbsan::minigo::init();
    });
}

#[test]
fn ignore_sync_end_without_begin() {
    aborts(
        "ignore_sync_end_without_begin",
        "__tsan_go_ignore_sync_end without a matching begin",
        || {
            let main = hbsan::minigo::init();
            main.ignore_sync_end();
        },
    );
}
