// Atomics as a publication flag: a buffer written before a Release store
// is read after the Acquire load that sees it; the same with a Relaxed
// store/load pair between a Release fence and an Acquire fence; and a
// compare_exchange spin lock. Racy: the flag is Relaxed with no fences.
use hbsan_std_matrix::{racy, Shared};
use std::hint::spin_loop;
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering::*};
use std::sync::Arc;
use std::thread;

fn main() {
    let racy = racy();
    let data = Shared::new([0u64; 4]);
    let flag = Arc::new(AtomicBool::new(false));
    let t = {
        let flag = Arc::clone(&flag);
        thread::spawn(move || {
            data.set([1; 4]); // RACE
            flag.store(true, if racy { Relaxed } else { Release });
        })
    };
    while !flag.load(if racy { Relaxed } else { Acquire }) {
        spin_loop();
    }
    let mut total = data.get()[0]; // RACE
    t.join().unwrap();

    let fenced = Shared::new(0u64);
    let ready = Arc::new(AtomicUsize::new(0));
    let t = {
        let ready = Arc::clone(&ready);
        thread::spawn(move || {
            fenced.set(2);
            fence(Release);
            ready.store(1, Relaxed);
        })
    };
    while ready.load(Relaxed) == 0 {
        spin_loop();
    }
    fence(Acquire);
    total += fenced.get();
    t.join().unwrap();

    let lock = Arc::new(AtomicBool::new(false));
    let counter = Shared::new(0u64);
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                for _ in 0..200 {
                    while lock
                        .compare_exchange_weak(false, true, Acquire, Relaxed)
                        .is_err()
                    {
                        spin_loop();
                    }
                    counter.set(counter.get() + 1);
                    lock.store(false, Release);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    println!("{} {}", total, counter.get());
}
