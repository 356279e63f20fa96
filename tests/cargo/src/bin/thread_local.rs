// thread_local! values with destructors: each thread's value adds its
// count to a shared total (under a Mutex) when the thread exits; main
// reads the total after joining. Racy: the destructor also writes a
// counter that main reads without joining first.
use hbsan_std_matrix::{racy, Shared};
use std::cell::RefCell;
use std::sync::Mutex;
use std::thread;

static TOTAL: Mutex<u64> = Mutex::new(0);
static mut RACY: Option<Shared<u64>> = None;

struct Tally(u64);

impl Drop for Tally {
    fn drop(&mut self) {
        *TOTAL.lock().unwrap() += self.0;
        #[allow(static_mut_refs)]
        if let Some(c) = unsafe { RACY } {
            c.set(c.get() + self.0); // RACE
        }
    }
}

thread_local! {
    static TALLY: RefCell<Tally> = const { RefCell::new(Tally(0)) };
}

fn main() {
    let racy = racy();
    let counter = Shared::new(0u64);
    if racy {
        unsafe { RACY = Some(counter) };
    }
    let handles: Vec<_> = (1..=4u64)
        .map(|i| {
            thread::spawn(move || {
                for _ in 0..i {
                    TALLY.with(|t| t.borrow_mut().0 += 1);
                }
            })
        })
        .collect();
    let early = if racy {
        thread::sleep(std::time::Duration::from_millis(50));
        counter.get()
    } else {
        0
    };
    for h in handles {
        h.join().unwrap();
    }
    println!("{} {early}", *TOTAL.lock().unwrap());
}
