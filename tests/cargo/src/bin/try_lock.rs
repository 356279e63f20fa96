// Mutex::try_lock and Mutex::into_inner: increments under a spun
// try_lock. Racy: one thread writes without taking the lock.
use hbsan_std_matrix::{racy, Shared};
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    let racy = racy();
    let lock = Arc::new(Mutex::new(Vec::new()));
    let data = Shared::new(0u64);
    let handles: Vec<_> = (0..3)
        .map(|i| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                for n in 0..300 {
                    if racy && i == 2 {
                        data.set(data.get() + 1); // RACE
                        continue;
                    }
                    loop {
                        if let Ok(mut v) = lock.try_lock() {
                            v.push(n);
                            data.set(data.get() + 1); // RACE
                            break;
                        }
                        thread::yield_now();
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let v = Arc::try_unwrap(lock).unwrap().into_inner().unwrap();
    println!("{} {}", v.len(), data.get());
}
