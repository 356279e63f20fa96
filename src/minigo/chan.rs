//! Channels, calling the hooks where `runtime/chan.go` does.
//!
//! - buffered send/receive on buffer entry `i`: release-acquire on the
//!   entry's address (`racenotify`);
//! - unbuffered rendezvous: the party completing it releases into the
//!   channel, makes its partner acquire and release, and acquires
//!   (`racesync`), so each side knows what the other did;
//! - `close`: release on the channel; a receive that sees the close acquires.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

use super::goroutine::Goroutine;

/// A channel of `T` with capacity `cap` (0: unbuffered).
pub struct Chan<T> {
    state: Mutex<State<T>>,
    changed: Condvar,
    cap: usize,
    /// One byte per buffer entry (at least one): the addresses the detector
    /// sees as the entries' synchronization objects.
    entries: Box<[u8]>,
    /// The channel's own address for close (`c.raceaddr()`).
    raceaddr: u8,
}

struct State<T> {
    buf: VecDeque<T>,
    sendx: usize,
    recvx: usize,
    closed: bool,
    /// Unbuffered: a sender's value waiting for a receiver, and its handle.
    offer: Option<(T, usize)>,
    /// Unbuffered: number of offers taken (the sender waits for its turn).
    taken: u64,
    offered: u64,
}

impl<T: Send> Chan<T> {
    /// `make(chan T, cap)`.
    pub fn new(cap: usize) -> Chan<T> {
        Chan {
            state: Mutex::new(State {
                buf: VecDeque::new(),
                sendx: 0,
                recvx: 0,
                closed: false,
                offer: None,
                taken: 0,
                offered: 0,
            }),
            changed: Condvar::new(),
            cap,
            entries: vec![0u8; cap.max(1)].into_boxed_slice(),
            raceaddr: 0,
        }
    }

    /// `c <- v`. Panics like Go when the channel is closed.
    pub fn send(&self, g: &Goroutine, v: T) {
        let mut st = self.lock();
        if st.closed {
            panic!("send on closed channel");
        }
        if self.cap > 0 {
            while st.buf.len() == self.cap {
                st = self.wait(st);
            }
            g.release_acquire(&self.entries[st.sendx]);
            st.sendx = (st.sendx + 1) % self.cap;
            st.buf.push_back(v);
            self.changed.notify_all();
            return;
        }
        // Unbuffered: wait for the previous offer to be taken, offer, and
        // wait for a receiver to take ours (the receiver completes the
        // rendezvous for both of us).
        while st.offer.is_some() {
            st = self.wait(st);
        }
        st.offer = Some((v, g.thr() as usize));
        st.offered += 1;
        let mine = st.offered;
        self.changed.notify_all();
        while st.taken < mine {
            st = self.wait(st);
        }
    }

    /// `v, ok := <-c`: `None` once the channel is closed and drained.
    pub fn recv(&self, g: &Goroutine) -> Option<T> {
        let mut st = self.lock();
        loop {
            if self.cap > 0 {
                if let Some(v) = st.buf.pop_front() {
                    g.release_acquire(&self.entries[st.recvx]);
                    st.recvx = (st.recvx + 1) % self.cap;
                    self.changed.notify_all();
                    return Some(v);
                }
            } else if let Some((v, sender)) = st.offer.take() {
                self.rendezvous(g, sender);
                st.taken += 1;
                self.changed.notify_all();
                return Some(v);
            }
            if st.closed {
                g.acquire(&self.raceaddr);
                return None;
            }
            st = self.wait(st);
        }
    }

    /// `close(c)`.
    pub fn close(&self, g: &Goroutine) {
        let mut st = self.lock();
        if st.closed {
            panic!("close of closed channel");
        }
        g.release(&self.raceaddr);
        st.closed = true;
        self.changed.notify_all();
    }

    /// `racesync`: the receiver `g` completes a rendezvous with the blocked
    /// sender whose handle is `sender`.
    fn rendezvous(&self, g: &Goroutine, sender: usize) {
        let entry = &self.entries[0];
        g.release(entry);
        let s = Goroutine::from_raw(sender as *mut core::ffi::c_void);
        s.acquire(entry);
        s.release(entry);
        g.acquire(entry);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'a>(
        &self,
        st: std::sync::MutexGuard<'a, State<T>>,
    ) -> std::sync::MutexGuard<'a, State<T>> {
        self.changed.wait(st).unwrap_or_else(|e| e.into_inner())
    }
}
