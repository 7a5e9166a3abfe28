//! Judging the solver's attempts on a task, and scoring the task: solve rate,
//! learnability, the proposer rewards of Absolute Zero and Self-Questioning LMs, and how well
//! its tests discriminate (CodeT-style: tests that catch wrong attempts are worth more).
//!
//! Attempts are judged by `crucible_eval::judge_samples`, the one judge `crucible eval` and the
//! held-out evaluation use too: a task is a [`Problem`] whatever its origin (a proposed puzzle,
//! a pool problem), so the same program gets the same verdict everywhere.

use crate::store::{AttemptRow, PuzzleScore};
use crucible_eval::{EvalConfig, RemoteJudge, Sample, SampleResult, judge_samples};
use crucible_problems::Problem;
use crucible_sandbox::{Language, Limits, Sandbox};

/// The verdict code of a reply without a program.
pub const NO_CODE: &str = "NOCODE";

/// One reply of the solver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Its index among the task's k attempts.
    pub idx: u32,
    /// The reply, verbatim.
    pub reply: String,
    /// The program extracted from it (`None`: the reply held none).
    pub code: Option<String>,
}

/// Judges a task's attempts (every test of each, for the discrimination score); `limits` apply
/// to function tasks (stdin/stdout tasks carry their own); `remote`: on a `crucible serve`
/// fleet instead of `sandbox`.
pub async fn judge_attempts(
    sandbox: &Sandbox,
    remote: Option<RemoteJudge>,
    problem: &Problem,
    lang: Language,
    limits: Limits,
    attempts: Vec<Attempt>,
) -> Result<Vec<AttemptRow>, crate::SelfplayError> {
    let config = EvalConfig {
        samples: attempts.len(),
        stop_at_first_failure: false,
        function_limits: limits,
        remote,
        ..EvalConfig::default()
    };
    let samples = attempts
        .iter()
        .map(|a| Sample {
            lang,
            code: a.code.clone(),
            label: format!("attempt {}", a.idx),
            gen_seconds: 0.0,
        })
        .collect();
    let judged = judge_samples(sandbox, &config, problem, samples)
        .await
        .map_err(|e| crate::SelfplayError::Judge(e.to_string()))?;
    Ok(attempts
        .into_iter()
        .zip(judged.samples)
        .map(|(attempt, result)| attempt_row(attempt, result))
        .collect())
}

/// The stored form of a judged attempt.
fn attempt_row(attempt: Attempt, result: SampleResult) -> AttemptRow {
    let tests = result.per_test.len().max(1);
    AttemptRow {
        idx: attempt.idx,
        reply: attempt.reply,
        code: attempt.code,
        verdict: result.verdict.map_or(NO_CODE, |v| v.code()).to_string(),
        passed: result.passed_tests as u32,
        total: tests as u32,
        per_test: if result.per_test.is_empty() {
            vec![false]
        } else {
            result.per_test
        },
        message: if result.verdict.is_none() {
            "the reply held no program".into()
        } else {
            result.message
        },
    }
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
    use crate::config::CampaignConfig;
    use crate::problem::as_problem;
    use crate::puzzle::{Draft, P3Draft, StdioDraft};
    use crate::verdicts::PuzzleTest;

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
        let config = CampaignConfig::default();
        let tests = vec![
            PuzzleTest {
                input: "2\n".into(),
                expected: "4\n".into(),
                found: false,
            },
            PuzzleTest {
                input: "3\n".into(),
                expected: "6\n".into(),
                found: false,
            },
        ];
        let stdio = Draft::Stdio(StdioDraft {
            title: "t".into(),
            statement: "s".into(),
            solution: String::new(),
            tests: Vec::new(),
            generator: None,
        });
        let p3 = Draft::P3(P3Draft {
            sat: "def sat(x: int) -> bool:\n    return x * 3 == 21\n".into(),
            sol: Some("def sol():\n    return 7\n".into()),
            sol_failure: None,
            parent: None,
            sat_as_written: None,
        });
        let judge = |draft: &Draft, code: Option<&str>| {
            let problem = as_problem("1", draft, &tests, Language::Python, &config.limits);
            let attempt = Attempt {
                idx: 0,
                reply: String::new(),
                code: code.map(str::to_string),
            };
            let limits = config.limits.limits();
            let rows = rt
                .block_on(judge_attempts(
                    &sandbox,
                    None,
                    &problem,
                    Language::Python,
                    limits,
                    vec![attempt],
                ))
                .unwrap();
            rows.into_iter().next().unwrap()
        };
        let right = judge(&stdio, Some("print(2 * int(input()))"));
        assert_eq!(
            (right.verdict.as_str(), right.per_test.clone()),
            ("AC", vec![true, true])
        );
        let square = judge(&stdio, Some("n = int(input())\nprint(n * n)"));
        assert_eq!(
            (square.verdict.as_str(), square.per_test.clone()),
            ("WA", vec![true, false])
        );
        assert_eq!(judge(&stdio, None).verdict, NO_CODE);
        assert_eq!(judge(&stdio, Some("print(")).verdict, "CE");

        assert_eq!(judge(&p3, Some("def sol():\n    return 7")).verdict, "AC");
        // A wrong answer is a wrong answer, as in `crucible eval`; restating a permissive sat
        // does not help.
        assert_eq!(judge(&p3, Some("def sol():\n    return 8")).verdict, "WA");
        let cheat = "def sat(x: int) -> bool:\n    return True\n\ndef sol():\n    return 8\n";
        assert_eq!(judge(&p3, Some(cheat)).verdict, "WA");
        // The answer must have the type `sat` takes, as P3 checks it: a list of digit strings
        // satisfies this `sat`'s code but is no `str`; `True` is no `int`.
        let puzzle = |sat: &str| {
            Draft::P3(P3Draft {
                sat: sat.into(),
                sol: None,
                sol_failure: None,
                parent: None,
                sat_as_written: None,
            })
        };
        let digits =
            "def sat(s: str, n=3):\n    return len(s) == n and all(c.isdigit() for c in s)\n";
        let one = "def sat(x: int):\n    return x == 1 or x == 999\n";
        let lists = "def sat(li: List[List[int]]):\n    return len(li) == 2 and li[1][0] == 7\n";
        for (sat, answer, verdict) in [
            (digits, "'123'", "AC"),
            (digits, "['1', '2', '3']", "WA"),
            (one, "True", "WA"),
            (lists, "[[], [7, 1]]", "AC"),
            (lists, "[[], (7, 1)]", "WA"),
            (lists, "((), [7.0])", "WA"),
        ] {
            let sol = format!("def sol():\n    return {answer}");
            assert_eq!(
                judge(&puzzle(sat), Some(&sol)).verdict,
                verdict,
                "{sat} {answer}"
            );
        }

        // `crucible eval` (its default configuration) and held-out evaluation call the same
        // `judge_samples`: the failing answer is a wrong answer there too, not a runtime error.
        let problem = as_problem("1", &p3, &tests, Language::Python, &config.limits);
        let in_eval = rt
            .block_on(judge_samples(
                &sandbox,
                &EvalConfig::default(),
                &problem,
                vec![Sample {
                    lang: Language::Python,
                    code: Some("def sol():\n    return 8".into()),
                    label: "eval".into(),
                    gen_seconds: 0.0,
                }],
            ))
            .unwrap();
        assert_eq!(
            in_eval.samples[0].verdict,
            Some(crucible_sandbox::Verdict::WrongAnswer)
        );
    }
}
