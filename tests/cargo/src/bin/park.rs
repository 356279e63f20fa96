// park / unpark (and park_timeout): a thread writes a buffer, sets a
// relaxed flag and unparks main, which parks until the flag is set and
// then reads the buffer (unpark happens-before the park it ends); first, a
// thread whose very first park finds its token already there (no sleep).
// Racy: the buffers are written after the unpark.
use hbsan_std_matrix::{in_turn, racy, Shared};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

static TURN: AtomicUsize = AtomicUsize::new(0);

fn main() {
    let racy = racy();
    let mut total = 0;

    // A spawned thread's first park returns at once: main unparked it before.
    let first = Shared::new(0u64);
    let ready = Arc::new(AtomicBool::new(false));
    let t = {
        let ready = Arc::clone(&ready);
        thread::spawn(move || {
            while !ready.load(Relaxed) {
                thread::yield_now();
            }
            thread::park();
            let mut seen = 0;
            if racy {
                in_turn(&TURN, 1, 2, || seen = first.get()); // RACE
            } else {
                seen = first.get();
            }
            seen
        })
    };
    if !racy {
        first.set(5);
    }
    t.thread().unpark();
    ready.store(true, Relaxed);
    if racy {
        in_turn(&TURN, 0, 2, || first.set(5)); // RACE
    }
    total += t.join().unwrap();

    for round in 0..10u64 {
        let data = Shared::new(0u64);
        let flag = Arc::new(AtomicBool::new(false));
        let main = thread::current();
        let t = {
            let flag = Arc::clone(&flag);
            thread::spawn(move || {
                if round % 2 == 0 {
                    thread::sleep(Duration::from_millis(2));
                }
                if !racy {
                    data.set(round);
                }
                flag.store(true, Relaxed);
                main.unpark();
                if racy {
                    data.set(round); // RACE
                }
            })
        };
        loop {
            if round % 3 == 0 {
                thread::park_timeout(Duration::from_secs(10));
            } else {
                thread::park();
            }
            if flag.load(Relaxed) {
                break;
            }
        }
        total += data.get(); // RACE
        t.join().unwrap();
    }
    println!("{total}");
}
