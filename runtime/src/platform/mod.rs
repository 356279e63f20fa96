//! The operating system underneath: memory reservations, fatal errors.

pub mod atomic128;
pub mod die;
pub mod lock;
pub mod mmap;
pub mod stack;
pub mod tls;
