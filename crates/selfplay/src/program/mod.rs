//! Program-first puzzles (the shape of Absolute Zero's tasks): the proposer writes a small
//! deterministic Python function `f`, a short description of it and about ten inputs; the
//! sandbox runs `f` on every input and records what it returns, so the reference cannot fail
//! its own tests. From one (program, inputs, outputs) triple come the solver's tasks:
//!
//! - **induction** ([`induction_problem`]): the description and half of the input/output pairs
//!   as a function stub with examples → write `f`; judged on the other half with asserts, the
//!   way MBPP is judged;
//! - **deduction** ([`deduction_problem`]): `f` and one input → the value `f` returns; the
//!   answer is a literal, read without running any of the solver's code
//!   ([`FunctionStyle::Value`](crucible_problems::FunctionStyle::Value));
//! - **abduction** ([`abduction_problem`]): `f` and one of its outputs → a call of `f` that
//!   produces it; the call's arguments are read as literals and judged by running the
//!   proposer's `f` on them ([`FunctionStyle::Call`](crucible_problems::FunctionStyle::Call)).
//!
//! An input is the text between the parentheses of a call, `f(3, [1, 2])` → `3, [1, 2]`: Python
//! literals only (read with `ast.literal_eval`), so an input cannot run code of its own.

mod draft;
mod examples;
mod gate;
mod harness;
mod reply;
mod returns;
mod tasks;

pub use draft::{ENTRY, MIN_DISTINCT_OUTPUTS, MIN_INPUTS, ProgramDraft};
pub use examples::{EXAMPLES, example_drafts, seed_programs};
pub use gate::banned_use;
pub use harness::{finder, found_pairs, runner};
pub use reply::{call_args, parse_program, render_program};
pub use returns::few_valued;
pub use tasks::{abduction_problem, deduction_problem, induction_problem};

#[cfg(test)]
mod tests;
