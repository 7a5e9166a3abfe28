//! The kinds a campaign names: the puzzle kinds the proposer writes, the task kinds stored with
//! each puzzle row, and the two roles it trains.

use crucible_eval::prompts::Layout;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kinds of puzzle the proposer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PuzzleKind {
    /// A stdin/stdout problem: statement, reference solution, test inputs or a generator.
    Stdio,
    /// A Python Programming Puzzle: `sat(x)` and a `sol()` that satisfies it.
    P3,
    /// Program-first, induction: the proposer writes a function `f` and inputs (the sandbox
    /// computes the outputs); the solver writes `f` from its description and half of the
    /// input/output pairs ([`crate::program`]).
    Induction,
    /// Program-first, deduction: from the same kind of proposal, the solver works out what `f`
    /// returns for a given input (a value, judged without running the solver's code).
    Deduction,
    /// Program-first, abduction: from the same kind of proposal, the solver finds arguments for
    /// which `f` returns a given output.
    Abduction,
}

impl PuzzleKind {
    /// The name used in the store and in reports.
    pub fn name(self) -> &'static str {
        match self {
            PuzzleKind::Stdio => "stdio",
            PuzzleKind::P3 => "p3",
            PuzzleKind::Induction => "induction",
            PuzzleKind::Deduction => "deduction",
            PuzzleKind::Abduction => "abduction",
        }
    }

    /// Whether the proposer writes a program `f` and inputs (induction, deduction, abduction).
    pub fn program_first(self) -> bool {
        matches!(
            self,
            PuzzleKind::Induction | PuzzleKind::Deduction | PuzzleKind::Abduction
        )
    }

    /// The reply layout the proposer is asked for (the program-first kinds share one).
    pub fn layout(self) -> Layout {
        match self {
            PuzzleKind::Stdio => Layout::Stdio,
            PuzzleKind::P3 => Layout::P3,
            PuzzleKind::Induction | PuzzleKind::Deduction | PuzzleKind::Abduction => {
                Layout::Program
            }
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<PuzzleKind> {
        match name {
            "stdio" => Some(PuzzleKind::Stdio),
            "p3" => Some(PuzzleKind::P3),
            "induction" => Some(PuzzleKind::Induction),
            "deduction" => Some(PuzzleKind::Deduction),
            "abduction" => Some(PuzzleKind::Abduction),
            _ => None,
        }
    }
}

/// The kind of task stored with a puzzle row: a kind the proposer writes (pool problems of
/// the same shape, `stdio` and `p3`, share it), or a function-level pool problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskKind {
    /// A puzzle of one of the proposer's kinds.
    Puzzle(PuzzleKind),
    /// A function-level pool problem judged by its asserts (MBPP, HumanEval).
    Function,
}

impl TaskKind {
    /// The name used in the store and in reports: a puzzle kind's own name, or `function`.
    pub fn name(self) -> &'static str {
        match self {
            TaskKind::Puzzle(kind) => kind.name(),
            TaskKind::Function => "function",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<TaskKind> {
        match name {
            "function" => Some(TaskKind::Function),
            _ => PuzzleKind::parse(name).map(TaskKind::Puzzle),
        }
    }
}

impl From<PuzzleKind> for TaskKind {
    fn from(kind: PuzzleKind) -> Self {
        TaskKind::Puzzle(kind)
    }
}

/// The two roles a campaign trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrainRole {
    /// Writes puzzles; trained on valid, learnable puzzles.
    Proposer,
    /// Solves puzzles; trained on verified solutions.
    Solver,
}

impl TrainRole {
    /// The name used in the store, paths and reports.
    pub fn name(self) -> &'static str {
        match self {
            TrainRole::Proposer => "proposer",
            TrainRole::Solver => "solver",
        }
    }

    /// The role called `name`.
    pub fn parse(name: &str) -> Option<TrainRole> {
        match name {
            "proposer" => Some(TrainRole::Proposer),
            "solver" => Some(TrainRole::Solver),
            _ => None,
        }
    }
}

impl fmt::Display for TrainRole {
    /// Writes [`TrainRole::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
