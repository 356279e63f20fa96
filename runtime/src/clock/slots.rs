//! Thread slots: who stamps accesses with which slot, and when a slot may be
//! handed to another thread.
//!
//! ## Why reuse is exact
//! A shadow cell names a slot and an epoch, not a thread. When a thread
//! ends, its cells stay in the shadow; if a later thread took the slot and
//! restarted its epochs, old cells would look like the new thread's own
//! accesses and hide races. So a slot's epochs never restart: the next owner
//! continues counting after the last epoch the previous owner reached.
//!
//! That alone is not enough. A vector clock entry `clock[s] = e` means "I
//! know everything slot `s` did up to epoch `e`", and that must stay true
//! when `s`'s history is made of several threads. Hence the reuse rule: a
//! dead slot is given to a new thread only if the new thread's starting
//! clock (inherited from its creator) already covers the slot's last
//! recorded epoch (its *retire* epoch). Then everything the old owner did
//! happens-before everything the new owner does, the slot's history is one
//! chain, and both facts above hold: an old cell of the slot is ordered
//! before the new owner's accesses (so treating it as "own" is right), and a
//! thread that acquires a clock naming the new owner's epochs truly knows
//! the old owner's accesses (by transitivity).
//!
//! Threads that end without anybody synchronizing with them (detached
//! threads, fire-and-forget goroutines) leave slots nobody can reuse. When
//! fresh slots run out, [`SlotTable::attach`] asks its caller to forget all
//! recorded accesses (reset the whole shadow): with no cells left, every dead
//! slot is reusable. That loses the races between accesses before and after
//! the reset, never reports a false one, and happens only after
//! [`MAX_SLOTS`] threads died unsynchronized.
//!
//! A thread whose epoch counter is exhausted moves to another slot the same
//! way; its old slot retires for good.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::collections::VecDeque;

use crate::platform::lock::{ForkHold, Mutex};
use crossbeam_utils::CachePadded;

use super::{Epoch, MAX_SLOTS, Slot, VectorClock};
use crate::thread::Tid;
use crate::thread::trace::TraceRing;

/// How many dead slots [`SlotTable::attach`] examines. Keeps thread creation
/// O(1) when many threads die unsynchronized; slots that do not qualify go
/// to the back of the queue, so every one is examined again in turn.
const REUSE_SCAN: usize = 256;
/// Owners remembered per slot (older ones are reported as unknown threads).
const JOURNAL_LEN: usize = 4096;

/// A slot that a thread has just taken.
pub struct Attached {
    /// The slot.
    pub slot: Slot,
    /// The thread's first epoch in it.
    pub epoch: Epoch,
    /// The slot's history ring.
    pub ring: &'static TraceRing,
}

/// Why no slot could be given.
#[derive(Debug, PartialEq, Eq)]
pub enum AttachError {
    /// Every slot is owned by a live thread.
    TooManyThreads,
    /// The history ring could not be allocated.
    OutOfMemory,
}

struct DeadSlot {
    slot: Slot,
    /// Newest epoch that may appear in the slot's cells.
    retire: Epoch,
}

#[derive(Default)]
struct SlotInfo {
    /// Highest epoch any owner reached.
    last_epoch: Epoch,
    /// Owners by first epoch, oldest first.
    journal: VecDeque<(Epoch, Tid)>,
    ring: Option<&'static TraceRing>,
}

struct Pool {
    next_fresh: usize,
    /// Dead slots, oldest first.
    dead: VecDeque<DeadSlot>,
    info: Vec<SlotInfo>,
    ring_parts: usize,
}

/// The table of all slots.
pub struct SlotTable {
    pool: Mutex<Pool>,
    /// Every slot's current epoch (the owner's, or the last one reached),
    /// for synchronizing with everything at once. Padded: each owner writes
    /// its entry at every release.
    current: Epochs,
}

/// [`SlotTable::current`]: `MAX_SLOTS` padded atomics (4 MiB) in an
/// anonymous mapping, so that only the pages of slots in use cost memory.
/// (A zeroed `Box` of this alignment is `posix_memalign` plus a `memset`
/// of the whole 4 MiB.)
struct Epochs(memmap2::MmapMut);

impl Epochs {
    fn new() -> Epochs {
        let len = MAX_SLOTS * core::mem::size_of::<CachePadded<AtomicU64>>();
        match memmap2::MmapOptions::new().len(len).map_anon() {
            Ok(m) => Epochs(m),
            Err(e) => crate::die!("cannot map the slot table: {e}"),
        }
    }
}

impl core::ops::Deref for Epochs {
    type Target = [CachePadded<AtomicU64>];

    fn deref(&self) -> &[CachePadded<AtomicU64>] {
        // SAFETY: the mapping holds `MAX_SLOTS` elements: it is page-aligned
        // (more than `CachePadded`'s alignment), zero-filled (all-zero bytes
        // are a valid `CachePadded<AtomicU64>`), lives as long as `self`, and
        // is only accessed through these atomics.
        unsafe { core::slice::from_raw_parts(self.0.as_ptr() as *const _, MAX_SLOTS) }
    }
}

impl SlotTable {
    /// A table whose history rings have `ring_parts` parts each.
    pub fn new(ring_parts: usize) -> SlotTable {
        let current = Epochs::new();
        SlotTable {
            pool: Mutex::new(Pool {
                next_fresh: 0,
                dead: VecDeque::new(),
                info: Vec::new(),
                ring_parts,
            }),
            current,
        }
    }

    /// Gives a slot to thread `tid`, whose clock at birth is `known`.
    /// `forget_all_accesses` is called (with the table locked) when dead
    /// slots can only be recycled by resetting the whole shadow.
    pub fn attach(
        &self,
        known: &VectorClock,
        tid: Tid,
        forget_all_accesses: impl FnOnce(),
    ) -> Result<Attached, AttachError> {
        let mut pool = self.pool.lock();
        let slot = pool.pick(known, forget_all_accesses)?;
        let parts = pool.ring_parts;
        let info = &mut pool.info[slot.index()];
        let ring = match info.ring {
            Some(r) => r,
            None => {
                let r: &'static TraceRing = Box::leak(Box::new(
                    TraceRing::new(parts).map_err(|_| AttachError::OutOfMemory)?,
                ));
                info.ring = Some(r);
                r
            }
        };
        // `pick` never returns an exhausted slot.
        let epoch = info
            .last_epoch
            .next()
            .expect("picked slots have epochs left");
        info.last_epoch = epoch;
        if info.journal.len() == JOURNAL_LEN {
            info.journal.pop_front();
        }
        info.journal.push_back((epoch, tid));
        self.current[slot.index()].store(epoch.get(), Relaxed);
        Ok(Attached { slot, epoch, ring })
    }

    /// The owner of `slot` is gone. It reached epoch `reached`; its cells
    /// carry epochs up to `retire` (one less when it did not access memory
    /// since its last epoch change).
    pub fn detach(&self, slot: Slot, reached: Epoch, retire: Epoch) {
        let mut pool = self.pool.lock();
        let info = &mut pool.info[slot.index()];
        info.last_epoch = info.last_epoch.max(reached);
        if info.last_epoch.next().is_some() {
            pool.dead.push_back(DeadSlot { slot, retire });
        }
    }

    /// Publishes the current epoch of `slot`'s owner.
    #[inline]
    pub fn publish(&self, slot: Slot, epoch: Epoch) {
        self.current[slot.index()].store(epoch.get(), Relaxed);
    }

    /// A clock holding every slot's current epoch: synchronizing with it
    /// orders everything any thread has done so far.
    pub fn everything(&self) -> VectorClock {
        let used = self.pool.lock().next_fresh;
        let mut c = VectorClock::new();
        for (i, e) in self.current[..used].iter().enumerate() {
            c.set(Slot::new(i), Epoch::new(e.load(Relaxed)));
        }
        c
    }

    /// The thread that owned `slot` at `epoch`, if still remembered.
    pub fn owner_at(&self, slot: Slot, epoch: Epoch) -> Option<Tid> {
        let pool = self.pool.lock();
        let journal = &pool.info.get(slot.index())?.journal;
        let after = journal.partition_point(|&(start, _)| start <= epoch);
        if after == 0 {
            None
        } else {
            Some(journal[after - 1].1)
        }
    }

    /// The history ring of `slot`, if the slot was ever used.
    pub fn ring(&self, slot: Slot) -> Option<&'static TraceRing> {
        self.pool.lock().info.get(slot.index())?.ring
    }

    /// Holds the table's lock across `fork`.
    pub(crate) fn hold_for_fork(&'static self, hold: &mut ForkHold) {
        hold.hold(self.pool.lock());
    }

    /// Number of slots handed out fresh so far (the highest slot index + 1).
    pub fn slots_used(&self) -> usize {
        self.pool.lock().next_fresh
    }
}

impl Pool {
    fn pick(
        &mut self,
        known: &VectorClock,
        forget_all_accesses: impl FnOnce(),
    ) -> Result<Slot, AttachError> {
        // A dead slot whose whole history the new thread already knows. The
        // oldest first: threads that ended long ago are the likeliest to be
        // known (joined, waited for) by now.
        for _ in 0..self.dead.len().min(REUSE_SCAN) {
            let d = self.dead.pop_front().expect("counted");
            if known.get(d.slot) >= d.retire {
                return Ok(d.slot);
            }
            self.dead.push_back(d);
        }
        if self.next_fresh < MAX_SLOTS {
            let slot = Slot::new(self.next_fresh);
            self.next_fresh += 1;
            self.info.push(SlotInfo::default());
            return Ok(slot);
        }
        if self.dead.is_empty() {
            return Err(AttachError::TooManyThreads);
        }
        // No cell of any dead slot survives a reset: all become reusable.
        forget_all_accesses();
        for d in &mut self.dead {
            d.retire = Epoch::ZERO;
        }
        Ok(self.dead.pop_back().expect("checked non-empty").slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(entries: &[(usize, u64)]) -> VectorClock {
        let mut c = VectorClock::new();
        for &(s, e) in entries {
            c.set(Slot::new(s), Epoch::new(e));
        }
        c
    }

    #[test]
    fn fresh_slots_start_at_epoch_one() {
        let t = SlotTable::new(2);
        let a = t.attach(&VectorClock::new(), Tid(1), || panic!()).unwrap();
        let b = t.attach(&VectorClock::new(), Tid(2), || panic!()).unwrap();
        assert_eq!((a.slot, a.epoch), (Slot::new(0), Epoch::new(1)));
        assert_eq!((b.slot, b.epoch), (Slot::new(1), Epoch::new(1)));
        assert_eq!(t.owner_at(Slot::new(1), Epoch::new(1)), Some(Tid(2)));
    }

    #[test]
    fn a_dead_slot_goes_only_to_a_thread_that_knows_its_history() {
        let t = SlotTable::new(2);
        let a = t.attach(&VectorClock::new(), Tid(1), || panic!()).unwrap();
        t.detach(a.slot, Epoch::new(5), Epoch::new(5));
        // Knows slot 0 only up to epoch 4: must get a fresh slot.
        let b = t.attach(&clock(&[(0, 4)]), Tid(2), || panic!()).unwrap();
        assert_eq!(b.slot, Slot::new(1));
        // Knows it up to 5: reuses slot 0, continuing its epochs.
        let c = t.attach(&clock(&[(0, 5)]), Tid(3), || panic!()).unwrap();
        assert_eq!((c.slot, c.epoch), (Slot::new(0), Epoch::new(6)));
        assert_eq!(t.owner_at(Slot::new(0), Epoch::new(5)), Some(Tid(1)));
        assert_eq!(t.owner_at(Slot::new(0), Epoch::new(6)), Some(Tid(3)));
        assert!(
            std::ptr::eq(a.ring, c.ring),
            "the history continues in the same ring"
        );
    }

    #[test]
    fn a_clean_last_epoch_is_not_required_knowledge() {
        let t = SlotTable::new(2);
        let a = t.attach(&VectorClock::new(), Tid(1), || panic!()).unwrap();
        // Reached 7 but made no access since 6 (its last release).
        t.detach(a.slot, Epoch::new(7), Epoch::new(6));
        let b = t.attach(&clock(&[(0, 6)]), Tid(2), || panic!()).unwrap();
        assert_eq!((b.slot, b.epoch), (Slot::new(0), Epoch::new(8)));
    }

    #[test]
    fn running_out_of_slots_recycles_dead_ones_after_a_reset() {
        let t = SlotTable::new(2);
        let mut live = Vec::new();
        for i in 0..MAX_SLOTS {
            live.push(
                t.attach(&VectorClock::new(), Tid(i as u32), || panic!())
                    .unwrap(),
            );
        }
        assert_eq!(
            t.attach(&VectorClock::new(), Tid(0), || panic!()).err(),
            Some(AttachError::TooManyThreads)
        );
        let victim = live.pop().unwrap();
        t.detach(victim.slot, Epoch::new(3), Epoch::new(3));
        let mut reset = false;
        let again = t
            .attach(&VectorClock::new(), Tid(99), || reset = true)
            .unwrap();
        assert!(
            reset,
            "recycling an unknown history must forget all accesses"
        );
        assert_eq!((again.slot, again.epoch), (victim.slot, Epoch::new(4)));
    }

    #[test]
    fn exhausted_slots_retire() {
        let t = SlotTable::new(2);
        let a = t.attach(&VectorClock::new(), Tid(1), || panic!()).unwrap();
        t.detach(a.slot, Epoch::MAX, Epoch::MAX);
        let b = t
            .attach(&clock(&[(0, Epoch::MAX.get())]), Tid(2), || panic!())
            .unwrap();
        assert_eq!(b.slot, Slot::new(1));
    }

    #[test]
    fn everything_holds_each_slots_current_epoch() {
        let t = SlotTable::new(2);
        let a = t.attach(&VectorClock::new(), Tid(1), || panic!()).unwrap();
        let b = t.attach(&VectorClock::new(), Tid(2), || panic!()).unwrap();
        t.publish(b.slot, Epoch::new(9));
        assert_eq!(
            t.everything(),
            clock(&[(a.slot.index(), 1), (b.slot.index(), 9)])
        );
    }
}
