//! One timed run of one executable: wall time, user+sys CPU time and peak RSS from `wait4`.
//!
//! Normally the run goes through the static C launcher (launcher.rs, launch.c), which spawns the
//! executable, takes its `wait4` rusage and writes it to a result file: a child spawned straight
//! from this (much bigger) process would inherit our peak RSS as a floor. Without the launcher
//! the harness spawns the executable itself (`Method::Direct`).
//!
//! Either way we wait for our own child in two steps: `waitid(WNOWAIT)` notices the exit without
//! reaping (the wall clock stops there, and the watchdog is told before the pid can be recycled),
//! then `libc::wait4` reaps it and returns its rusage. A watchdog thread kills a child that
//! outlives its time limit.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::launcher;

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Exit(i32),
    Signal(i32),
    Timeout,
    SpawnError(String),
}

#[derive(Clone, Debug)]
pub struct Sample {
    /// Seconds from spawn to exit.
    pub wall: f64,
    /// User + system CPU seconds of the child (all its threads).
    pub cpu: f64,
    /// Peak resident set size, KiB (`ru_maxrss`).
    pub maxrss_kib: u64,
    /// The peak RSS of the process that spawned it, just before the spawn: no smaller peak
    /// can be observed (Linux starts a child's `ru_maxrss` there).
    pub floor_kib: u64,
    pub outcome: Outcome,
    /// Number of `WARNING: ThreadSanitizer:` reports on stderr (hbsan uses the same layout).
    pub reports: usize,
}

impl Sample {
    /// The run did what a correct run does: exit with the expected status.
    pub fn ok(&self, expected_exit: i32) -> bool {
        self.outcome == Outcome::Exit(expected_exit)
    }

    /// The detector's verdict: "race" (a report and exit 66), "clean" (exit 0, no report), or
    /// how the run broke ("race (exit 0)", "exit 1", "signal 11", "timeout", ...).
    pub fn verdict(&self) -> String {
        if self.reports > 0 {
            return match &self.outcome {
                Outcome::Exit(66) => "race".into(),
                Outcome::Exit(c) => format!("race (exit {c})"),
                Outcome::Signal(s) => format!("race (signal {s})"),
                Outcome::Timeout => "race (timeout)".into(),
                Outcome::SpawnError(_) => "race (spawn error)".into(),
            };
        }
        match &self.outcome {
            Outcome::Exit(0) => "clean".into(),
            Outcome::Exit(c) => format!("exit {c}"),
            Outcome::Signal(s) => format!("signal {s}"),
            Outcome::Timeout => "timeout".into(),
            Outcome::SpawnError(_) => "spawn error".into(),
        }
    }

    fn spawn_error(why: String) -> Sample {
        Sample {
            wall: 0.0,
            cpu: 0.0,
            maxrss_kib: 0,
            floor_kib: 0,
            outcome: Outcome::SpawnError(why),
            reports: 0,
        }
    }
}

/// How runs are started.
pub enum Method {
    /// Through the static launcher at this path.
    Launcher(PathBuf),
    /// Spawned by the harness itself.
    Direct,
}

/// Run `exe args`, stdout and stderr to the given files, killing it after `timeout`.
pub fn run(
    method: &Method,
    exe: &Path,
    args: &[String],
    stdout: &Path,
    stderr: &Path,
    timeout: Duration,
) -> Sample {
    let mut sample = match method {
        Method::Direct => {
            let mut cmd = Command::new(exe);
            cmd.args(args);
            let floor = own_hwm_kib();
            match spawn_wait(cmd, stdout, stderr, timeout) {
                Ok(w) => Sample {
                    wall: w.wall,
                    cpu: tv_secs(w.usage.ru_utime) + tv_secs(w.usage.ru_stime),
                    maxrss_kib: w.usage.ru_maxrss.max(0) as u64,
                    floor_kib: floor,
                    outcome: if w.killed {
                        Outcome::Timeout
                    } else {
                        decode(w.status)
                    },
                    reports: 0,
                },
                Err(e) => Sample::spawn_error(e.to_string()),
            }
        }
        Method::Launcher(launch) => {
            let result = stdout.with_extension("result");
            let _ = fs::remove_file(&result);
            let mut cmd = Command::new(launch);
            cmd.arg(&result)
                .arg(format!("{}", timeout.as_secs_f64()))
                .arg(exe)
                .args(args);
            // The launcher enforces `timeout`; ours is only a backstop.
            match spawn_wait(cmd, stdout, stderr, timeout + Duration::from_secs(30)) {
                Ok(w) if !w.killed && decode(w.status) == Outcome::Exit(0) => {
                    match launcher::read_result(&result) {
                        Ok(r) => Sample {
                            wall: r.wall,
                            cpu: r.cpu,
                            maxrss_kib: r.maxrss_kib,
                            floor_kib: r.floor_kib,
                            outcome: if r.timed_out {
                                Outcome::Timeout
                            } else {
                                decode(r.status)
                            },
                            reports: 0,
                        },
                        Err(e) => Sample::spawn_error(e),
                    }
                }
                Ok(w) if w.killed => Sample::spawn_error("the launcher itself hung".into()),
                Ok(w) => Sample::spawn_error(format!(
                    "launcher failed ({:?}): {}",
                    decode(w.status),
                    fs::read_to_string(stderr)
                        .unwrap_or_default()
                        .lines()
                        .last()
                        .unwrap_or("")
                )),
                Err(e) => Sample::spawn_error(e.to_string()),
            }
        }
    };
    sample.reports = count_reports(stderr);
    sample
}

/// What `spawn_wait` observed of its direct child.
struct Waited {
    wall: f64,
    status: libc::c_int,
    usage: libc::rusage,
    killed: bool,
}

struct Watch {
    exited: bool,
    killed: bool,
}

fn spawn_wait(
    mut cmd: Command,
    stdout: &Path,
    stderr: &Path,
    timeout: Duration,
) -> io::Result<Waited> {
    let out = File::create(stdout)?;
    let err = File::create(stderr)?;
    let start = Instant::now();
    let child = cmd.stdin(Stdio::null()).stdout(out).stderr(err).spawn()?;
    let pid = child.id() as libc::pid_t;
    // `child` is never waited for through std (dropping a Child does not reap it).
    drop(child);

    let watch = Arc::new((
        Mutex::new(Watch {
            exited: false,
            killed: false,
        }),
        Condvar::new(),
    ));
    let watchdog = {
        let watch = Arc::clone(&watch);
        std::thread::spawn(move || {
            let (lock, cv) = &*watch;
            let deadline = Instant::now() + timeout;
            let mut w = lock.lock().unwrap();
            while !w.exited {
                let now = Instant::now();
                if now >= deadline {
                    // SAFETY: `pid` is our unreaped child (it is only reaped after `exited` is
                    // set under this lock), so the signal cannot hit a recycled pid.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    w.killed = true;
                    break;
                }
                w = cv.wait_timeout(w, deadline - now).unwrap().0;
            }
        })
    };

    wait_exited(pid);
    let wall = start.elapsed().as_secs_f64();
    {
        let (lock, cv) = &*watch;
        lock.lock().unwrap().exited = true;
        cv.notify_all();
    }
    let _ = watchdog.join();
    let killed = watch.0.lock().unwrap().killed;
    let (status, usage) = reap(pid);
    Ok(Waited {
        wall,
        status,
        usage,
        killed,
    })
}

/// A raw wait status as an outcome.
fn decode(status: libc::c_int) -> Outcome {
    if libc::WIFEXITED(status) {
        Outcome::Exit(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Outcome::Signal(libc::WTERMSIG(status))
    } else {
        Outcome::Exit(-1)
    }
}

/// Block until child `pid` has exited, leaving it unreaped.
fn wait_exited(pid: libc::pid_t) {
    loop {
        // SAFETY: siginfo_t is plain data; waitid only writes into it.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer to `info`; WNOWAIT leaves the child waitable for wait4.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return;
        }
    }
}

/// Reap child `pid`: its wait status and resource usage.
fn reap(pid: libc::pid_t) -> (libc::c_int, libc::rusage) {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to `status` and `usage`; `pid` is our own child.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid || io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return (status, usage);
        }
    }
}

fn tv_secs(tv: libc::timeval) -> f64 {
    tv.tv_sec as f64 + tv.tv_usec as f64 * 1e-6
}

fn count_reports(stderr: &Path) -> usize {
    let bytes = fs::read(stderr).unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .matches("WARNING: ThreadSanitizer:")
        .count()
}

/// This process's peak RSS so far (VmHWM), KiB; 0 if unknown.
pub fn own_hwm_kib() -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}
