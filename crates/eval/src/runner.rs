//! Running an evaluation: samples from a source, judged in the sandbox, problem by problem.

use crate::EvalError;
use crate::remote::RemoteJudge;
use crate::results::{ProblemResult, SampleResult};
use crate::source::{Sample, SampleSource};
use crate::store::ResultStore;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crucible_problems::{FunctionTask, Problem, StdioTask, Task};
use crucible_sandbox::{
    Checker, JudgeOptions, JudgeReport, Language, Limits, Sandbox, Submission, Termination,
    TestCase, Verdict,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to evaluate and how.
#[derive(Debug, Clone)]
pub struct EvalConfig {
    /// Samples per problem (n).
    pub samples: usize,
    /// The k values reported (those ≤ n).
    pub ks: Vec<usize>,
    /// Stop judging a sample at its first failing test (faster; the verdict is that test's).
    pub stop_at_first_failure: bool,
    /// Problems judged at once (each one's samples also run in parallel in the sandbox).
    pub parallel_problems: usize,
    /// Limits for function-level tasks (stdin/stdout tasks carry their own).
    pub function_limits: Limits,
    /// Judge on this `crucible serve` fleet instead of the in-process sandbox (same verdicts).
    pub remote: Option<RemoteJudge>,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            samples: 1,
            ks: vec![1],
            stop_at_first_failure: true,
            parallel_problems: 4,
            function_limits: function_limits(),
            remote: None,
        }
    }
}

/// The limits a function-level problem (MBPP, HumanEval, P3) is judged under wherever it is
/// judged — `crucible eval`, a campaign's held-out sets and its task pools — so a problem gets
/// the same verdict everywhere: 5 s on the fuel clock, 512 MiB (a Python interpreter in wasm
/// needs room), the sandbox's default output caps.
pub fn function_limits() -> Limits {
    Limits {
        time: Duration::from_secs(5),
        memory_bytes: 512 << 20,
        ..Limits::default()
    }
}

/// A progress notification: a problem finished.
#[derive(Debug, Clone)]
pub struct EvalProgress {
    /// Problems finished so far (resumed ones included).
    pub done: usize,
    /// Problems in the evaluation.
    pub total: usize,
    /// The problem that just finished.
    pub id: String,
    /// Whether it came from the results file rather than being judged now.
    pub resumed: bool,
}

/// Runs evaluations with one sandbox.
pub struct Evaluator {
    sandbox: Sandbox,
    config: EvalConfig,
}

impl Evaluator {
    /// An evaluator judging in `sandbox`.
    pub fn new(sandbox: Sandbox, config: EvalConfig) -> Self {
        Evaluator { sandbox, config }
    }

    /// The resume key of an evaluation: the set, the source and every setting that changes
    /// results.
    pub fn key(&self, set: &str, source: &dyn SampleSource) -> String {
        let text = format!(
            "{set}\n{}\n{}\n{}\n{:?}",
            source.describe(),
            self.config.samples,
            self.config.stop_at_first_failure,
            self.config.function_limits
        );
        hex::encode(&Sha256::digest(text.as_bytes())[..12])
    }

    /// Evaluates `problems`, skipping those already in `store`, calling `progress` after each.
    pub async fn run(
        &self,
        problems: &[Problem],
        source: Arc<dyn SampleSource>,
        store: &ResultStore,
        progress: &(dyn Fn(EvalProgress) + Sync),
    ) -> Result<Vec<ProblemResult>, EvalError> {
        let total = problems.len();
        let mut results: Vec<Option<ProblemResult>> = vec![None; total];
        let mut done = 0;
        let mut pending = Vec::new();
        for (i, p) in problems.iter().enumerate() {
            match store.get(&p.id) {
                Some(r) => {
                    results[i] = Some(r.clone());
                    done += 1;
                    progress(EvalProgress {
                        done,
                        total,
                        id: p.id.clone(),
                        resumed: true,
                    });
                }
                None => pending.push(i),
            }
        }
        let finished = self
            .run_pending(problems, &pending, source, store, &mut |result| {
                done += 1;
                progress(EvalProgress {
                    done,
                    total,
                    id: result.id.clone(),
                    resumed: false,
                });
            })
            .await?;
        for (i, result) in finished {
            results[i] = Some(result);
        }
        Ok(results.into_iter().flatten().collect())
    }

    /// The pending problems in chunks of the source's batch size (one problem for files and
    /// references, 32 for a model): one chunk is generated on a blocking thread while the
    /// samples of the chunks before it are judged, so the model and the sandbox work at the
    /// same time. The next chunk starts while fewer than `parallel_problems` (or one chunk's
    /// worth) of problems are being judged. Each result is stored as soon as it is judged.
    async fn run_pending(
        &self,
        problems: &[Problem],
        pending: &[usize],
        source: Arc<dyn SampleSource>,
        store: &ResultStore,
        on_result: &mut dyn FnMut(&ProblemResult),
    ) -> Result<Vec<(usize, ProblemResult)>, EvalError> {
        let n = self.config.samples;
        let mut chunks = pending.chunks(source.batch().max(1)).map(<[usize]>::to_vec);
        let mut tasks = tokio::task::JoinSet::new();
        let most_judging = self.config.parallel_problems.max(source.batch()).max(1);
        let mut generating = false;
        let mut judging = 0;
        let mut finished = Vec::new();
        loop {
            if !generating
                && judging < most_judging
                && let Some(chunk) = chunks.next()
            {
                let (source, owned) = (Arc::clone(&source), chunk_problems(problems, &chunk));
                tasks.spawn(async move {
                    let samples =
                        tokio::task::spawn_blocking(move || source.samples_batch(&owned, n))
                            .await
                            .map_err(|e| EvalError::Source(e.to_string()));
                    Stage::Generated(chunk, samples)
                });
                generating = true;
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            match joined.map_err(|e| EvalError::Source(format!("evaluation task failed: {e}")))? {
                Stage::Generated(chunk, samples) => {
                    generating = false;
                    for (i, samples) in chunk.into_iter().zip(samples?) {
                        judging += 1;
                        let samples: Vec<Sample> = samples?.into_iter().take(n).collect();
                        let (sandbox, config) = (self.sandbox.clone(), self.config.clone());
                        let problem = problems[i].clone();
                        tasks.spawn(async move {
                            Stage::Judged(
                                i,
                                judge_samples(&sandbox, &config, &problem, samples).await,
                            )
                        });
                    }
                }
                Stage::Judged(i, result) => {
                    judging -= 1;
                    let result = result?;
                    store.append(&result)?;
                    on_result(&result);
                    finished.push((i, result));
                }
            }
        }
        Ok(finished)
    }
}

/// What a task of the batched evaluation finished: a chunk's samples, or one problem judged.
enum Stage {
    /// The samples of the problems at these indices (one result per problem).
    Generated(
        Vec<usize>,
        Result<Vec<Result<Vec<Sample>, EvalError>>, EvalError>,
    ),
    /// The problem at this index, judged.
    Judged(usize, Result<ProblemResult, EvalError>),
}

/// Owned copies of the problems at `indices`.
fn chunk_problems(problems: &[Problem], indices: &[usize]) -> Vec<Problem> {
    indices.iter().map(|&i| problems[i].clone()).collect()
}

/// Judges `samples` of `problem` (in parallel in the sandbox), for callers that produce the
/// samples themselves (a campaign batching several problems' requests into one model call).
pub async fn judge_samples(
    sandbox: &Sandbox,
    config: &EvalConfig,
    problem: &Problem,
    samples: Vec<Sample>,
) -> Result<ProblemResult, EvalError> {
    let mut set = tokio::task::JoinSet::new();
    for (i, sample) in samples.into_iter().enumerate() {
        let (sandbox, config, problem) = (sandbox.clone(), config.clone(), problem.clone());
        set.spawn(async move { (i, judge_sample(&sandbox, &config, &problem, sample).await) });
    }
    let mut indexed = Vec::new();
    while let Some(joined) = set.join_next().await {
        indexed.push(joined.map_err(|e| EvalError::Source(format!("judge task failed: {e}")))?);
    }
    indexed.sort_by_key(|(i, _)| *i);
    let results: Vec<SampleResult> = indexed.into_iter().map(|(_, r)| r).collect();
    Ok(ProblemResult {
        id: problem.id.clone(),
        name: problem.name.clone(),
        difficulty: problem.difficulty.map(|d| d.name().to_string()),
        n: results.len(),
        c: results.iter().filter(|r| r.accepted()).count(),
        samples: results,
    })
}

/// Judges one sample against its problem.
async fn judge_sample(
    sandbox: &Sandbox,
    config: &EvalConfig,
    problem: &Problem,
    sample: Sample,
) -> SampleResult {
    let started = Instant::now();
    let mut result = SampleResult {
        label: sample.label.clone(),
        lang: sample.lang,
        verdict: None,
        message: "no code in the reply".into(),
        passed_tests: 0,
        total_tests: 0,
        per_test: Vec::new(),
        gen_seconds: sample.gen_seconds,
        judge_seconds: 0.0,
    };
    let Some(code) = sample.code else {
        return result;
    };
    // An accepted sample has no message; a rejected one gets its reason below.
    result.message.clear();
    match &problem.task {
        Task::Stdio(task) => {
            judge_stdio(sandbox, config, task, sample.lang, code, &mut result).await
        }
        Task::Function(task) => judge_function(sandbox, config, task, &code, &mut result).await,
    }
    result.judge_seconds = started.elapsed().as_secs_f64();
    result
}

async fn judge_stdio(
    sandbox: &Sandbox,
    config: &EvalConfig,
    task: &StdioTask,
    lang: Language,
    code: String,
    result: &mut SampleResult,
) {
    let tests: Vec<TestCase> = task
        .tests
        .iter()
        .map(|t| TestCase::new(t.name.clone(), t.input.clone(), t.answer.clone()))
        .collect();
    let report = match &config.remote {
        Some(remote) => {
            remote
                .judge(&remote_judge_body(config, task, lang, &code))
                .await
        }
        None => judge_stdio_locally(sandbox, config, task, lang, code, &tests).await,
    };
    let report = match report {
        Ok(report) => report,
        Err(message) => {
            result.verdict = Some(Verdict::SandboxError);
            result.message = message;
            return;
        }
    };
    result.verdict = Some(report.verdict);
    result.passed_tests = report.passed;
    result.total_tests = tests.len();
    result.per_test = report
        .tests
        .iter()
        .map(|t| t.verdict.is_accepted())
        .collect();
    result.per_test.resize(tests.len(), false);
    result.message = report.compile_message.clone().unwrap_or_else(|| {
        report
            .tests
            .iter()
            .find(|t| !matches!(t.verdict, Verdict::Accepted | Verdict::Skipped))
            .map(|t| format!("{}: {}", t.name, t.message))
            .unwrap_or_default()
    });
}

/// Judges a stdin/stdout sample in this process's sandbox; `Err` when the checker does not
/// compile.
async fn judge_stdio_locally(
    sandbox: &Sandbox,
    config: &EvalConfig,
    task: &StdioTask,
    lang: Language,
    code: String,
    tests: &[TestCase],
) -> Result<JudgeReport, String> {
    let checker_program = match (&task.checker, &task.custom_checker) {
        (Checker::Custom, Some(checker)) => Some(
            sandbox
                .compile_async(checker.lang, checker.source.clone().into_bytes())
                .await
                .map_err(|e| format!("checker does not compile: {}", e.message(500)))?,
        ),
        _ => None,
    };
    let options = JudgeOptions {
        limits: task.limits(),
        checker: task.checker.clone(),
        checker_program,
        stop_at_first_failure: config.stop_at_first_failure,
        keep_output_bytes: 0,
    };
    let submission = Submission {
        lang,
        source: code.into_bytes(),
    };
    Ok(sandbox.judge_source(submission, tests, &options).await)
}

/// The `POST /judge` body that asks a `crucible serve` replica for the judgement
/// [`judge_stdio_locally`] would make.
fn remote_judge_body(
    config: &EvalConfig,
    task: &StdioTask,
    lang: Language,
    code: &str,
) -> serde_json::Value {
    let tests: Vec<serde_json::Value> = task
        .tests
        .iter()
        .map(|t| {
            serde_json::json!({
                "name": t.name,
                "input_base64": STANDARD.encode(&t.input),
                "expected_base64": STANDARD.encode(&t.answer),
            })
        })
        .collect();
    let checker_program = match (&task.checker, &task.custom_checker) {
        (Checker::Custom, Some(c)) => {
            serde_json::json!({"language": c.lang.name(), "source": c.source})
        }
        _ => serde_json::Value::Null,
    };
    let limits = task.limits();
    serde_json::json!({
        "language": lang.name(),
        "source": code,
        "tests": tests,
        "checker": task.checker,
        "checker_program": checker_program,
        "time_limit": limits.time.as_secs_f64(),
        "memory_limit_mb": limits.memory_bytes as f64 / f64::from(1u32 << 20),
        "stop_on_failure": config.stop_at_first_failure,
    })
}

async fn judge_function(
    sandbox: &Sandbox,
    config: &EvalConfig,
    task: &FunctionTask,
    code: &str,
    result: &mut SampleResult,
) {
    result.total_tests = 1;
    result.per_test = vec![false];
    let program = task.judge_program(code);
    if let Some(remote) = &config.remote {
        judge_function_remotely(remote, config, &program, result).await;
        return;
    }
    let compiled = match sandbox
        .compile_async(Language::Python, program.into_bytes())
        .await
    {
        Ok(p) => p,
        Err(e) => {
            result.verdict = Some(e.verdict());
            result.message = e.message(1000);
            return;
        }
    };
    match sandbox
        .run_async(&compiled, b"", &config.function_limits)
        .await
    {
        Err(e) => {
            result.verdict = Some(Verdict::SandboxError);
            result.message = e.to_string();
        }
        Ok(report) => {
            let stderr = String::from_utf8_lossy(&report.stderr);
            let verdict = match report.termination.verdict() {
                None => Verdict::Accepted,
                Some(Verdict::RuntimeError) if stderr.contains("AssertionError") => {
                    Verdict::WrongAnswer
                }
                Some(v) => v,
            };
            result.verdict = Some(verdict);
            result.passed_tests = usize::from(verdict == Verdict::Accepted);
            result.per_test = vec![verdict == Verdict::Accepted];
            if verdict != Verdict::Accepted {
                let tail: String = stderr
                    .lines()
                    .rev()
                    .take(3)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join(" | ");
                result.message = match &report.termination {
                    Termination::Exited(_) => tail,
                    other => format!("{}; {tail}", other.describe()),
                };
            }
        }
    }
}

/// [`judge_function`] on a `crucible serve` replica: the same program, limits and verdicts.
async fn judge_function_remotely(
    remote: &RemoteJudge,
    config: &EvalConfig,
    program: &str,
    result: &mut SampleResult,
) {
    let limits = &config.function_limits;
    let run = match remote
        .run_python(program, limits.time.as_secs_f64(), limits.memory_bytes)
        .await
    {
        Ok(run) => run,
        Err(message) => {
            result.verdict = Some(Verdict::SandboxError);
            result.message = message;
            return;
        }
    };
    let verdict = match run.verdict {
        Verdict::RuntimeError if run.stderr.contains("AssertionError") => Verdict::WrongAnswer,
        v => v,
    };
    result.verdict = Some(verdict);
    result.passed_tests = usize::from(verdict == Verdict::Accepted);
    result.per_test = vec![verdict == Verdict::Accepted];
    if verdict != Verdict::Accepted {
        let tail: Vec<&str> = run.stderr.lines().rev().take(3).collect();
        result.message = tail.into_iter().rev().collect::<Vec<_>>().join(" | ");
    }
}
