//! Judging the solver's attempts on a validated puzzle, and scoring the puzzle: solve rate,
//! learnability, the proposer rewards of Absolute Zero and Self-Questioning LMs, and how well
//! its tests discriminate (CodeT-style: tests that catch wrong attempts are worth more).

use crate::SelfplayError;
use crate::config::LimitsConfig;
use crate::prompts::p3_solution;
use crate::puzzle::Draft;
use crate::store::{AttemptRow, PuzzleScore};
use crate::validate::PuzzleTest;
use crucible_problems::FunctionStyle;
use crucible_sandbox::{
    Checker, JudgeOptions, Language, Sandbox, Submission, Termination, TestCase,
};

/// The verdict code of a reply without a program.
pub const NO_CODE: &str = "NOCODE";

/// One reply of the solver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Its index among the puzzle's k attempts.
    pub idx: u32,
    /// The reply, verbatim.
    pub reply: String,
    /// The program extracted from it (`None`: the reply held none).
    pub code: Option<String>,
}

/// Judges one attempt on a puzzle's tests.
pub async fn judge_attempt(
    sandbox: &Sandbox,
    draft: &Draft,
    tests: &[PuzzleTest],
    lang: Language,
    limits: &LimitsConfig,
    attempt: Attempt,
) -> Result<AttemptRow, SelfplayError> {
    let Attempt { idx, reply, code } = attempt;
    let mut row = AttemptRow {
        idx,
        reply,
        code: code.clone(),
        verdict: NO_CODE.into(),
        passed: 0,
        total: tests.len().max(1) as u32,
        per_test: vec![false; tests.len().max(1)],
        message: "the reply held no program".into(),
    };
    let Some(code) = code else { return Ok(row) };
    match draft {
        Draft::Stdio(_) => {
            let cases: Vec<TestCase> = tests
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    TestCase::new(format!("{:02}", i + 1), t.input.clone(), t.expected.clone())
                })
                .collect();
            let options = JudgeOptions {
                limits: limits.limits(),
                checker: Checker::Tokens {
                    case_sensitive: true,
                },
                stop_at_first_failure: false,
                ..JudgeOptions::default()
            };
            let report = sandbox
                .judge_source(
                    Submission {
                        lang,
                        source: code.into_bytes(),
                    },
                    &cases,
                    &options,
                )
                .await;
            row.verdict = report.verdict.code().into();
            row.passed = report.passed as u32;
            row.per_test = report
                .tests
                .iter()
                .map(|t| t.verdict.is_accepted())
                .collect();
            row.message = report
                .compile_message
                .or_else(|| {
                    report
                        .tests
                        .iter()
                        .find(|t| !t.verdict.is_accepted())
                        .map(|t| format!("test {}: {}", t.name, t.message))
                })
                .unwrap_or_default();
        }
        Draft::P3(d) => {
            let task = crucible_problems::FunctionTask {
                style: FunctionStyle::P3,
                prompt: String::new(),
                entry_point: "sol".into(),
                harness: d.sat.clone(),
                reference: Vec::new(),
            };
            let program = task.judge_program(&p3_solution(&code));
            match sandbox
                .compile_async(Language::Python, program.into_bytes())
                .await
            {
                Err(e) => {
                    row.verdict = e.verdict().code().into();
                    row.message = e.message(2000);
                }
                Ok(compiled) => {
                    let run = sandbox.run_async(&compiled, b"", &limits.limits()).await?;
                    let accepted = run.termination == Termination::Exited(0);
                    row.verdict = match run.termination.verdict() {
                        _ if accepted => "AC".into(),
                        Some(v) => v.code().into(),
                        None => "RE".into(),
                    };
                    row.passed = u32::from(accepted);
                    row.per_test = vec![accepted];
                    row.message = if accepted {
                        String::new()
                    } else {
                        String::from_utf8_lossy(&run.stderr)
                            .chars()
                            .take(1000)
                            .collect()
                    };
                }
            }
        }
    }
    Ok(row)
}

/// Scores a puzzle from its judged attempts.
pub fn score(attempts: &[AttemptRow], stdio: bool) -> PuzzleScore {
    let k = attempts.len().max(1) as f64;
    let p = attempts.iter().filter(|a| a.accepted()).count() as f64 / k;
    let learnable = p > 0.0 && p < 1.0;
    PuzzleScore {
        solve_rate: p,
        learnable,
        reward_azr: if learnable { 1.0 - p } else { 0.0 },
        reward_sqlm: if learnable { 1.0 } else { 0.0 },
        discrimination: stdio.then(|| discrimination(attempts)),
    }
}

/// Share of tests failed by at least one wrong attempt that ran (compiled and produced
/// verdicts); 0 when no wrong attempt ran.
fn discrimination(attempts: &[AttemptRow]) -> f64 {
    let wrong: Vec<&AttemptRow> = attempts
        .iter()
        .filter(|a| !a.accepted() && a.code.is_some() && a.verdict != "CE")
        .collect();
    let tests = attempts.first().map_or(0, |a| a.per_test.len());
    if wrong.is_empty() || tests == 0 {
        return 0.0;
    }
    let catching = (0..tests)
        .filter(|&t| {
            wrong
                .iter()
                .any(|a| !a.per_test.get(t).copied().unwrap_or(false))
        })
        .count();
    catching as f64 / tests as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::puzzle::{P3Draft, StdioDraft};

    fn attempt(verdict: &str, per_test: &[bool]) -> AttemptRow {
        AttemptRow {
            idx: 0,
            reply: String::new(),
            code: Some("x".into()),
            verdict: verdict.into(),
            passed: per_test.iter().filter(|p| **p).count() as u32,
            total: per_test.len() as u32,
            per_test: per_test.to_vec(),
            message: String::new(),
        }
    }

    #[test]
    fn scores_follow_the_definitions() {
        let all = [attempt("AC", &[true, true]), attempt("AC", &[true, true])];
        let s = score(&all, true);
        assert_eq!(
            (s.solve_rate, s.learnable, s.reward_azr, s.reward_sqlm),
            (1.0, false, 0.0, 0.0)
        );
        let mixed = [
            attempt("AC", &[true, true, true]),
            attempt("WA", &[true, false, true]),
            attempt("WA", &[true, true, true]),
            attempt("CE", &[false, false, false]),
        ];
        let s = score(&mixed, true);
        assert_eq!(s.solve_rate, 0.25);
        assert!(s.learnable);
        assert_eq!(s.reward_azr, 0.75);
        assert_eq!(s.reward_sqlm, 1.0);
        // Only test 2 catches a wrong attempt (the CE attempt does not count).
        assert!((s.discrimination.unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(
            score(&[attempt("WA", &[false])], false).discrimination,
            None
        );
    }

    #[test]
    fn judges_stdio_and_p3_attempts() {
        let sandbox = Sandbox::new(crucible_sandbox::SandboxConfig {
            workers: 1,
            ..Default::default()
        })
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let limits = LimitsConfig::default();
        let stdio = Draft::Stdio(StdioDraft {
            title: "t".into(),
            statement: "s".into(),
            solution: String::new(),
            tests: Vec::new(),
            generator: None,
        });
        let tests = vec![
            PuzzleTest {
                input: "2\n".into(),
                expected: "4\n".into(),
            },
            PuzzleTest {
                input: "3\n".into(),
                expected: "6\n".into(),
            },
        ];
        let judge = |draft: &Draft, tests: &[PuzzleTest], code: Option<&str>| {
            let attempt = Attempt {
                idx: 0,
                reply: String::new(),
                code: code.map(str::to_string),
            };
            rt.block_on(judge_attempt(
                &sandbox,
                draft,
                tests,
                Language::Python,
                &limits,
                attempt,
            ))
            .unwrap()
        };
        let right = judge(&stdio, &tests, Some("print(2 * int(input()))"));
        assert_eq!(
            (right.verdict.as_str(), right.per_test.clone()),
            ("AC", vec![true, true])
        );
        let square = judge(&stdio, &tests, Some("n = int(input())\nprint(n * n)"));
        assert_eq!(
            (square.verdict.as_str(), square.per_test.clone()),
            ("WA", vec![true, false])
        );
        assert_eq!(judge(&stdio, &tests, None).verdict, NO_CODE);
        assert_eq!(judge(&stdio, &tests, Some("print(")).verdict, "CE");

        let p3 = Draft::P3(P3Draft {
            sat: "def sat(x: int) -> bool:\n    return x * 3 == 21\n".into(),
            sol: String::new(),
        });
        assert_eq!(
            judge(&p3, &[], Some("def sol():\n    return 7")).verdict,
            "AC"
        );
        // Restating a permissive sat does not help.
        let cheat = "def sat(x: int) -> bool:\n    return True\n\ndef sol():\n    return 8\n";
        assert_eq!(judge(&p3, &[], Some(cheat)).verdict, "RE");
    }
}
