// The seed's AtomicUsize counter (relaxed fetch_add). Race-free: silent,
// prints 10000.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

fn main() {
    let counter = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let counter_clone = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..1000 {
                    counter_clone.fetch_add(1, Ordering::Relaxed); // Atomic increment
                }
            })
        })
        .collect();

    for handle in handles {
        handle.join().unwrap();
    }

    println!("{}", counter.load(Ordering::Relaxed)); // Always prints 10000
}
