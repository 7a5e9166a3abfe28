//! Feedback turns for P3 proposals (`repairs`): what the proposer is told when its reply falls
//! short, and how far each of its drafts got, so the best one is kept.

use crate::config::PuzzleKind;
use crate::puzzle::Draft;
use crate::verdicts::{PuzzleTest, Reason, Rejection, last_line};
use crucible_eval::prompts::p3_repair_instruction;

/// A checked proposal's outcome: its draft and tests, or why it was rejected.
pub(super) type Outcome = Result<(Draft, Vec<PuzzleTest>), Rejection>;

/// What a P3 reply got wrong, as the proposer is told it in a feedback turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Flaw {
    /// No code block that defines `sat`.
    NoPuzzle,
    /// The code does not compile or run (the error's last line).
    DoesNotRun(String),
    /// A trivial answer satisfies `sat` (the check's words, naming the answer).
    Trivial(String),
    /// The reply has no `sol`.
    NoSol,
    /// `sol` fails: its error, or the answer `sat` refused.
    WrongSol(String),
}

impl Flaw {
    /// The flaw of a P3 outcome that a feedback turn may fix; `None` for other kinds, when
    /// its `sol` holds, or when it was rejected for something else (a copy of its seed, say).
    pub(super) fn of(kind: PuzzleKind, outcome: &Outcome) -> Option<Flaw> {
        if kind != PuzzleKind::P3 {
            return None;
        }
        match outcome {
            Ok((Draft::P3(d), _)) if d.sol.is_none() => Some(match &d.sol_failure {
                Some(failure) => Flaw::WrongSol(failure.clone()),
                None => Flaw::NoSol,
            }),
            Ok(_) => None,
            Err(r) => match &r.reason {
                Reason::Format(_) => Some(Flaw::NoPuzzle),
                Reason::ReferenceCompileError => Some(Flaw::DoesNotRun(last_line(&r.detail))),
                Reason::TrivialSat => Some(Flaw::Trivial(r.detail.clone())),
                _ => None,
            },
        }
    }

    /// The proposer's next request: this flaw, then the puzzle's contract again.
    pub(super) fn feedback(&self) -> String {
        let problem = match self {
            Flaw::NoPuzzle => "Your reply has no ```python block that defines `sat`.".to_string(),
            Flaw::DoesNotRun(error) => format!("Your code does not run: {error}"),
            Flaw::Trivial(check) => format!("Your puzzle is too easy: {check}."),
            Flaw::NoSol => "Your reply has no `sol`.".to_string(),
            Flaw::WrongSol(failure) => format!("Your `sol` is wrong: {failure}."),
        };
        p3_repair_instruction(&problem)
    }
}

/// How far a draft got: 3 when it passed the gates with a `sol` that holds (or is not P3),
/// 2 when its `sol` holds once `sat`'s constants were fitted to it, 1 when it passed them
/// without one (it then stands on the solver's attempts), 0 when it was rejected.
pub(super) fn standing(outcome: &Outcome) -> u8 {
    match outcome {
        Ok((Draft::P3(d), _)) if d.sol.is_none() => 1,
        Ok((Draft::P3(d), _)) if d.sat_as_written.is_some() => 2,
        Ok(_) => 3,
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::puzzle::P3Draft;
    use crate::verdicts::FormatProblem;

    fn p3(sol: Option<&str>, failure: Option<&str>) -> Outcome {
        Ok((
            Draft::P3(P3Draft {
                sat: "def sat(x: int):\n    return x == 12345".into(),
                sol: sol.map(String::from),
                sol_failure: failure.map(String::from),
                parent: None,
                sat_as_written: None,
            }),
            Vec::new(),
        ))
    }

    #[test]
    fn each_shortfall_is_told_and_ranked() {
        let rejected = |reason, detail: &str| Err(Rejection::new(reason, detail));
        let cases = [
            (p3(Some("def sol(): return 12345"), None), None, 3),
            (
                p3(None, Some("NameError: name 'Counter' is not defined")),
                Some("Your `sol` is wrong: NameError: name 'Counter' is not defined."),
                1,
            ),
            (p3(None, None), Some("Your reply has no `sol`."), 1),
            (
                rejected(
                    Reason::ReferenceCompileError,
                    "Traceback (most recent call last):\n  File \"x\"\nSyntaxError: invalid syntax\n",
                ),
                Some("Your code does not run: SyntaxError: invalid syntax"),
                0,
            ),
            (
                rejected(Reason::TrivialSat, "sat accepts the trivial answer 0"),
                Some("Your puzzle is too easy: sat accepts the trivial answer 0."),
                0,
            ),
            (
                rejected(Reason::Format(FormatProblem::NoSat), ""),
                Some("Your reply has no ```python block that defines `sat`."),
                0,
            ),
            (rejected(Reason::CopiedParent, "similarity 1.00"), None, 0),
        ];
        for (outcome, told, rank) in cases {
            let feedback = Flaw::of(PuzzleKind::P3, &outcome).map(|f| f.feedback());
            match (told, &feedback) {
                (Some(told), Some(feedback)) => {
                    assert!(feedback.starts_with(told), "{feedback}");
                    assert!(feedback.contains("`sat(sol())` must return True"));
                }
                (None, None) => {}
                _ => panic!("{told:?} told as {feedback:?}"),
            }
            assert_eq!(standing(&outcome), rank, "{told:?}");
        }
        // Other kinds get no feedback turn, whatever their rejection.
        let compile = Err(Rejection::new(Reason::ReferenceCompileError, "SyntaxError"));
        assert_eq!(Flaw::of(PuzzleKind::Stdio, &compile), None);
    }
}
