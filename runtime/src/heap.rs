//! Live heap blocks of native programs: start, size, allocating thread and
//! stack, for reports (`Location is heap block of size 256 at … allocated
//! by thread T1:`) and for checking frees.
//!
//! Sharded by block start so concurrent `malloc`s rarely share a lock.
//! Finding the block that contains an address (report time only) asks every
//! shard for its closest block at or below the address.

use std::collections::BTreeMap;

use crate::platform::lock::{ForkHold, Mutex};
use crossbeam_utils::CachePadded;

use crate::report::stack_depot::StackId;
use crate::thread::Tid;

const SHARDS: usize = 64;

/// A live heap block.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Size the program asked for.
    pub size: usize,
    /// Allocating thread.
    pub tid: Tid,
    /// Allocation stack.
    pub stack: StackId,
}

/// The table of live blocks.
pub struct HeapBlocks {
    shards: Box<[CachePadded<Mutex<BTreeMap<usize, Block>>>]>,
}

impl Default for HeapBlocks {
    fn default() -> Self {
        HeapBlocks::new()
    }
}

impl HeapBlocks {
    /// An empty table.
    pub fn new() -> HeapBlocks {
        HeapBlocks {
            shards: (0..SHARDS)
                .map(|_| CachePadded::new(Mutex::new(BTreeMap::new())))
                .collect(),
        }
    }

    fn shard(&self, start: usize) -> &Mutex<BTreeMap<usize, Block>> {
        // Blocks are at least 16-byte aligned: spread neighbours over shards.
        &self.shards[(start >> 4).wrapping_mul(0x9e37_79b9) % SHARDS]
    }

    /// Records a block at `start`.
    pub fn insert(&self, start: usize, block: Block) {
        self.shard(start).lock().insert(start, block);
    }

    /// Forgets the block starting at `start`, returning it.
    pub fn remove(&self, start: usize) -> Option<Block> {
        self.shard(start).lock().remove(&start)
    }

    /// The block holding `addr`, with its start.
    pub fn containing(&self, addr: usize) -> Option<(usize, Block)> {
        let mut best: Option<(usize, Block)> = None;
        for shard in self.shards.iter() {
            let s = shard.lock();
            if let Some((&start, &b)) = s.range(..=addr).next_back() {
                if addr < start + b.size.max(1) && best.is_none_or(|(s0, _)| start > s0) {
                    best = Some((start, b));
                }
            }
        }
        best
    }

    /// Holds every shard's lock across `fork`, in order.
    pub(crate) fn hold_for_fork(&'static self, hold: &mut ForkHold) {
        for shard in self.shards.iter() {
            hold.hold(shard.lock());
        }
    }

    /// Forgets every block starting in `[start, start + len)` (unmapped memory).
    pub fn remove_range(&self, start: usize, len: usize) {
        let end = start.saturating_add(len);
        for shard in self.shards.iter() {
            let mut s = shard.lock();
            let doomed: Vec<usize> = s.range(start..end).map(|(&a, _)| a).collect();
            for a in doomed {
                s.remove(&a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_found_by_any_of_their_bytes() {
        let h = HeapBlocks::new();
        let b = |size| Block {
            size,
            tid: Tid(1),
            stack: StackId::EMPTY,
        };
        h.insert(0x1000, b(256));
        h.insert(0x1100, b(16));
        assert_eq!(h.containing(0x1000).map(|x| x.0), Some(0x1000));
        assert_eq!(h.containing(0x10ff).map(|x| x.0), Some(0x1000));
        assert_eq!(h.containing(0x1105).map(|x| x.0), Some(0x1100));
        assert_eq!(h.containing(0x1110), None);
        assert_eq!(h.containing(0xfff), None);
        assert_eq!(h.remove(0x1000), Some(b(256)));
        assert_eq!(h.containing(0x1010), None);
        h.remove_range(0x1000, 0x1000);
        assert_eq!(h.containing(0x1105), None);
    }
}
