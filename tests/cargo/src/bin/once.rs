// Once: call_once initializes a buffer that every thread reads after its
// own call_once (the initializer sleeps, so others wait in the Once).
// Racy: one thread reads the buffer without calling call_once.
use hbsan_std_matrix::{racy, Shared};
use std::sync::Once;
use std::thread;
use std::time::Duration;

static INIT: Once = Once::new();

fn main() {
    let racy = racy();
    let data = Shared::new([0u64; 8]);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            thread::spawn(move || {
                if racy && i == 3 {
                    return data.get()[0]; // RACE
                }
                INIT.call_once(|| {
                    thread::sleep(Duration::from_millis(20));
                    data.set([7; 8]); // RACE
                });
                assert!(INIT.is_completed());
                data.get()[i]
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    println!("{total}");
}
