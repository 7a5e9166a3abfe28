//! The wiring behind the `crucible` command that its end-to-end tests share: opening models
//! (fetching known ones on first use) and fine-tuning campaign roles with `crucible-train`.

pub mod wiring;
