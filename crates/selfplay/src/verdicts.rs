//! What the gates say about a proposal: why a reply is not a puzzle ([`FormatProblem`]), why a
//! draft is rejected ([`Rejection`], its [`Reason`] stored by name and counted in reports),
//! and the tests of a valid one ([`PuzzleTest`]). A leaf: parsing, validation, the store and
//! the reports all read it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One test of a validated puzzle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PuzzleTest {
    /// Standard input.
    pub input: String,
    /// The reference's output.
    pub expected: String,
    /// Program-first: the sandbox found this input (the proposer wrote too few that run).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub found: bool,
}

/// Why a reply is not a puzzle (each is a counted rejection reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatProblem {
    /// No fenced code block at all.
    NoCode,
    /// No statement text.
    NoStatement,
    /// No reference solution in the wanted language.
    NoSolution,
    /// Neither test inputs nor a generator.
    NoTests,
    /// P3: no `def sat(`.
    NoSat,
    /// Program-first: no code block defines `f`.
    NoFunction,
}

impl FormatProblem {
    /// The rejection reason stored for it.
    pub fn reason(self) -> &'static str {
        match self {
            FormatProblem::NoCode => "format_no_code",
            FormatProblem::NoStatement => "format_no_statement",
            FormatProblem::NoSolution => "format_no_solution",
            FormatProblem::NoTests => "format_no_tests",
            FormatProblem::NoSat => "format_no_sat",
            FormatProblem::NoFunction => "format_no_function",
        }
    }
}

/// Why a proposal was rejected: the name stored in the campaign database and counted in
/// `campaign status` and the report.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// The reply is not in the layout asked for.
    Format(FormatProblem),
    /// Program-first: the program imports a banned module or calls a banned function.
    BannedCall,
    /// The reference does not compile.
    ReferenceCompileError,
    /// The reference fails (crash, time, memory) on a test it must pass.
    ReferenceFailed,
    /// The test generator does not compile or fails.
    GeneratorFailed,
    /// A second run with another random seed gives other outputs.
    Nondeterministic,
    /// Fewer usable test inputs than the minimum.
    TooFewTests,
    /// Program-first: fewer distinct outputs than the minimum.
    FewDistinctOutputs,
    /// A test output is larger than the limit.
    OutputTooLarge,
    /// The reference prints nothing.
    EmptyOutput,
    /// Every test has the same output (the tests cannot tell solutions apart).
    ConstantOutput,
    /// P3: a trivial answer satisfies `sat`.
    TrivialSat,
    /// A mutation proposal too close to the seed program it was to vary.
    CopiedParent,
    /// Too close to a seed-set example shown to the proposer.
    CopiedExample,
    /// Too close to an earlier puzzle of the campaign.
    NearDuplicate,
    /// P3 without a reference: none of the solver's attempts satisfied `sat`.
    Unsolved,
    /// A name this version does not know (a database written by another version): kept as is.
    Other(String),
}

impl Reason {
    /// Every reason this version writes, for parsing and documentation.
    pub const KNOWN: [Reason; 21] = [
        Reason::Format(FormatProblem::NoCode),
        Reason::Format(FormatProblem::NoStatement),
        Reason::Format(FormatProblem::NoSolution),
        Reason::Format(FormatProblem::NoTests),
        Reason::Format(FormatProblem::NoSat),
        Reason::Format(FormatProblem::NoFunction),
        Reason::BannedCall,
        Reason::ReferenceCompileError,
        Reason::ReferenceFailed,
        Reason::GeneratorFailed,
        Reason::Nondeterministic,
        Reason::TooFewTests,
        Reason::FewDistinctOutputs,
        Reason::OutputTooLarge,
        Reason::EmptyOutput,
        Reason::ConstantOutput,
        Reason::TrivialSat,
        Reason::CopiedParent,
        Reason::CopiedExample,
        Reason::NearDuplicate,
        Reason::Unsolved,
    ];

    /// The stored name (`format_no_code`, `nondeterministic`, …).
    pub fn name(&self) -> &str {
        match self {
            Reason::Format(problem) => problem.reason(),
            Reason::BannedCall => "banned_call",
            Reason::ReferenceCompileError => "reference_compile_error",
            Reason::ReferenceFailed => "reference_failed",
            Reason::GeneratorFailed => "generator_failed",
            Reason::Nondeterministic => "nondeterministic",
            Reason::TooFewTests => "too_few_tests",
            Reason::FewDistinctOutputs => "few_distinct_outputs",
            Reason::OutputTooLarge => "output_too_large",
            Reason::EmptyOutput => "empty_output",
            Reason::ConstantOutput => "constant_output",
            Reason::TrivialSat => "trivial_sat",
            Reason::CopiedParent => "copied_parent",
            Reason::CopiedExample => "copied_example",
            Reason::NearDuplicate => "near_duplicate",
            Reason::Unsolved => "unsolved",
            Reason::Other(name) => name,
        }
    }

    /// The reason stored as `name` (an unknown name is kept as [`Reason::Other`]).
    pub fn parse(name: &str) -> Reason {
        Reason::KNOWN
            .into_iter()
            .find(|r| r.name() == name)
            .unwrap_or_else(|| Reason::Other(name.to_string()))
    }

    /// Whether the proposal repeated a seed-set example or an earlier puzzle: the
    /// near-duplicate rate of the reports (a mutation too close to its own seed program is
    /// counted under its own name).
    pub fn is_duplicate(&self) -> bool {
        matches!(self, Reason::CopiedExample | Reason::NearDuplicate)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a draft was rejected, and what exactly happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The counted reason.
    pub reason: Reason,
    /// What exactly happened (shown in the report; may be empty).
    pub detail: String,
}

impl Rejection {
    /// A rejection for `reason`.
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Rejection {
            reason,
            detail: detail.into(),
        }
    }
}

/// The sandbox's verdict on a draft: its tests, or why it is rejected.
pub type Validation = Result<Vec<PuzzleTest>, Rejection>;

/// The last non-empty line of an error text (a Python error's message), at most 200
/// characters: what a proposer is shown of a failure.
pub(crate) fn last_line(text: &str) -> String {
    let line = text.lines().rev().find(|l| !l.trim().is_empty());
    line.unwrap_or("").trim().chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_back_from_its_name() {
        for reason in Reason::KNOWN {
            assert_eq!(Reason::parse(reason.name()), reason);
        }
        let names: std::collections::HashSet<&str> =
            Reason::KNOWN.iter().map(Reason::name).collect();
        assert_eq!(names.len(), Reason::KNOWN.len(), "names are distinct");
        assert_eq!(
            Reason::parse("retired_reason"),
            Reason::Other("retired_reason".into())
        );
        assert_eq!(Reason::parse("retired_reason").name(), "retired_reason");
    }
}
