//! Threads: their state, their ids, their storage, their history.

pub mod current;
pub mod lifecycle;
pub mod pool;
pub mod registry;
pub mod state;
pub mod stats;
pub mod trace;

pub use registry::{ThreadInfo, Tid};
pub use state::ThreadState;
