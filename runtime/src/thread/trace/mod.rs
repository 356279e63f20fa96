//! The bounded per-slot history of events (function entries and exits,
//! epoch changes, memory accesses) from which the stack of an old access is
//! rebuilt when it turns out to race with a new one.

pub mod event;
pub mod restore;
pub mod ring;

pub use restore::{Restored, Target, restore};
pub use ring::{TraceRing, TraceWriter};
