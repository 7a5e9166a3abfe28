//! Judging: a program against many tests, and many submissions at once, on all workers.

use crate::checker::{CheckOutcome, Checker};
use crate::execute::{Extra, Mount};
use crate::{CompileError, Language, Limits, Program, RunReport, Sandbox, SandboxError, Verdict};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Kattis output-validator exit code for an accepted output.
pub const CHECKER_ACCEPT: i32 = 42;
/// Kattis output-validator exit code for a rejected output.
pub const CHECKER_REJECT: i32 = 43;

/// One test: an input and the expected answer.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// A name for reports (usually the file stem).
    pub name: String,
    /// Bytes given on stdin.
    pub input: Bytes,
    /// The reference answer.
    pub expected: Bytes,
}

impl TestCase {
    /// A test from anything byte-like.
    pub fn new(
        name: impl Into<String>,
        input: impl Into<Bytes>,
        expected: impl Into<Bytes>,
    ) -> Self {
        TestCase {
            name: name.into(),
            input: input.into(),
            expected: expected.into(),
        }
    }
}

/// How to judge.
#[derive(Debug, Clone, Default)]
pub struct JudgeOptions {
    /// Limits for each test run.
    pub limits: Limits,
    /// How outputs are compared.
    pub checker: Checker,
    /// The checker program when `checker` is [`Checker::Custom`]. Called Kattis-style:
    /// `checker /judge/input /judge/answer /feedback/` with the output on stdin; exit 42
    /// accepts, 43 rejects, anything else is a judging failure.
    pub checker_program: Option<Program>,
    /// Stop launching tests after the first failure (the rest are `Skipped`).
    pub stop_at_first_failure: bool,
    /// Keep each test's stdout in the report (capped at this many bytes; 0 keeps none).
    pub keep_output_bytes: usize,
}

/// The result of one test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Details: the checker's complaint, the trap, the exit code, stderr's tail.
    pub message: String,
    /// CPU time on the calibrated clock.
    pub cpu_seconds: f64,
    /// Fuel used.
    pub fuel: u64,
    /// Wall time on this machine, in milliseconds.
    pub wall_ms: f64,
    /// Peak linear memory in bytes.
    pub peak_memory: u64,
    /// The program's stdout, if asked for (capped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

impl TestResult {
    fn without_run(name: &str, verdict: Verdict, message: impl Into<String>) -> Self {
        TestResult {
            name: name.to_string(),
            verdict,
            message: message.into(),
            cpu_seconds: 0.0,
            fuel: 0,
            wall_ms: 0.0,
            peak_memory: 0,
            output: None,
        }
    }
}

/// The result of judging one submission on a test set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JudgeReport {
    /// Accepted if every test passed, else the verdict of the first failing test (in test
    /// order), or CompileError / SandboxError.
    pub verdict: Verdict,
    /// Compiler diagnostics or the sandbox failure, when there was no program to run.
    pub compile_message: Option<String>,
    /// Per-test results, in test order.
    pub tests: Vec<TestResult>,
    /// Tests accepted.
    pub passed: usize,
    /// Largest calibrated CPU time over the tests.
    pub max_cpu_seconds: f64,
    /// Largest peak memory over the tests.
    pub max_memory: u64,
    /// Wall time for the whole judgement, in milliseconds (compilation included).
    pub wall_ms: f64,
}

impl JudgeReport {
    fn from_tests(tests: Vec<TestResult>, started: Instant) -> Self {
        let verdict = tests
            .iter()
            .map(|t| t.verdict)
            .find(|v| !matches!(v, Verdict::Accepted | Verdict::Skipped))
            .unwrap_or(Verdict::Accepted);
        JudgeReport {
            verdict,
            compile_message: None,
            passed: tests.iter().filter(|t| t.verdict.is_accepted()).count(),
            max_cpu_seconds: tests.iter().map(|t| t.cpu_seconds).fold(0.0, f64::max),
            max_memory: tests.iter().map(|t| t.peak_memory).max().unwrap_or(0),
            tests,
            wall_ms: ms(started.elapsed()),
        }
    }

    /// A report for a submission that produced no program.
    pub fn compile_failed(err: &CompileError, tests: &[TestCase]) -> Self {
        let verdict = err.verdict();
        JudgeReport {
            verdict,
            compile_message: Some(err.message(8 << 10)),
            tests: tests
                .iter()
                .map(|t| TestResult::without_run(&t.name, Verdict::Skipped, "not run"))
                .collect(),
            passed: 0,
            max_cpu_seconds: 0.0,
            max_memory: 0,
            wall_ms: 0.0,
        }
    }
}

/// A source to compile and judge.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Its language.
    pub lang: Language,
    /// Its source code.
    pub source: Vec<u8>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Most tests one worker job runs in a row (see [`Sandbox::judge`]).
const MAX_TESTS_PER_JOB: usize = 64;

/// Tests per worker job: several when there are many tests and a built-in checker (so the
/// hand-off to a worker is paid once for several runs), never so many that a worker gets fewer
/// than four jobs.
fn tests_per_job(tests: usize, workers: usize, options: &JudgeOptions) -> usize {
    if options.checker == Checker::Custom {
        return 1;
    }
    (tests / (workers.max(1) * 4)).clamp(1, MAX_TESTS_PER_JOB)
}

/// One test's result from its run's report and, when the run ended normally, the checker's
/// outcome.
fn test_result(
    test: &TestCase,
    report: &RunReport,
    outcome: Option<Result<CheckOutcome, SandboxError>>,
    options: &JudgeOptions,
) -> TestResult {
    let (verdict, message) = match (report.termination.verdict(), outcome) {
        (Some(verdict), _) => (verdict, describe_failure(report)),
        (None, Some(Ok(CheckOutcome { accepted: true, .. }))) => (Verdict::Accepted, String::new()),
        (None, Some(Ok(CheckOutcome { message, .. }))) => (Verdict::WrongAnswer, message),
        (None, Some(Err(e))) => (Verdict::SandboxError, e.to_string()),
        (None, None) => (Verdict::SandboxError, "the output was not checked".into()),
    };
    let output = (options.keep_output_bytes > 0).then(|| {
        crate::truncate(
            &String::from_utf8_lossy(&report.stdout),
            options.keep_output_bytes,
        )
    });
    TestResult {
        name: test.name.clone(),
        verdict,
        message,
        cpu_seconds: report.cpu_seconds,
        fuel: report.fuel,
        wall_ms: ms(report.wall),
        peak_memory: report.peak_memory,
        output,
    }
}

impl Sandbox {
    /// Judges `program` on every test, running up to twice the worker count at once.
    pub async fn judge(
        &self,
        program: &Program,
        tests: &[TestCase],
        options: &JudgeOptions,
    ) -> JudgeReport {
        let started = Instant::now();
        let window = self.workers() * 2;
        let per_job = tests_per_job(tests.len(), self.workers(), options);
        let options = Arc::new(options.clone());
        let mut results: Vec<Option<TestResult>> = vec![None; tests.len()];
        let mut running = JoinSet::new();
        let mut next = 0usize;
        let mut failed = false;
        loop {
            while running.len() < window && next < tests.len() && !failed {
                let end = tests.len().min(next + per_job);
                let (sandbox, program, batch, options) = (
                    self.clone(),
                    program.clone(),
                    tests[next..end].to_vec(),
                    Arc::clone(&options),
                );
                let first = next;
                running.spawn(async move {
                    let judged = sandbox.judge_batch(&program, batch, &options).await;
                    (first, judged)
                });
                next = end;
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            match joined {
                Ok((first, judged)) => {
                    for (offset, result) in judged.into_iter().enumerate() {
                        failed |= options.stop_at_first_failure && !result.verdict.is_accepted();
                        results[first + offset] = Some(result);
                    }
                }
                Err(e) => tracing::error!("judge task failed: {e}"),
            }
        }
        let tests = results
            .into_iter()
            .zip(tests)
            .map(|(r, t)| {
                r.unwrap_or_else(|| TestResult::without_run(&t.name, Verdict::Skipped, "not run"))
            })
            .collect();
        JudgeReport::from_tests(tests, started)
    }

    /// Compiles a source and judges it; a compile failure becomes the report's verdict.
    pub async fn judge_source(
        &self,
        submission: Submission,
        tests: &[TestCase],
        options: &JudgeOptions,
    ) -> JudgeReport {
        let started = Instant::now();
        match self.compile_async(submission.lang, submission.source).await {
            Ok(program) => {
                let mut report = self.judge(&program, tests, options).await;
                report.wall_ms = ms(started.elapsed());
                report
            }
            Err(err) => {
                let mut report = JudgeReport::compile_failed(&err, tests);
                report.wall_ms = ms(started.elapsed());
                report
            }
        }
    }

    /// Judges many submissions on the same tests concurrently; reports come back in order.
    pub async fn judge_many(
        &self,
        submissions: Vec<Submission>,
        tests: Arc<[TestCase]>,
        options: &JudgeOptions,
    ) -> Vec<JudgeReport> {
        let mut set = JoinSet::new();
        let count = submissions.len();
        for (index, submission) in submissions.into_iter().enumerate() {
            let (sandbox, tests, options) = (self.clone(), Arc::clone(&tests), options.clone());
            set.spawn(async move {
                (
                    index,
                    sandbox.judge_source(submission, &tests, &options).await,
                )
            });
        }
        let mut reports: Vec<Option<JudgeReport>> = vec![None; count];
        while let Some(joined) = set.join_next().await {
            if let Ok((index, report)) = joined {
                reports[index] = Some(report);
            }
        }
        reports
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    let err =
                        CompileError::Sandbox(SandboxError::Worker("judge task failed".into()));
                    JudgeReport::compile_failed(&err, &tests)
                })
            })
            .collect()
    }

    /// Runs and checks consecutive tests: with a built-in checker in one worker job (stopping
    /// after a failure when asked; the tests after it are left out), with a checker program one
    /// test at a time (the checker needs a worker of its own).
    async fn judge_batch(
        &self,
        program: &Program,
        tests: Vec<TestCase>,
        options: &Arc<JudgeOptions>,
    ) -> Vec<TestResult> {
        if tests.len() == 1 || options.checker == Checker::Custom {
            let mut judged = Vec::with_capacity(tests.len());
            for test in &tests {
                judged.push(self.judge_one(program, test, options).await);
            }
            return judged;
        }
        let inputs = tests.iter().map(|t| t.input.clone()).collect();
        let (judge_tests, judge_options) = (tests.clone(), Arc::clone(options));
        let judged = self
            .run_in_turn(program, inputs, &options.limits, move |i, run| {
                let test = &judge_tests[i];
                let result = match run {
                    Ok(report) => {
                        let outcome = report.termination.verdict().is_none().then(|| {
                            Ok(judge_options.checker.check(
                                &test.input,
                                &test.expected,
                                &report.stdout,
                            ))
                        });
                        test_result(test, &report, outcome, &judge_options)
                    }
                    Err(e) => {
                        TestResult::without_run(&test.name, Verdict::SandboxError, e.to_string())
                    }
                };
                let go_on = !judge_options.stop_at_first_failure || result.verdict.is_accepted();
                (result, go_on)
            })
            .await;
        judged.unwrap_or_else(|e| {
            tests
                .iter()
                .map(|t| TestResult::without_run(&t.name, Verdict::SandboxError, e.to_string()))
                .collect()
        })
    }

    /// Runs and checks one test.
    async fn judge_one(
        &self,
        program: &Program,
        test: &TestCase,
        options: &JudgeOptions,
    ) -> TestResult {
        let report = match self.run_async(program, &test.input, &options.limits).await {
            Ok(report) => report,
            Err(e) => {
                return TestResult::without_run(&test.name, Verdict::SandboxError, e.to_string());
            }
        };
        let outcome = match report.termination.verdict() {
            Some(_) => None,
            None => Some(self.check_output(test, &report.stdout, options).await),
        };
        test_result(test, &report, outcome, options)
    }

    /// Applies the configured checker to one output.
    async fn check_output(
        &self,
        test: &TestCase,
        output: &[u8],
        options: &JudgeOptions,
    ) -> Result<CheckOutcome, SandboxError> {
        match (&options.checker, &options.checker_program) {
            (Checker::Custom, Some(checker)) => self.run_checker(checker, test, output).await,
            (Checker::Custom, None) => Err(SandboxError::Worker(
                "custom checker selected but no checker program given".into(),
            )),
            (builtin, _) => Ok(builtin.check(&test.input, &test.expected, output)),
        }
    }

    /// Runs a Kattis-style output validator on one output.
    async fn run_checker(
        &self,
        checker: &Program,
        test: &TestCase,
        output: &[u8],
    ) -> Result<CheckOutcome, SandboxError> {
        let dir = tempfile::Builder::new()
            .prefix("crucible-check-")
            .tempdir()
            .map_err(|e| SandboxError::io(std::env::temp_dir(), e))?;
        let judge_dir = dir.path().join("judge");
        let feedback_dir = dir.path().join("feedback");
        for d in [&judge_dir, &feedback_dir] {
            std::fs::create_dir(d).map_err(|e| SandboxError::io(d, e))?;
        }
        let write = |name: &str, bytes: &[u8]| {
            let path = judge_dir.join(name);
            std::fs::write(&path, bytes).map_err(|e| SandboxError::io(&path, e))
        };
        write("input", &test.input)?;
        write("answer", &test.expected)?;
        let extra = Extra {
            args: vec![
                "/judge/input".into(),
                "/judge/answer".into(),
                "/feedback/".into(),
            ],
            mounts: vec![
                Mount {
                    host: judge_dir.clone(),
                    guest: "/judge".into(),
                    writable: false,
                },
                Mount {
                    host: feedback_dir.clone(),
                    guest: "/feedback".into(),
                    writable: true,
                },
            ],
        };
        let limits = Limits {
            time: Duration::from_secs(10),
            ..Limits::default()
        };
        let report = self
            .run_extra_async(checker, output, &limits, extra)
            .await?;
        let feedback = std::fs::read(feedback_dir.join("judgemessage.txt")).unwrap_or_default();
        let message = crate::truncate(&String::from_utf8_lossy(&feedback), 1000);
        match report.termination {
            crate::Termination::Exited(CHECKER_ACCEPT) => Ok(CheckOutcome {
                accepted: true,
                message,
            }),
            crate::Termination::Exited(CHECKER_REJECT) => Ok(CheckOutcome {
                accepted: false,
                message: if message.is_empty() {
                    "rejected by checker".into()
                } else {
                    message
                },
            }),
            other => Err(SandboxError::Worker(format!(
                "checker failed ({}): {}",
                other.describe(),
                crate::truncate(&String::from_utf8_lossy(&report.stderr), 500)
            ))),
        }
    }
}

/// A message for a run that ended badly: how it ended plus the tail of stderr.
fn describe_failure(report: &RunReport) -> String {
    let mut message = report.termination.describe();
    let stderr = String::from_utf8_lossy(&report.stderr);
    let stderr = stderr.trim();
    if !stderr.is_empty() {
        let tail: String = {
            let start = stderr.len().saturating_sub(400);
            let mut s = start;
            while !stderr.is_char_boundary(s) {
                s += 1;
            }
            stderr[s..].to_string()
        };
        message.push_str("; stderr: ");
        message.push_str(&tail);
    }
    message
}
