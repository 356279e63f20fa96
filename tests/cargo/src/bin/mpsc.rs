// mpsc channels: unbounded (several senders), bounded and rendezvous
// (sync_channel(0)). Each message is a pointer to a buffer the sender
// filled before sending; the receiver reads it. Racy: the sender writes
// the buffer again after sending.
use hbsan_std_matrix::{racy, Shared};
use std::sync::mpsc;
use std::thread;

fn main() {
    let racy = racy();
    let mut total = 0u64;

    // Unbounded, three senders.
    let (tx, rx) = mpsc::channel::<Shared<[u64; 4]>>();
    let senders: Vec<_> = (0..3u64)
        .map(|i| {
            let tx = tx.clone();
            thread::spawn(move || {
                for n in 0..50 {
                    let buf = Shared::new([i * 100 + n; 4]);
                    tx.send(buf).unwrap();
                    if racy && n == 0 {
                        buf.set([0; 4]); // RACE
                    }
                }
            })
        })
        .collect();
    drop(tx);
    for buf in rx.iter() {
        total += buf.get()[3]; // RACE
    }
    for s in senders {
        s.join().unwrap();
    }

    // Bounded (capacity 2) and rendezvous.
    for cap in [2usize, 0] {
        let (tx, rx) = mpsc::sync_channel::<Shared<[u64; 4]>>(cap);
        let sender = thread::spawn(move || {
            for n in 0..50u64 {
                let buf = Shared::new([n; 4]);
                tx.send(buf).unwrap();
                if racy && n == 0 {
                    buf.set([0; 4]); // RACE
                }
            }
        });
        while let Ok(buf) = rx.recv() {
            total += buf.get()[0]; // RACE
        }
        sender.join().unwrap();
    }

    // Boxed values moved through the channel: race-free in both variants.
    let (tx, rx) = mpsc::channel::<Box<Vec<u64>>>();
    let t = thread::spawn(move || {
        for n in 0..20 {
            tx.send(Box::new(vec![n; 16])).unwrap();
        }
    });
    while let Ok(v) = rx.recv_timeout(std::time::Duration::from_secs(5)) {
        total += v.iter().sum::<u64>();
    }
    t.join().unwrap();
    println!("{total}");
}
