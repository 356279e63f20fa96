// LazyLock: a static table built on first use by whichever thread comes
// first, read by all. Racy: the table holds a pointer to a counter that
// every thread bumps without a lock.
use hbsan_std_matrix::{in_turn, racy, Shared};
use std::sync::atomic::AtomicUsize;
use std::sync::LazyLock;
use std::thread;
use std::time::Duration;

static TABLE: LazyLock<(Vec<u64>, Shared<u64>)> = LazyLock::new(|| {
    thread::sleep(Duration::from_millis(20));
    ((0..64).map(|i| i * i).collect(), Shared::new(0))
});

static TURN: AtomicUsize = AtomicUsize::new(0);

fn main() {
    let racy = racy();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            thread::spawn(move || {
                let (table, counter) = &*TABLE;
                if racy {
                    in_turn(&TURN, i, 4, || counter.set(counter.get() + 1)); // RACE
                }
                table.iter().sum::<u64>()
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    println!("{} {}", total, LazyLock::force(&TABLE).0.len());
}
