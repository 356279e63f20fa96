// Condvar: a producer fills a buffer, sets `ready` under the mutex and
// notifies; the consumer waits (wait_while, then wait_timeout in a loop)
// and reads the buffer. Racy: the producer writes the buffer after it
// has unlocked.
use hbsan_std_matrix::{racy, Shared};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

fn main() {
    let racy = racy();
    let pair = Arc::new((Mutex::new(0u32), Condvar::new()));
    let data = Shared::new([0u64; 4]);
    let mut sum = 0;
    for round in 1..=20u32 {
        let producer = {
            let pair = Arc::clone(&pair);
            thread::spawn(move || {
                if !racy {
                    data.set([round as u64; 4]);
                }
                let (lock, cvar) = &*pair;
                *lock.lock().unwrap() = round;
                if round % 2 == 0 {
                    cvar.notify_one();
                } else {
                    cvar.notify_all();
                }
                if racy {
                    data.set([round as u64; 4]); // RACE
                }
            })
        };
        let (lock, cvar) = &*pair;
        if round % 2 == 0 {
            let guard = cvar
                .wait_while(lock.lock().unwrap(), |r| *r != round)
                .unwrap();
            drop(guard);
        } else {
            let mut guard = lock.lock().unwrap();
            while *guard != round {
                guard = cvar
                    .wait_timeout(guard, Duration::from_millis(50))
                    .unwrap()
                    .0;
            }
        }
        sum += data.get()[0]; // RACE
        producer.join().unwrap();
    }
    println!("{sum}");
}
