//! The table of synchronization objects: address → vector clock.
//!
//! Any address can be a synchronization object (a mutex, a channel slot, an
//! atomic variable, a WaitGroup). Objects are created on first release and
//! removed when their memory is freed. The table is split into shards keyed
//! by the object's page, so unrelated objects rarely share a lock and
//! freeing a block only visits the shards of its pages.

use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::collections::BTreeMap;

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

use crate::clock::VectorClock;

const SHARDS: usize = 256;
const PAGE_SHIFT: u32 = 12;

/// One synchronization object.
#[derive(Default, Debug)]
pub struct SyncVar {
    /// What releases on this object have published.
    pub clock: VectorClock,
    /// What read-unlocks of a reader-writer lock have published (a writer
    /// acquires both clocks; a reader only `clock`).
    pub read_clock: VectorClock,
    /// The thread holding the object as a lock for writing, if any: tells
    /// a write unlock from a read unlock.
    pub writer: Option<crate::thread::Tid>,
}

#[derive(Default)]
struct Shard {
    objects: Mutex<BTreeMap<usize, SyncVar>>,
    /// Number of objects, readable without the lock.
    len: AtomicUsize,
}

/// The table.
pub struct SyncTable {
    shards: Box<[CachePadded<Shard>]>,
    total: AtomicUsize,
}

impl Default for SyncTable {
    fn default() -> Self {
        SyncTable::new()
    }
}

impl SyncTable {
    /// An empty table.
    pub fn new() -> SyncTable {
        SyncTable {
            shards: (0..SHARDS)
                .map(|_| CachePadded::new(Shard::default()))
                .collect(),
            total: AtomicUsize::new(0),
        }
    }

    fn shard_of_page(page: usize) -> usize {
        // Fibonacci hashing spreads neighbouring pages over the shards.
        (page.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (usize::BITS - SHARDS.trailing_zeros()))
            % SHARDS
    }

    fn shard(&self, addr: usize) -> &Shard {
        &self.shards[Self::shard_of_page(addr >> PAGE_SHIFT)]
    }

    /// Runs `f` on the object at `addr`, creating it if needed.
    pub fn with<R>(&self, addr: usize, f: impl FnOnce(&mut SyncVar) -> R) -> R {
        let shard = self.shard(addr);
        let mut objects = shard.objects.lock();
        let var = objects.entry(addr).or_insert_with(|| {
            shard.len.fetch_add(1, Relaxed);
            self.total.fetch_add(1, Relaxed);
            SyncVar::default()
        });
        f(var)
    }

    /// Forgets the object at `addr` (a destroyed lock).
    pub fn remove(&self, addr: usize) {
        self.remove_range(addr, 1);
    }

    /// Runs `f` on the object at `addr` if it exists.
    pub fn with_existing<R>(&self, addr: usize, f: impl FnOnce(&mut SyncVar) -> R) -> Option<R> {
        let shard = self.shard(addr);
        if shard.len.load(Relaxed) == 0 {
            return None;
        }
        shard.objects.lock().get_mut(&addr).map(f)
    }

    /// Removes every object in `[start, start + len)` (its memory was freed).
    pub fn remove_range(&self, start: usize, len: usize) {
        if len == 0 || self.total.load(Relaxed) == 0 {
            return;
        }
        let end = start.saturating_add(len);
        let (first, last) = (start >> PAGE_SHIFT, (end - 1) >> PAGE_SHIFT);
        if last - first >= SHARDS {
            for shard in self.shards.iter() {
                self.remove_in(shard, start, end);
            }
        } else {
            let mut seen = [false; SHARDS];
            for page in first..=last {
                let i = Self::shard_of_page(page);
                if !core::mem::replace(&mut seen[i], true) {
                    self.remove_in(&self.shards[i], start, end);
                }
            }
        }
    }

    fn remove_in(&self, shard: &Shard, start: usize, end: usize) {
        if shard.len.load(Relaxed) == 0 {
            return;
        }
        let mut objects = shard.objects.lock();
        let doomed: Vec<usize> = objects.range(start..end).map(|(&a, _)| a).collect();
        for a in &doomed {
            objects.remove(a);
        }
        shard.len.fetch_sub(doomed.len(), Relaxed);
        self.total.fetch_sub(doomed.len(), Relaxed);
    }

    /// Takes every shard's lock for `fork`, in order.
    pub(crate) fn lock_for_fork(&self) {
        for shard in self.shards.iter() {
            core::mem::forget(shard.objects.lock());
        }
    }

    /// Releases the locks taken by [`lock_for_fork`](Self::lock_for_fork).
    ///
    /// # Safety
    /// The calling thread must hold them from `lock_for_fork`.
    pub(crate) unsafe fn unlock_after_fork(&self) {
        for shard in self.shards.iter().rev() {
            // SAFETY: forwarded contract.
            unsafe { shard.objects.force_unlock() };
        }
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.total.load(Relaxed)
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Epoch, Slot};

    #[test]
    fn objects_are_created_found_and_freed_by_range() {
        let t = SyncTable::new();
        assert!(t.with_existing(0x1000, |_| ()).is_none());
        t.with(0x1000, |v| v.clock.set(Slot::new(1), Epoch::new(3)));
        t.with(0x1008, |_| ());
        t.with(0x9000, |_| ());
        assert_eq!(
            t.with_existing(0x1000, |v| v.clock.get(Slot::new(1))),
            Some(Epoch::new(3))
        );
        assert_eq!(t.len(), 3);
        t.remove_range(0x1004, 8);
        assert_eq!(t.len(), 2);
        assert!(t.with_existing(0x1008, |_| ()).is_none());
        assert!(t.with_existing(0x1000, |_| ()).is_some());
        t.remove_range(0, 1 << 40);
        assert!(t.is_empty());
    }
}
