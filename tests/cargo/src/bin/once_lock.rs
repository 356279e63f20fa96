// OnceLock: get_or_init from several threads (one initializes, the others
// wait or find it done), then get() and wait(); set() read by a thread
// spinning on get(). Racy: the value is a
// pointer to a counter that every thread then bumps without a lock.
use hbsan_std_matrix::{in_turn, racy, Shared};
use std::sync::atomic::AtomicUsize;
use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

static CELL: OnceLock<Vec<u64>> = OnceLock::new();
static COUNTER: OnceLock<Shared<u64>> = OnceLock::new();
static SLOT: OnceLock<Vec<u64>> = OnceLock::new();
static TURN: AtomicUsize = AtomicUsize::new(0);

fn main() {
    let racy = racy();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            thread::spawn(move || {
                let v = if i == 0 {
                    CELL.wait()
                } else {
                    CELL.get_or_init(|| {
                        thread::sleep(Duration::from_millis(20));
                        (0..100).collect()
                    })
                };
                let counter = *COUNTER.get_or_init(|| Shared::new(0));
                if racy {
                    in_turn(&TURN, i, 4, || counter.set(counter.get() + 1)); // RACE
                }
                v.iter().sum::<u64>() + CELL.get().map_or(0, |v| v[1])
            })
        })
        .collect();
    // A reader that never waits inside the OnceLock: it spins on get()
    // until set() from main has completed.
    let reader = thread::spawn(|| loop {
        if let Some(v) = SLOT.get() {
            break v.iter().sum::<u64>();
        }
        std::hint::spin_loop();
    });
    thread::sleep(Duration::from_millis(5));
    SLOT.set((0..32).collect()).unwrap();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    println!("{total} {}", reader.join().unwrap());
}
