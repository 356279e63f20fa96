// park / unpark (and park_timeout): a thread writes a buffer, sets a
// relaxed flag and unparks main, which parks until the flag is set and
// then reads the buffer (unpark happens-before the park it ends). Racy:
// the thread writes the buffer after unparking.
use hbsan_std_matrix::{racy, Shared};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

fn main() {
    let racy = racy();
    let mut total = 0;
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
