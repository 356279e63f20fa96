//! Interned call stacks: a creation or allocation stack is stored once and
//! named by a small id, however many threads or blocks share it.

use std::collections::HashMap;

use crate::platform::lock::{ForkHold, Mutex};

/// Names a stored stack. [`StackId::EMPTY`] is the empty stack.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct StackId(u32);

impl StackId {
    /// The empty stack (also: "unknown").
    pub const EMPTY: StackId = StackId(0);
}

#[derive(Default)]
struct Depot {
    /// All frames of all stacks, back to back.
    frames: Vec<u64>,
    /// `(start, len)` of stack `i + 1` in `frames`.
    stacks: Vec<(usize, usize)>,
    by_hash: HashMap<u64, Vec<u32>>,
}

/// The stack depot.
#[derive(Default)]
pub struct StackDepot {
    depot: Mutex<Depot>,
}

impl StackDepot {
    /// An empty depot.
    pub fn new() -> StackDepot {
        StackDepot::default()
    }

    /// Stores `frames` (outermost first) and returns its id; equal stacks
    /// get equal ids.
    pub fn put(&self, frames: &[u64]) -> StackId {
        if frames.is_empty() {
            return StackId::EMPTY;
        }
        let h = hash(frames);
        let mut d = self.depot.lock();
        if let Some(ids) = d.by_hash.get(&h) {
            for &id in ids {
                let (s, n) = d.stacks[id as usize - 1];
                if &d.frames[s..s + n] == frames {
                    return StackId(id);
                }
            }
        }
        let start = d.frames.len();
        d.frames.extend_from_slice(frames);
        d.stacks.push((start, frames.len()));
        let id = u32::try_from(d.stacks.len()).unwrap_or(0);
        d.by_hash.entry(h).or_default().push(id);
        StackId(id)
    }

    /// Holds the depot's lock across `fork`.
    pub(crate) fn hold_for_fork(&'static self, hold: &mut ForkHold) {
        hold.hold(self.depot.lock());
    }

    /// The frames of `id` (outermost first); empty for [`StackId::EMPTY`].
    pub fn get(&self, id: StackId) -> Vec<u64> {
        if id == StackId::EMPTY {
            return Vec::new();
        }
        let d = self.depot.lock();
        match d.stacks.get(id.0 as usize - 1) {
            Some(&(s, n)) => d.frames[s..s + n].to_vec(),
            None => Vec::new(),
        }
    }
}

fn hash(frames: &[u64]) -> u64 {
    frames.iter().fold(0xcbf2_9ce4_8422_2325, |h, &f| {
        (h ^ f).wrapping_mul(0x1000_0000_01b3).rotate_left(23)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_stacks_share_an_id_and_round_trip() {
        let d = StackDepot::new();
        let a = d.put(&[1, 2, 3]);
        let b = d.put(&[1, 2, 4]);
        assert_ne!(a, b);
        assert_eq!(d.put(&[1, 2, 3]), a);
        assert_eq!(d.get(a), vec![1, 2, 3]);
        assert_eq!(d.get(b), vec![1, 2, 4]);
        assert_eq!(d.put(&[]), StackId::EMPTY);
        assert!(d.get(StackId::EMPTY).is_empty());
    }
}
