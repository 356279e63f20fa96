//! Property tests: mangled IR never panics the reader.
