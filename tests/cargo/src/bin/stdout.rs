// Printing from many threads (std's stdout lock, its line buffer, format
// machinery, thread names, thread_local!): silent. Racy: the threads also
// bump a shared counter without a lock.
use hbsan_std_matrix::{in_turn, racy, Shared};
use std::cell::Cell;
use std::io::Write;
use std::sync::atomic::AtomicUsize;
use std::thread;

static TURN: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static LOCAL: Cell<u64> = const { Cell::new(0) };
}

fn main() {
    let racy = racy();
    let counter = Shared::new(0u64);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            thread::Builder::new()
                .name(format!("printer-{i}"))
                .spawn(move || {
                    for n in 0..50 {
                        LOCAL.with(|l| l.set(l.get() + 1));
                        println!(
                            "{} line {n} {}",
                            thread::current().name().unwrap(),
                            LOCAL.with(Cell::get)
                        );
                        eprint!("");
                        if racy && n == 0 {
                            in_turn(&TURN, i, 4, || {
                                counter.set(counter.get() + 1); // RACE
                            });
                        }
                    }
                    std::io::stdout().lock().flush().unwrap();
                })
                .unwrap()
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    println!("{}", counter.get());
}
