//! The wiring behind the `crucible` command that its end-to-end tests share: opening models
//! (fetching known ones on first use, merging shipped adapters) and fine-tuning campaign roles with `crucible-train`.

pub mod adapters;
pub mod fetch;
pub mod wiring;
