// thread::scope: scoped threads write disjoint halves of a Vec through
// &mut slices (not joined explicitly: the scope waits for them), one is
// joined by its handle; main reads everything after the scope. Racy: the
// two scoped threads also bump one static mut, both alive at once (relaxed
// turns: relaxed atomics order nothing).
#![allow(static_mut_refs)]
use hbsan_std_matrix::{in_turn, racy};
use std::sync::atomic::AtomicUsize;
use std::thread;

static mut SHARED: u64 = 0;
static TURN: AtomicUsize = AtomicUsize::new(0);

fn bump(racy: bool, me: usize) {
    if racy {
        in_turn(&TURN, me, 2, || unsafe { SHARED += 1 }); // RACE
    }
}

fn main() {
    let racy = racy();
    let mut v = vec![0u64; 1024];
    let (a, b) = v.split_at_mut(512);
    let mut total = 0;
    thread::scope(|s| {
        s.spawn(|| {
            for (i, x) in a.iter_mut().enumerate() {
                *x = i as u64;
            }
            bump(racy, 0);
        });
        s.spawn(|| {
            for x in b.iter_mut() {
                *x = 1;
            }
            bump(racy, 1);
        });
        let h = s.spawn(|| 40u64);
        total += h.join().unwrap();
    });
    total += v.iter().sum::<u64>();
    println!("{total} {}", unsafe { SHARED });
}
