//! The operating system underneath: memory reservations, fatal errors.

pub mod die;
pub mod mmap;
