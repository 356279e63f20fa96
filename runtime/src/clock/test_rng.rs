//! A small deterministic generator of clocks for the clock modules' tests:
//! their laws are checked on many clocks without a property-testing
//! dependency.

use super::epoch::{Epoch, Slot};
use super::vector_clock::VectorClock;

/// An xorshift generator; the seed must not be zero.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next pseudo-random number.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A clock with up to five entries set, in slots below `slots`, to
    /// epochs below `epochs` (zero included: setting it trims).
    pub(super) fn clock(&mut self, slots: u64, epochs: u64) -> VectorClock {
        let mut c = VectorClock::new();
        for _ in 0..self.next() % 6 {
            let slot = Slot::new((self.next() % slots) as usize);
            c.set(slot, Epoch::new(self.next() % epochs));
        }
        c
    }
}
