//! # crucible-problems
//!
//! The problem model shared by evaluation and campaigns, and readers for the formats users
//! already have: Kattis problem packages (our own on-disk format), CodeContests, LiveCodeBench
//! and APPS (stdin/stdout), and P3, HumanEval and MBPP (function-level Python). A malformed
//! problem is reported with its file and field and skipped; it never aborts loading a set.

mod error;
pub mod formats;
mod model;
pub mod python;

pub use error::{LoadError, LoadReport};
pub use model::{
    Difficulty, FunctionStyle, FunctionTask, P3_ANSWER_TYPE, P3_PRELUDE, Problem, Solution, Split,
    StdioTask, Task, Test, TestGroup,
};
