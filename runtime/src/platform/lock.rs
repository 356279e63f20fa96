//! The runtime's locks: the standard library's futex-based mutex and
//! reader-writer lock, without poisoning (a panic aborts the process), and
//! a way to hold them across `fork`.
//!
//! Why not `parking_lot`: its unlock may hand the lock straight to a waiting
//! thread ("eventual fairness"). In the child of a `fork`, that waiter does
//! not exist, and a lock handed to it stays taken forever. The standard
//! library's locks are released, never handed over, so a child whose only
//! thread unlocks what it held before `fork` gets usable locks.

use core::any::Any;
use std::sync::PoisonError;

/// A mutual-exclusion lock.
#[derive(Default, Debug)]
pub struct Mutex<T>(std::sync::Mutex<T>);

/// Holds a [`Mutex`] locked.
pub type MutexGuard<'a, T> = std::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub const fn new(value: T) -> Mutex<T> {
        Mutex(std::sync::Mutex::new(value))
    }

    /// Locks, waiting as long as needed.
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A reader-writer lock.
#[derive(Default, Debug)]
pub struct RwLock<T>(std::sync::RwLock<T>);

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`.
    pub const fn new(value: T) -> RwLock<T> {
        RwLock(std::sync::RwLock::new(value))
    }

    /// Locks for reading, shared with other readers.
    #[inline]
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, T> {
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Locks for writing, alone.
    #[inline]
    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, T> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A reader-writer spin lock for the synchronization objects' short
/// critical sections (a few clock entries joined or copied).
///
/// Its point is the write unlock: a plain release store, where the futex
/// lock's unlock is an atomic read-modify-write (to see whether to wake a
/// waiter). Two threads taking turns at one atomic variable's object paid
/// for that read-modify-write on a cache line the other thread had just
/// written. Waiting spins, then yields the processor (the holder may have
/// been preempted); nobody is ever woken, so a child of `fork` whose only
/// thread releases what it held has usable locks, as with the futex lock.
///
/// `repr(C)`, the lock word first: `sync::table` places the lock and the
/// start of the value in one cache line.
#[repr(C)]
pub struct SpinRwLock<T> {
    /// [`WRITER`], or the number of readers.
    state: core::sync::atomic::AtomicU32,
    value: core::cell::UnsafeCell<T>,
}

const WRITER: u32 = 1 << 31;

// SAFETY: the lock gives `&mut T` to one thread at a time and `&T` only to
// readers while no writer holds it, as `std::sync::RwLock` does.
unsafe impl<T: Send> Send for SpinRwLock<T> {}
// SAFETY: as above; readers share `&T`, hence `T: Sync`.
unsafe impl<T: Send + Sync> Sync for SpinRwLock<T> {}

impl<T: Default> Default for SpinRwLock<T> {
    fn default() -> Self {
        SpinRwLock::new(T::default())
    }
}

impl<T> SpinRwLock<T> {
    /// An unlocked lock holding `value`.
    pub const fn new(value: T) -> SpinRwLock<T> {
        SpinRwLock {
            state: core::sync::atomic::AtomicU32::new(0),
            value: core::cell::UnsafeCell::new(value),
        }
    }

    /// Locks for writing, alone.
    #[inline]
    pub fn write(&self) -> SpinWriteGuard<'_, T> {
        use core::sync::atomic::Ordering::{Acquire, Relaxed};
        if self
            .state
            .compare_exchange_weak(0, WRITER, Acquire, Relaxed)
            .is_err()
        {
            self.wait(|s| {
                (s == 0)
                    && self
                        .state
                        .compare_exchange_weak(0, WRITER, Acquire, Relaxed)
                        .is_ok()
            });
        }
        SpinWriteGuard { lock: self }
    }

    /// Locks for reading, shared with other readers.
    #[inline]
    pub fn read(&self) -> SpinReadGuard<'_, T> {
        use core::sync::atomic::Ordering::{Acquire, Relaxed};
        let s = self.state.load(Relaxed);
        if s & WRITER != 0
            || self
                .state
                .compare_exchange_weak(s, s + 1, Acquire, Relaxed)
                .is_err()
        {
            self.wait(|s| {
                s & WRITER == 0
                    && self
                        .state
                        .compare_exchange_weak(s, s + 1, Acquire, Relaxed)
                        .is_ok()
            });
        }
        SpinReadGuard { lock: self }
    }

    /// Spins until `try_take(state)` succeeds, yielding now and then.
    #[cold]
    fn wait(&self, mut try_take: impl FnMut(u32) -> bool) {
        let mut spins = 0u32;
        loop {
            let s = self.state.load(core::sync::atomic::Ordering::Relaxed);
            if try_take(s) {
                return;
            }
            spins += 1;
            if spins < 64 {
                core::hint::spin_loop();
            } else {
                spins = 0;
                std::thread::yield_now();
            }
        }
    }
}

/// Holds a [`SpinRwLock`] for writing.
pub struct SpinWriteGuard<'a, T> {
    lock: &'a SpinRwLock<T>,
}

impl<T> core::ops::Deref for SpinWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock for writing: no other reference.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> core::ops::DerefMut for SpinWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinWriteGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock
            .state
            .store(0, core::sync::atomic::Ordering::Release);
    }
}

/// Holds a [`SpinRwLock`] for reading.
pub struct SpinReadGuard<'a, T> {
    lock: &'a SpinRwLock<T>,
}

impl<T> core::ops::Deref for SpinReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock for reading: only shared
        // references exist.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> Drop for SpinReadGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock
            .state
            .fetch_sub(1, core::sync::atomic::Ordering::Release);
    }
}

/// Guards held across `fork` by the forking thread; dropping it (in the
/// parent and in the child) releases them.
#[derive(Default)]
pub struct ForkHold(Vec<Box<dyn Any>>);

impl ForkHold {
    /// Keeps `guard` until the hold is dropped.
    pub fn hold<G: 'static>(&mut self, guard: G) {
        self.0.push(Box::new(guard));
    }

    /// Number of guards held.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static M: Mutex<u32> = Mutex::new(0);
    static L: RwLock<u32> = RwLock::new(0);

    #[test]
    fn spin_rw_lock_excludes_writers_and_shares_readers() {
        let l = std::sync::Arc::new(SpinRwLock::new(0u64));
        {
            let r1 = l.read();
            let r2 = l.read();
            assert_eq!(*r1 + *r2, 0);
        }
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        *l.write() += 1;
                        let _ = *l.read();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*l.read(), 40_000);
        static S: SpinRwLock<u32> = SpinRwLock::new(7);
        let mut hold = ForkHold::default();
        hold.hold(S.write());
        drop(hold);
        assert_eq!(*S.write(), 7);
    }

    #[test]
    fn a_hold_keeps_locks_until_dropped() {
        let mut hold = ForkHold::default();
        hold.hold(M.lock());
        hold.hold(L.write());
        assert!(M.0.try_lock().is_err());
        assert!(L.0.try_read().is_err());
        drop(hold);
        *M.lock() += 1;
        assert_eq!(*L.read(), 0);
    }
}
