// Barrier: each thread writes its own slot, waits, then reads every slot;
// two rounds. Racy: a thread reads its neighbour's slot before the wait.
use hbsan_std_matrix::{racy, Shared};
use std::sync::{Arc, Barrier};
use std::thread;

const N: usize = 4;

fn main() {
    let racy = racy();
    let barrier = Arc::new(Barrier::new(N));
    let slots = Shared::new([0u64; N]);
    let handles: Vec<_> = (0..N)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                let p = slots.ptr();
                let mut sum = 0;
                for round in 1..=3u64 {
                    unsafe { (*p)[i] = round * 10 + i as u64 }; // RACE
                    if racy {
                        sum += unsafe { (*p)[(i + 1) % N] }; // RACE
                    }
                    let leader = barrier.wait().is_leader();
                    sum += unsafe { (*p).iter().sum::<u64>() } + leader as u64;
                    barrier.wait();
                }
                sum
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    println!("{total}");
}
