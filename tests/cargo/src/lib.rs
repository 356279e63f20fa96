//! Shared helpers of the matrix programs, and a few unit tests and a
//! doctest for `hbsan cargo test`.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::thread;

/// A raw pointer that may cross threads: the programs use it to reach
/// shared data outside the synchronization under test.
#[derive(Clone, Copy)]
pub struct Shared<T>(pub *mut T);
unsafe impl<T> Send for Shared<T> {}
unsafe impl<T> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// Leaks `value` on the heap.
    pub fn new(value: T) -> Self {
        Shared(Box::into_raw(Box::new(value)))
    }
    /// The pointer (a method, so that closures capture the whole `Shared`).
    pub fn ptr(self) -> *mut T {
        self.0
    }
    /// Writes through the pointer.
    pub fn set(self, value: T) {
        unsafe { *self.0 = value }
    }
    /// Reads through the pointer.
    pub fn get(self) -> T {
        unsafe { self.0.read() }
    }
}

/// Whether the program was asked for its racy variant.
pub fn racy() -> bool {
    match std::env::args().nth(1).as_deref() {
        Some("racy") => true,
        Some("ok") | None => false,
        Some(other) => {
            eprintln!("usage: PROGRAM [ok|racy] (not {other})");
            std::process::exit(2)
        }
    }
}

/// Runs `f` when it is `me`'s turn on `turn` (turns start at 0), passes the
/// turn on, and returns once all `of` participants have had theirs.
///
/// The racy programs space their racy accesses out in time with it without
/// ordering them: relaxed atomics create no happens-before. (Two accesses
/// at the very same instant can slip past a detector's shadow update; and
/// waiting for everyone keeps a participant from ending, and being joined
/// or dropping an Arc, before the others' accesses.)
pub fn in_turn(turn: &AtomicUsize, me: usize, of: usize, f: impl FnOnce()) {
    while turn.load(Relaxed) != me {
        thread::yield_now();
    }
    f();
    turn.store(me + 1, Relaxed);
    while turn.load(Relaxed) < of {
        thread::yield_now();
    }
}

/// Adds one to `counter` `n` times from each of `threads` threads, under
/// its lock.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// let c = Arc::new(Mutex::new(0));
/// hbsan_std_matrix::count(&c, 4, 100);
/// assert_eq!(*c.lock().unwrap(), 400);
/// ```
pub fn count(counter: &Arc<Mutex<u64>>, threads: usize, n: u64) {
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let counter = Arc::clone(counter);
            thread::spawn(move || {
                for _ in 0..n {
                    *counter.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_under_mutex() {
        let c = Arc::new(Mutex::new(0));
        count(&c, 4, 250);
        assert_eq!(*c.lock().unwrap(), 1000);
    }

    #[test]
    fn racy_counter() {
        let hits = Shared::new(0u64);
        let handles: Vec<_> = (0..2)
            .map(|_| thread::spawn(move || hits.set(hits.get() + 1))) // RACE
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }
}
