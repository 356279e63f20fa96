// The seed's counter through `static mut`: ten threads increment it with
// no synchronization. A data race: reported.
#![allow(static_mut_refs)]
use std::thread;

static mut COUNTER: i32 = 0;

fn main() {
    let handles: Vec<_> = (0..10)
        .map(|_| {
            thread::spawn(|| {
                for _ in 0..1000 {
                    unsafe {
                        COUNTER += 1; // Unsynchronized access to shared variable // RACE
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    println!("{}", unsafe { COUNTER });
}
