//! The `extern "C"` faces of the runtime. Each is a thin translation into
//! core calls; no panic crosses them (`extern "C"` functions abort instead
//! of unwinding).

pub mod go;
