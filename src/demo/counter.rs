//! The Go counter of `shared/seeds/004`, run the way the Go compiler and
//! runtime would run it under `-race`: ten goroutines (real OS threads) each
//! increment one shared counter a thousand times, and a WaitGroup waits for
//! them. The program talks to the detector only through the race ABI, via
//! [`crate::minigo`].
//!
//! ```go
//! var counter int
//! var wg sync.WaitGroup
//! wg.Add(10)
//! for i := 0; i < 10; i++ {
//!     go func() {
//!         defer wg.Done()
//!         for j := 0; j < 1000; j++ {
//!             counter++          // racy; fixed with a mutex, an atomic or a channel
//!         }
//!     }()
//! }
//! wg.Wait()
//! fmt.Println(counter)
//! ```

use core::sync::atomic::{AtomicI64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use crate::minigo::{self, AtomicInt64, Chan, Goroutine, Mutex, WaitGroup};
use crate::pc;

/// The variants, as typed on the command line.
pub const VARIANTS: [&str; 5] = ["racy", "sleep", "mutex", "atomic", "channel"];

const GOROUTINES: i64 = 10;
const INCREMENTS: i64 = 1000;

/// `var counter int`. Its increments are a real read and a real write (no
/// read-modify-write), so unsynchronized goroutines really lose updates.
static COUNTER: AtomicI64 = AtomicI64::new(0);

/// `counter++`, as the compiler instruments it.
#[inline(never)]
fn increment(g: &Goroutine) {
    g.read(&COUNTER, pc!());
    let v = COUNTER.load(Relaxed);
    g.write(&COUNTER, pc!());
    COUNTER.store(v + 1, Relaxed);
}

/// `counter++` through `atomic.AddInt64(&counter, 1)`.
#[inline(never)]
fn increment_atomic(g: &Goroutine, counter: &AtomicInt64) {
    counter.add(g, 1, pc!());
}

/// `hbsan demo counter [VARIANT]`: one variant, or without one the racy
/// counter and then its fix with a mutex.
pub fn main(args: &[String]) -> i32 {
    let Some(variant) = args.first().map(String::as_str) else {
        return racy_then_fixed();
    };
    if !VARIANTS.contains(&variant) || args.len() > 1 {
        eprintln!(
            "hbsan demo counter: unknown variant '{}' (expected one of: {})",
            args.join(" "),
            VARIANTS.join(", ")
        );
        return 2;
    }
    println!(
        "hbsan demo: Go counter, variant '{variant}': {GOROUTINES} goroutines x {INCREMENTS} increments"
    );
    let main = minigo::init();
    let count = main.call(pc!(), || match variant {
        "racy" => racy(&main),
        "sleep" => sleep(&main),
        "mutex" => with_mutex(&main),
        "atomic" => with_atomic(&main),
        _ => with_channel(&main),
    });
    let expected = if variant == "sleep" {
        1
    } else {
        GOROUTINES * INCREMENTS
    };
    println!("Expected final counter: {expected}");
    println!("Actual final counter:   {count}");
    let races = minigo::report_count();
    if races == 0 {
        println!(
            "Verdict: no data race: every access to the counter is ordered by happens-before."
        );
    } else {
        let why = if variant == "sleep" {
            "sleeping is not synchronization, so the write and the read are unordered"
        } else {
            "the increments of the counter are not ordered by happens-before"
        };
        println!(
            "Verdict: data race ({races} report{}): {why}.",
            if races == 1 { "" } else { "s" }
        );
    }
    // Like Go's runtime at exit: prints the summary, exits 66 after races.
    minigo::fini()
}

/// The racy counter, then the same counter with a mutex, each in a process
/// of its own (a detector's state is per process, as a Go program's is).
/// Exits as the racy run does (66: a race was reported); 1 if either run
/// did not end as it should.
fn racy_then_fixed() -> i32 {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("hbsan demo counter: cannot find this program to run it again: {e}");
            return 1;
        }
    };
    let mut codes = Vec::new();
    for (variant, want) in [("racy", 66), ("mutex", 0)] {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let code = match std::process::Command::new(&exe)
            .args(["demo", "counter", variant])
            .status()
        {
            Ok(status) => status.code().unwrap_or(1),
            Err(e) => {
                eprintln!("hbsan demo counter: cannot run the '{variant}' variant: {e}");
                return 1;
            }
        };
        println!("(variant '{variant}' exited with status {code})\n");
        codes.push((variant, code, want));
    }
    if codes.iter().any(|&(_, code, want)| code != want) {
        eprintln!("hbsan demo counter: a variant did not end as expected: {codes:?}");
        return 1;
    }
    println!(
        "The race in 'racy' was reported; 'mutex', the same counter behind a lock, is silent."
    );
    66
}

/// Starts the ten goroutines running `worker` and waits for them.
fn spawn_all<S: Send + Sync + 'static>(
    main: &Goroutine,
    shared: Arc<S>,
    worker: fn(&Goroutine, &S, &WaitGroup),
) {
    let wg = Arc::new(WaitGroup::new());
    wg.add(main, GOROUTINES);
    for _ in 0..GOROUTINES {
        let (shared, wg) = (shared.clone(), wg.clone());
        main.go(pc!(), move |g| worker(g, &shared, &wg));
    }
    wg.wait(main);
}

/// The seed's bug: unsynchronized increments.
#[inline(never)]
fn racy(main: &Goroutine) -> i64 {
    spawn_all(main, Arc::new(()), racy_worker);
    main.read(&COUNTER, pc!());
    COUNTER.load(Relaxed)
}

/// `go func() { defer wg.Done(); for … { counter++ } }()`
#[inline(never)]
fn racy_worker(g: &Goroutine, _: &(), wg: &WaitGroup) {
    for _ in 0..INCREMENTS {
        g.call(pc!(), || increment(g));
    }
    wg.done(g);
}

/// The `time.Sleep` "fix": a goroutine writes, main sleeps, then reads.
#[inline(never)]
fn sleep(main: &Goroutine) -> i64 {
    let h = main.go(pc!(), sleepy_writer);
    std::thread::sleep(Duration::from_millis(100));
    // Waiting for the OS thread is real time, like the sleep: Go has no
    // join, and the detector is not told about it.
    h.join();
    main.read(&COUNTER, pc!());
    COUNTER.load(Relaxed)
}

/// `go func() { counter++ }()`
#[inline(never)]
fn sleepy_writer(g: &Goroutine) {
    g.call(pc!(), || increment(g));
}

/// Fixed with `sync.Mutex`.
#[inline(never)]
fn with_mutex(main: &Goroutine) -> i64 {
    spawn_all(main, Arc::new(Mutex::new()), mutex_worker);
    main.read(&COUNTER, pc!());
    COUNTER.load(Relaxed)
}

/// `for … { mu.Lock(); counter++; mu.Unlock() }`
#[inline(never)]
fn mutex_worker(g: &Goroutine, mu: &Mutex, wg: &WaitGroup) {
    for _ in 0..INCREMENTS {
        mu.lock(g);
        g.call(pc!(), || increment(g));
        mu.unlock(g);
    }
    wg.done(g);
}

/// Fixed with `atomic.AddInt64`.
#[inline(never)]
fn with_atomic(main: &Goroutine) -> i64 {
    let counter = Arc::new(AtomicInt64::new(0));
    spawn_all(main, counter.clone(), atomic_worker);
    counter.load(main, pc!())
}

/// `for … { atomic.AddInt64(&counter, 1) }`
#[inline(never)]
fn atomic_worker(g: &Goroutine, counter: &AtomicInt64, wg: &WaitGroup) {
    for _ in 0..INCREMENTS {
        g.call(pc!(), || increment_atomic(g, counter));
    }
    wg.done(g);
}

/// Fixed with a channel used as a lock.
#[inline(never)]
fn with_channel(main: &Goroutine) -> i64 {
    spawn_all(main, Arc::new(Chan::new(1)), channel_worker);
    main.read(&COUNTER, pc!());
    COUNTER.load(Relaxed)
}

/// `for … { c <- true; counter++; <-c }`
#[inline(never)]
fn channel_worker(g: &Goroutine, c: &Chan<bool>, wg: &WaitGroup) {
    for _ in 0..INCREMENTS {
        c.send(g, true);
        g.call(pc!(), || increment(g));
        c.recv(g);
    }
    wg.done(g);
}
