//! The program-first draft as the proposer wrote it, the name of its function and the least
//! it must yield.

use serde::{Deserialize, Serialize};

/// The function every program-first puzzle defines.
pub const ENTRY: &str = "f";

/// Fewest inputs that must run (the rest are dropped): induction shows half and judges on half.
pub const MIN_INPUTS: usize = 5;

/// Fewest distinct outputs: a function that returns three values on ten inputs teaches little.
pub const MIN_DISTINCT_OUTPUTS: usize = 5;

/// A program-first puzzle as the proposer wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramDraft {
    /// What `f` computes, in words (the induction task's statement).
    pub description: String,
    /// The program: `def f(...)` with any imports and helpers it needs.
    pub code: String,
    /// Argument lists, each the text between the parentheses of a call to `f`.
    pub inputs: Vec<String>,
    /// The seed program this draft is a variant of (a mutation proposal; its instruction
    /// shows it), `None` for a free proposal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The variant of `parent` the proposer named in one sentence when shown it, before it
    /// wrote this program from that sentence without seeing the seed (a mutation in two
    /// requests); `None` for a free proposal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idea: Option<String>,
}
