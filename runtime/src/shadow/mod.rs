//! Shadow memory: the record of recent accesses to every application word,
//! and the check run against it on every access.

pub mod cell;
pub mod check;
pub mod layout;
pub mod memory;

pub use memory::Shadow;
