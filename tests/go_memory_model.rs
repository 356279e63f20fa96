//! Every happens-before edge of the Go memory model
//! (`shared/seeds/000_90164776abe8174f.txt`), through the Go race ABI and
//! real threads: the synchronized program is silent, and its twin without
//! the edge is reported (three runs each: happens-before decides, not the
//! scheduler).
//!
//! Where a racy twin needs its two accesses to happen in a fixed real-time
//! order, it waits with something the detector does not see (joining an OS
//! thread, a standard-library channel), exactly like a program that
//! "synchronizes" with `time.Sleep`.

#[macro_use]
#[path = "support/scenario.rs"]
mod scenario;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering::Relaxed};
use std::sync::mpsc;

use hbsan::minigo::{AtomicInt64, Chan, Goroutine, Mutex, Once, RwMutex, WaitGroup};
use hbsan::pc;

/// A shared variable of the program under test.
type Var = Arc<AtomicI64>;

fn var() -> Var {
    Arc::new(AtomicI64::new(0))
}

fn write(g: &Goroutine, v: &AtomicI64, x: i64) {
    g.write(v, pc!());
    v.store(x, Relaxed);
}

fn read(g: &Goroutine, v: &AtomicI64) -> i64 {
    g.read(v, pc!());
    v.load(Relaxed)
}

/// An invisible real-time signal: one side waits until the other sends.
fn signal() -> (mpsc::Sender<()>, mpsc::Receiver<()>) {
    mpsc::channel()
}

scenarios! {
    // 1. Goroutine creation: what precedes `go` happens-before the goroutine.
    go_statement_orders_what_came_before: Silent => |main| {
        let x = var();
        write(main, &x, 1);
        let x2 = x.clone();
        main.go(pc!(), move |g| { read(g, &x2); }).join();
    },
    go_statement_does_not_order_what_comes_after: Race => |main| {
        let x = var();
        let (tx, rx) = signal();
        let x2 = x.clone();
        let h = main.go(pc!(), move |g| { let _ = rx.recv(); read(g, &x2); });
        write(main, &x, 1);
        let _ = tx.send(());
        h.join();
    },

    // 2. Goroutine exit orders nothing.
    goroutine_exit_orders_nothing: Race => |main| {
        let x = var();
        let x2 = x.clone();
        main.go(pc!(), move |g| write(g, &x2, 1)).join();
        read(main, &x);
    },
    goroutine_exit_ordered_by_a_send: Silent => |main| {
        let x = var();
        let c = Arc::new(Chan::new(0));
        let (x2, c2) = (x.clone(), c.clone());
        let h = main.go(pc!(), move |g| { write(g, &x2, 1); c2.send(g, ()); });
        c.recv(main);
        read(main, &x);
        h.join();
    },

    // 3. Unbuffered channel: a send happens-before the receive completes...
    unbuffered_send_before_receive: Silent => |main| {
        let x = var();
        let c = Arc::new(Chan::new(0));
        let (x2, c2) = (x.clone(), c.clone());
        let h = main.go(pc!(), move |g| { write(g, &x2, 1); c2.send(g, 1); });
        c.recv(main);
        read(main, &x);
        h.join();
    },
    unbuffered_without_send: Race => |main| {
        let x = var();
        let (tx, rx) = signal();
        let x2 = x.clone();
        let h = main.go(pc!(), move |g| { write(g, &x2, 1); let _ = tx.send(()); });
        let _ = rx.recv();
        read(main, &x);
        h.join();
    },
    // ...and the receive happens-before the send completes.
    unbuffered_receive_before_send_completes: Silent => |main| {
        let y = var();
        let c = Arc::new(Chan::new(0));
        let (y2, c2) = (y.clone(), c.clone());
        let h = main.go(pc!(), move |g| { write(g, &y2, 1); c2.recv(g); });
        c.send(main, 1);
        read(main, &y);
        h.join();
    },
    // A buffered channel gives no such edge: the send completes first.
    buffered_send_does_not_wait_for_the_receive: Race => |main| {
        let y = var();
        let c = Arc::new(Chan::new(1));
        let (tx, rx) = signal();
        let (y2, c2) = (y.clone(), c.clone());
        let h = main.go(pc!(), move |g| { write(g, &y2, 1); let _ = tx.send(()); c2.recv(g); });
        let _ = rx.recv();
        c.send(main, 1);
        read(main, &y);
        h.join();
    },

    // 4. Buffered channel: a send happens-before the receive.
    buffered_send_before_receive: Silent => |main| {
        let x = var();
        let c = Arc::new(Chan::new(3));
        let (x2, c2) = (x.clone(), c.clone());
        let h = main.go(pc!(), move |g| { write(g, &x2, 1); c2.send(g, 1); });
        c.recv(main);
        read(main, &x);
        h.join();
    },
    buffered_receive_of_another_send: Race => |main| {
        let x = var();
        let c = Arc::new(Chan::new(3));
        c.send(main, 0);
        let (tx, rx) = signal();
        let (x2, c2) = (x.clone(), c.clone());
        let h = main.go(pc!(), move |g| { write(g, &x2, 1); let _ = tx.send(()); c2.send(g, 1); });
        let _ = rx.recv();
        c.recv(main); // receives main's own value, not the goroutine's
        read(main, &x);
        h.join();
    },

    // 5. Close happens-before a receive that returns because of it.
    close_before_receive_of_zero: Silent => |main| {
        let x = var();
        let c: Arc<Chan<i32>> = Arc::new(Chan::new(0));
        let (x2, c2) = (x.clone(), c.clone());
        let h = main.go(pc!(), move |g| { write(g, &x2, 1); c2.close(g); });
        assert_eq!(c.recv(main), None);
        read(main, &x);
        h.join();
    },
    write_after_close: Race => |main| {
        let x = var();
        let c: Arc<Chan<i32>> = Arc::new(Chan::new(0));
        let (tx, rx) = signal();
        let (x2, c2) = (x.clone(), c.clone());
        let h = main.go(pc!(), move |g| { c2.close(g); write(g, &x2, 1); let _ = tx.send(()); });
        assert_eq!(c.recv(main), None);
        let _ = rx.recv();
        read(main, &x);
        h.join();
    },

    // 6. Mutex: Unlock happens-before a later Lock.
    mutex_unlock_before_lock: Silent => |main| {
        let x = var();
        let mu = Arc::new(Mutex::new());
        let (x2, mu2) = (x.clone(), mu.clone());
        let h = main.go(pc!(), move |g| { mu2.lock(g); write(g, &x2, 1); mu2.unlock(g); });
        h.join();
        mu.lock(main);
        read(main, &x);
        mu.unlock(main);
    },
    mutex_not_taken_by_the_reader: Race => |main| {
        let x = var();
        let mu = Arc::new(Mutex::new());
        let (x2, mu2) = (x.clone(), mu.clone());
        main.go(pc!(), move |g| { mu2.lock(g); write(g, &x2, 1); mu2.unlock(g); }).join();
        read(main, &x);
    },

    // 7. RWMutex: RUnlock happens-before Lock.
    rwmutex_runlock_before_lock: Silent => |main| {
        let x = var();
        let rw = Arc::new(RwMutex::new());
        let (x2, rw2) = (x.clone(), rw.clone());
        main.go(pc!(), move |g| { rw2.rlock(g); read(g, &x2); rw2.runlock(g); }).join();
        rw.lock(main);
        write(main, &x, 1);
        rw.unlock(main);
    },
    rwmutex_writer_without_lock: Race => |main| {
        let x = var();
        let rw = Arc::new(RwMutex::new());
        let (x2, rw2) = (x.clone(), rw.clone());
        main.go(pc!(), move |g| { rw2.rlock(g); read(g, &x2); rw2.runlock(g); }).join();
        write(main, &x, 1);
    },
    // Unlock happens-before RLock.
    rwmutex_unlock_before_rlock: Silent => |main| {
        let x = var();
        let rw = Arc::new(RwMutex::new());
        let (x2, rw2) = (x.clone(), rw.clone());
        main.go(pc!(), move |g| { rw2.lock(g); write(g, &x2, 1); rw2.unlock(g); }).join();
        rw.rlock(main);
        read(main, &x);
        rw.runlock(main);
    },
    rwmutex_reader_without_rlock: Race => |main| {
        let x = var();
        let rw = Arc::new(RwMutex::new());
        let (x2, rw2) = (x.clone(), rw.clone());
        main.go(pc!(), move |g| { rw2.lock(g); write(g, &x2, 1); rw2.unlock(g); }).join();
        read(main, &x);
    },
    // Unlock happens-before Lock.
    rwmutex_unlock_before_lock: Silent => |main| {
        let x = var();
        let rw = Arc::new(RwMutex::new());
        let (x2, rw2) = (x.clone(), rw.clone());
        main.go(pc!(), move |g| { rw2.lock(g); write(g, &x2, 1); rw2.unlock(g); }).join();
        rw.lock(main);
        write(main, &x, 2);
        rw.unlock(main);
    },
    // Two readers do not synchronize with each other.
    rwmutex_readers_do_not_order_each_other: Race => |main| {
        let x = var();
        let rw = Arc::new(RwMutex::new());
        let (x2, rw2) = (x.clone(), rw.clone());
        main.go(pc!(), move |g| { rw2.rlock(g); write(g, &x2, 1); rw2.runlock(g); }).join();
        rw.rlock(main);
        read(main, &x);
        rw.runlock(main);
    },

    // 8. WaitGroup: Done happens-before Wait returns.
    waitgroup_done_before_wait: Silent => |main| {
        let x = var();
        let wg = Arc::new(WaitGroup::new());
        wg.add(main, 2);
        for i in 0..2 {
            let (x2, wg2) = (x.clone(), wg.clone());
            main.go(pc!(), move |g| { if i == 0 { write(g, &x2, 1) } wg2.done(g); });
        }
        wg.wait(main);
        read(main, &x);
    },
    waitgroup_without_wait: Race => |main| {
        let x = var();
        let wg = Arc::new(WaitGroup::new());
        wg.add(main, 1);
        let (x2, wg2) = (x.clone(), wg.clone());
        main.go(pc!(), move |g| { write(g, &x2, 1); wg2.done(g); }).join();
        read(main, &x);
    },

    // 9. sync/atomic: a store happens-before a load that observes it.
    atomic_store_before_observing_load: Silent => |main| {
        let x = var();
        let flag = Arc::new(AtomicInt64::new(0));
        let (x2, f2) = (x.clone(), flag.clone());
        let h = main.go(pc!(), move |g| { write(g, &x2, 1); f2.store(g, 1, pc!()); });
        while flag.load(main, pc!()) == 0 {
            std::hint::spin_loop();
        }
        read(main, &x);
        h.join();
    },
    atomic_store_before_the_write: Race => |main| {
        let x = var();
        let flag = Arc::new(AtomicInt64::new(0));
        let (x2, f2) = (x.clone(), flag.clone());
        let h = main.go(pc!(), move |g| { f2.store(g, 1, pc!()); write(g, &x2, 1); });
        while flag.load(main, pc!()) == 0 {
            std::hint::spin_loop();
        }
        h.join();
        read(main, &x);
    },

    // 10. Once: the call that runs f happens-before every Do returns.
    once_before_every_return: Silent => |main| {
        let x = var();
        let once = Arc::new(Once::new());
        let wg = Arc::new(WaitGroup::new());
        wg.add(main, 4);
        for _ in 0..4 {
            let (x2, o2, wg2) = (x.clone(), once.clone(), wg.clone());
            main.go(pc!(), move |g| {
                o2.call(g, || write(g, &x2, 42));
                assert_eq!(read(g, &x2), 42);
                wg2.done(g);
            });
        }
        wg.wait(main);
    },
    broken_once_with_a_plain_flag: Race => |main| {
        // The seed's double-checked locking bug: the flag is read without
        // synchronization.
        let x = var();
        let done = var();
        let mu = Arc::new(Mutex::new());
        let (x2, d2, mu2) = (x.clone(), done.clone(), mu.clone());
        main.go(pc!(), move |g| {
            mu2.lock(g);
            write(g, &x2, 42);
            write(g, &d2, 1);
            mu2.unlock(g);
        }).join();
        if read(main, &done) == 1 {
            read(main, &x);
        }
    },
}
