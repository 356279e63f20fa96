// Arc: threads read a shared Vec and drop their clones; whoever drops the
// last reference frees it (the free must not race with the reads); then
// Arc::get_mut / make_mut after the others are gone, and Weak upgrades.
// Racy: two threads write one cell of an Arc'd buffer through raw pointers.
use hbsan_std_matrix::racy;
use std::cell::UnsafeCell;
use std::sync::{Arc, Weak};
use std::thread;

struct Cells(UnsafeCell<[u64; 4]>);
unsafe impl Sync for Cells {}

fn main() {
    let racy = racy();
    let mut total = 0;
    for _ in 0..20 {
        let v = Arc::new(vec![1u64; 256]);
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let v = Arc::clone(&v);
                thread::spawn(move || v.iter().sum::<u64>())
            })
            .collect();
        drop(v); // the last drop may be here or in a thread
        total += handles.into_iter().map(|h| h.join().unwrap()).sum::<u64>();
    }

    let mut shared = Arc::new(vec![0u64; 8]);
    let weak: Weak<Vec<u64>> = Arc::downgrade(&shared);
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let w = weak.clone();
            thread::spawn(move || w.upgrade().map_or(0, |v| v.len() as u64))
        })
        .collect();
    // Spin until the readers have dropped their upgrades (no join yet).
    while Arc::strong_count(&shared) > 1 || Arc::weak_count(&shared) > 1 {
        thread::yield_now();
        if readers.iter().all(|h| h.is_finished()) {
            break;
        }
    }
    drop(weak);
    loop {
        if let Some(v) = Arc::get_mut(&mut shared) {
            v[0] = 5;
            break;
        }
        thread::yield_now();
    }
    Arc::make_mut(&mut shared)[1] = 6;
    total += readers.into_iter().map(|h| h.join().unwrap()).sum::<u64>();

    let cells = Arc::new(Cells(UnsafeCell::new([0; 4])));
    let writers: Vec<_> = (0..2)
        .map(|i| {
            let cells = Arc::clone(&cells);
            thread::spawn(move || {
                let p = cells.0.get();
                // Each thread its own cell; racy: both the same one.
                let idx = if racy { 0 } else { i };
                for _ in 0..100 {
                    unsafe { (*p)[idx] += 1 }; // RACE
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let cells = Arc::try_unwrap(cells).ok().unwrap().0.into_inner();
    println!("{} {:?} {:?}", total, &shared[..2], cells);
}
