// The seed's Arc<Mutex<i32>> counter: ten threads, a thousand locked
// increments each. Race-free: silent, prints 10000.
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    // Wrap counter in Arc<Mutex<i32>> for safe sharing and mutation
    let counter = Arc::new(Mutex::new(0));

    // Spawn 10 threads
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let counter_clone = Arc::clone(&counter); // Clone Arc for each thread
            thread::spawn(move || {
                for _ in 0..1000 {
                    let mut num = counter_clone.lock().unwrap(); // Lock for exclusive access
                    *num += 1; // Safely increment
                }
            })
        })
        .collect();

    // Wait for all threads to finish
    for handle in handles {
        handle.join().unwrap();
    }

    // Print the final value
    println!("{}", *counter.lock().unwrap()); // Always prints 10000
}
