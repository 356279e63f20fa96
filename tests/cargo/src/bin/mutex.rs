// Mutex: data beside a Mutex<()> (reached through a raw pointer) is
// written only under the lock; racy: one thread skips the lock.
use hbsan_std_matrix::{racy, Shared};
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    let racy = racy();
    let lock = Arc::new(Mutex::new(0u64));
    let data = Shared::new(0u64);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                for _ in 0..500 {
                    if racy && i == 3 {
                        data.set(data.get() + 1); // RACE
                    } else {
                        let mut guard = lock.lock().unwrap();
                        *guard += 1;
                        data.set(data.get() + 1); // RACE
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    println!("{} {}", *lock.lock().unwrap(), data.get());
}
