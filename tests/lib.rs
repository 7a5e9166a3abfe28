//! End-to-end tests for the Crucible workspace live in this package's test targets; this
//! library is empty.
