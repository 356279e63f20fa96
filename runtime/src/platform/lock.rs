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
