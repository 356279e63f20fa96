// Sleeping orders nothing: a thread writes, main sleeps, then reads
// (racy); ok: main joins the thread before reading.
use hbsan_std_matrix::{racy, Shared};
use std::thread;
use std::time::Duration;

fn main() {
    let racy = racy();
    let data = Shared::new(0u64);
    let t = thread::spawn(move || data.set(1)); // RACE
    if racy {
        thread::sleep(Duration::from_millis(100));
    } else {
        t.join().unwrap();
        return println!("{}", data.get());
    }
    println!("{}", data.get()); // RACE
    t.join().unwrap();
}
