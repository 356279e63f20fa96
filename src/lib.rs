//! The `hbsan` command line's library: the compile-and-link drivers ([`cc`], [`go`],
//! [`cargo`]), our own instrumentation pass ([`instrument`]), the demos and [`minigo`], a
//! miniature Go runtime that drives the race ABI the way Go's runtime does (the demos and the
//! memory-model tests run on it).

pub mod cargo;
pub mod cc;
pub mod demo;
pub mod go;
pub mod instrument;
pub mod minigo;
pub mod user_cache;
