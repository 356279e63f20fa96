//! Logical time: epochs, vector clocks, and the slots that threads stamp
//! their accesses with.

pub mod epoch;
mod lines;
pub mod slots;
pub mod sync_clock;
#[cfg(test)]
pub(crate) mod test_rng;
pub mod vector_clock;

pub use epoch::{Epoch, MAX_SLOTS, Slot};
pub use sync_clock::SyncClock;
pub use vector_clock::{ClockEntries, VectorClock};
