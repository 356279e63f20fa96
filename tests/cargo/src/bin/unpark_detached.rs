// Workers are unparked through Thread handles by main and detached; they
// exit on their own, and std frees a worker's Thread data when the last
// handle goes: in the worker itself, as it exits, after main's unpark and
// handle drop. Racy: the workers also bump a counter without a lock.
use hbsan_std_matrix::{racy, Shared};
use std::sync::atomic::{AtomicBool, Ordering::*};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

fn main() {
    let racy = racy();
    let counter = Shared::new(0u64);
    let mut done = Vec::new();
    for _ in 0..8 {
        let flag = Arc::new(AtomicBool::new(false));
        let f = Arc::clone(&flag);
        let h = thread::spawn(move || {
            while !f.load(Acquire) {
                thread::park();
            }
            if racy {
                counter.set(counter.get() + 1); // RACE
            }
        });
        let t = h.thread().clone();
        drop(h);
        flag.store(true, Release);
        t.unpark();
        drop(t);
        done.push(flag);
    }
    thread::sleep(Duration::from_millis(200));
    println!("{}", done.len());
}
