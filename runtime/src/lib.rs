//! # hbsan-rt — the hbsan detector runtime
//!
//! A happens-before data-race detector: instrumented programs call it on
//! every memory access and synchronization operation, and it reports any
//! two accesses to the same memory, at least one a write, that no
//! happens-before edge orders.
//!
//! Layers, top to bottom:
//! - [`abi`]: the `extern "C"` hooks (Go's race ABI; the compiler
//!   instrumentation ABI);
//! - [`runtime`], [`thread`], [`sync`], [`report`]: the detector;
//! - [`shadow`], [`clock`]: the data structures of the access check;
//! - [`platform`]: the OS underneath.
//!
//! `unsafe` code lives in [`platform`] ([`platform::mmap`], [`platform::tls`],
//! …), [`shadow::memory`],
//! [`thread::pool`], [`thread::trace::ring`], [`report::symbolize`] and the
//! ABI modules, each use with a `SAFETY:` note.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

pub mod abi;
pub mod clock;
pub mod heap;
pub mod options;
pub mod platform;
pub mod report;
pub mod runtime;
pub mod shadow;
pub mod sync;
pub mod thread;
