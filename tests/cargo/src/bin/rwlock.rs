// RwLock: writers under write(), readers under read(), try_read/try_write
// too. Racy: two threads write under read locks they hold at the same
// time (relaxed turns keep both inside; relaxed atomics order nothing, and
// read locks do not order their holders).
use hbsan_std_matrix::{in_turn, racy, Shared};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, RwLock};
use std::thread;

static TURN: AtomicUsize = AtomicUsize::new(0);

fn main() {
    let racy = racy();
    let lock = Arc::new(RwLock::new(0u64));
    let data = Shared::new(0u64);
    if racy {
        let both: Vec<_> = (0..2)
            .map(|i| {
                let lock = Arc::clone(&lock);
                thread::spawn(move || {
                    let _r = lock.read().unwrap();
                    in_turn(&TURN, i, 2, || data.set(data.get() + 1)); // RACE
                })
            })
            .collect();
        for h in both {
            h.join().unwrap();
        }
    }
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                let mut seen = 0;
                for n in 0..400 {
                    if i % 2 == 0 {
                        let mut w = if n % 7 == 0 {
                            loop {
                                if let Ok(w) = lock.try_write() {
                                    break w;
                                }
                                thread::yield_now();
                            }
                        } else {
                            lock.write().unwrap()
                        };
                        *w += 1;
                        data.set(data.get() + 1);
                    } else if n % 5 == 0 {
                        if let Ok(r) = lock.try_read() {
                            seen += *r + data.get();
                        }
                    } else {
                        let r = lock.read().unwrap();
                        seen += *r + data.get();
                    }
                }
                seen
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    println!("{} {}", data.get(), total > 0);
}
