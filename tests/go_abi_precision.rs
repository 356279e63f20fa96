//! What the access check must get exactly right, through the Go race ABI:
//! byte precision, reads never racing with reads, atomics never racing with
//! atomics, and thread slots reused over long runs without hiding or
//! inventing a race.

#[macro_use]
#[path = "support/scenario.rs"]
mod scenario;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Barrier};

use hbsan::minigo::{AtomicInt64, Chan, Goroutine, WaitGroup};
use hbsan::pc;

fn write(g: &Goroutine, v: &AtomicI64, x: i64) {
    g.write(v, pc!());
    v.store(x, Relaxed);
}

fn read(g: &Goroutine, v: &AtomicI64) -> i64 {
    g.read(v, pc!());
    v.load(Relaxed)
}

/// Two goroutines each write byte `a` and byte `b` of one word.
fn write_bytes(main: &Goroutine, a: usize, b: usize) {
    write_ranges(main, (a, 1), (b, 1));
}

/// Two goroutines, one after the other in real time and unordered by the
/// detector, each write a range `(offset, length)` of one 32-byte,
/// 8-aligned buffer, twice (the second time a repeat).
fn write_ranges(main: &Goroutine, a: (usize, usize), b: (usize, usize)) {
    let words = Arc::new([const { AtomicU64::new(0) }; 4]);
    // The two writes are put in a fixed real-time order (std's atomics are
    // invisible to the detector): two writes at the same instant may both
    // find the fresh shadow word empty, a lost update no shadow-memory
    // detector rules out (seen under load).
    let first_written = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = [a, b]
        .into_iter()
        .enumerate()
        .map(|(n, (offset, length))| {
            let (w, first) = (words.clone(), first_written.clone());
            main.go(pc!(), move |g| {
                while n == 1 && first.load(Relaxed) == 0 {
                    std::thread::yield_now();
                }
                let p = w.as_ptr() as *const u8;
                for _ in 0..2 {
                    g.write_range(p.wrapping_add(offset), length, pc!());
                }
                w[0].fetch_or(1, Relaxed);
                first.store(1, Relaxed);
            })
        })
        .collect();
    handles.into_iter().for_each(|h| h.join());
}

/// Starts `n` goroutines one after the other, each writing `x` and
/// finishing before the next starts; main synchronizes with each of them.
fn sequential_synchronized(main: &Goroutine, n: usize, x: &Arc<AtomicI64>) {
    for _ in 0..n {
        let wg = Arc::new(WaitGroup::new());
        wg.add(main, 1);
        let (x2, wg2) = (x.clone(), wg.clone());
        main.go(pc!(), move |g| {
            write(g, &x2, 1);
            wg2.done(g);
        });
        wg.wait(main);
    }
}

scenarios! {
    neighbouring_bytes_are_not_a_race: Silent => |main| write_bytes(main, 3, 4),
    the_same_byte_is_a_race: Race => |main| write_bytes(main, 5, 5),

    // Ranges of up to 16 bytes that straddle words (`check::access_span`).
    straddling_ranges_sharing_one_byte_race: Race => |main| write_ranges(main, (5, 8), (12, 16)),
    straddling_ranges_side_by_side_do_not_race: Silent => |main| write_ranges(main, (3, 8), (11, 16)),
    a_16_byte_range_races_in_its_middle_word: Race => |main| write_ranges(main, (3, 16), (9, 2)),
    an_empty_range_touches_nothing: Silent => |main| write_ranges(main, (4, 0), (0, 16)),

    reads_never_race_with_reads: Silent => |main| {
        let x = Arc::new(AtomicI64::new(0));
        write(main, &x, 7);
        let hs: Vec<_> = (0..4).map(|_| { let x = x.clone(); main.go(pc!(), move |g| { read(g, &x); }) }).collect();
        hs.into_iter().for_each(|h| h.join());
    },
    a_read_races_with_a_write: Race => |main| {
        let x = Arc::new(AtomicI64::new(0));
        let x2 = x.clone();
        main.go(pc!(), move |g| { read(g, &x2); }).join();
        write(main, &x, 1);
    },

    atomics_never_race_with_atomics: Silent => |main| {
        let x = Arc::new(AtomicInt64::new(0));
        let hs: Vec<_> = (0..4)
            .map(|_| { let x = x.clone(); main.go(pc!(), move |g| { for _ in 0..100 { x.add(g, 1, pc!()); } }) })
            .collect();
        hs.into_iter().for_each(|h| h.join());
        assert_eq!(x.peek(), 400);
    },
    a_plain_write_races_with_an_atomic: Race => |main| {
        let x = Arc::new(AtomicInt64::new(0));
        let x2 = x.clone();
        main.go(pc!(), move |g| { x2.add(g, 1, pc!()); }).join();
        // A plain write to the same variable.
        main.write_range(x.as_ptr() as *const u8, 8, pc!());
    },

    // Slot reuse: 10,000 goroutines, the last two racing.
    slot_reuse_keeps_the_race_between_the_last_two_of_10000: Race => |main| {
        let x = Arc::new(AtomicI64::new(0));
        sequential_synchronized(main, 9_998, &x);
        let x1 = x.clone();
        main.go(pc!(), move |g| write(g, &x1, 2)).join(); // nobody synchronizes with it
        let x2 = x.clone();
        main.go(pc!(), move |g| write(g, &x2, 3)).join();
    },
    slot_reuse_invents_no_race_among_10000: Silent => |main| {
        let x = Arc::new(AtomicI64::new(0));
        sequential_synchronized(main, 9_999, &x);
        let c = Arc::new(Chan::new(1));
        let (x1, c1) = (x.clone(), c.clone());
        main.go(pc!(), move |g| { write(g, &x1, 2); c1.send(g, ()); }).join();
        c.recv(main);
        let (x2, c2) = (x.clone(), c.clone());
        main.go(pc!(), move |g| { write(g, &x2, 3); c2.send(g, ()); }).join();
        c.recv(main);
        read(main, &x);
    },

    // 100,000 goroutines over the run: synchronized ones reuse slots, and
    // unsynchronized ones use up fresh slots until the shadow is recycled.
    // Neither invents a race, and a race after all of them is still found.
    sequential_goroutines_100000: Race => |main| {
        let x = Arc::new(AtomicI64::new(0));
        sequential_synchronized(main, 50_000, &x);
        for i in 0..50_000 {
            // Fire and forget: each writes its own variable and nobody
            // synchronizes with it.
            let own = Arc::new(AtomicI64::new(0));
            main.go(pc!(), move |g| write(g, &own, i)).join();
        }
        let x1 = x.clone();
        main.go(pc!(), move |g| write(g, &x1, 2)).join();
        read(main, &x);
    },

    // 4,096 goroutines alive at once.
    goroutines_4096_alive_at_once: Silent => |main| {
        const N: usize = 4096;
        let slots: Arc<Vec<AtomicI64>> = Arc::new((0..N).map(|_| AtomicI64::new(0)).collect());
        let all_alive = Arc::new(Barrier::new(N));
        let wg = Arc::new(WaitGroup::new());
        wg.add(main, N as i64);
        let hs: Vec<_> = (0..N)
            .map(|i| {
                let (s, b, wg) = (slots.clone(), all_alive.clone(), wg.clone());
                main.go(pc!(), move |g| {
                    write(g, &s[i], i as i64);
                    b.wait();
                    wg.done(g);
                })
            })
            .collect();
        wg.wait(main);
        for s in slots.iter() {
            read(main, s);
        }
        hs.into_iter().for_each(|h| h.join());
    },
    a_race_among_4096_alive_goroutines: Race => |main| {
        const N: usize = 4096;
        let x = Arc::new(AtomicI64::new(0));
        let all_alive = Arc::new(Barrier::new(N));
        // The two writes are put in a fixed real-time order (std's atomics
        // and barrier are invisible to the detector): two writes at the same
        // instant may both find the shadow word empty, a lost update no
        // shadow-memory detector rules out.
        let first_written = Arc::new(AtomicI64::new(0));
        let hs: Vec<_> = (0..N)
            .map(|i| {
                let (x, b, first) = (x.clone(), all_alive.clone(), first_written.clone());
                main.go(pc!(), move |g| {
                    b.wait();
                    if i == 17 {
                        write(g, &x, i as i64);
                        first.store(1, Relaxed);
                    } else if i == 4000 {
                        while first.load(Relaxed) == 0 {
                            std::thread::yield_now();
                        }
                        write(g, &x, i as i64);
                    }
                })
            })
            .collect();
        hs.into_iter().for_each(|h| h.join());
    },
}
