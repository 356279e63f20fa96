//! hbsan runtime
