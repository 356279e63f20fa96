// A thread panics while holding a Mutex: the lock is poisoned; main
// recovers the data from the PoisonError and keeps using it (ordered by
// the lock and the join). Racy: the panicking thread first writes a
// buffer outside the lock, which main reads before it locks (relaxed turns
// order nothing).
use hbsan_std_matrix::{in_turn, racy, Shared};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::thread;

static TURN: AtomicUsize = AtomicUsize::new(0);

fn main() {
    let racy = racy();
    std::panic::set_hook(Box::new(|_| {}));
    let lock = Arc::new(Mutex::new(vec![1u64]));
    let data = Shared::new(0u64);
    let t = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            if racy {
                in_turn(&TURN, 0, 2, || data.set(5)); // RACE
            }
            let mut v = lock.lock().unwrap();
            v.push(2);
            panic!("poisoning the lock");
        })
    };
    let mut early = 0;
    if racy {
        in_turn(&TURN, 1, 2, || early = data.get()); // RACE
    }
    let len = loop {
        match lock.lock() {
            Ok(g) if g.len() < 2 => {
                drop(g);
                thread::yield_now();
            }
            Ok(_) => unreachable!("the thread panicked holding the lock"),
            Err(poisoned) => {
                let mut v = poisoned.into_inner();
                v.push(3);
                break v.len();
            }
        }
    };
    assert!(t.join().is_err());
    lock.clear_poison();
    let n = lock.lock().unwrap().len();
    println!("{early} {len} {n}");
}
