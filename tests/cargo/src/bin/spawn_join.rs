// thread::spawn / Builder::spawn and join: a thread fills a buffer it
// borrowed by raw pointer, main reads it after join; the thread's result
// comes back through join. Racy: main reads the buffer before join
// (after the thread has written it: relaxed turns order nothing).
use hbsan_std_matrix::{in_turn, racy, Shared};
use std::sync::atomic::AtomicUsize;
use std::thread;

static TURN: AtomicUsize = AtomicUsize::new(0);

fn main() {
    let racy = racy();
    let data = Shared::new([0u64; 16]);
    let t = thread::Builder::new()
        .name("filler".into())
        .spawn(move || {
            if racy {
                in_turn(&TURN, 0, 2, || data.set([3; 16])); // RACE
            } else {
                data.set([3; 16]);
            }
            thread::current().name().map_or(0, str::len)
        })
        .unwrap();
    let mut early = 0;
    if racy {
        in_turn(&TURN, 1, 2, || early = data.get()[0]); // RACE
    }
    let name_len = t.join().unwrap();
    let late = data.get()[15];
    // Results and a panic payload through join.
    let r = thread::spawn(|| vec![1u64, 2, 3]).join().unwrap();
    let p = thread::spawn(|| -> u64 { std::panic::panic_any(9u64) }).join();
    let payload = p.unwrap_err().downcast::<u64>().map_or(0, |b| *b);
    println!(
        "{early} {late} {name_len} {} {payload}",
        r.iter().sum::<u64>()
    );
}
