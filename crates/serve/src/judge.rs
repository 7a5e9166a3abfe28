//! Crucible's own `POST /judge`: a submission against tests with a checker, answered with the
//! same [`JudgeReport`] JSON that `crucible sandbox judge --json` prints.

use crate::fusion::parse_language;
use crate::{ApiError, ApiJson, AppState};
use axum::Json;
use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crucible_sandbox::{
    Checker, JudgeOptions, JudgeReport, Language, Limits, Program, Submission, TestCase,
};
use serde::{Deserialize, Serialize};

/// A source in a language the sandbox runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceFile {
    /// `python`, `cpp`, `c`, `wasm`.
    pub language: String,
    /// The source text.
    pub source: String,
}

/// One test: stdin and the expected answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JudgeTest {
    /// A name for the report (default: its 1-based position).
    #[serde(default)]
    pub name: Option<String>,
    /// Given on stdin.
    #[serde(default)]
    pub input: String,
    /// The reference answer the checker compares with.
    #[serde(default)]
    pub expected: String,
    /// `input` as base64, for bytes that are not UTF-8 (replaces `input`).
    #[serde(default)]
    pub input_base64: Option<String>,
    /// `expected` as base64, for bytes that are not UTF-8 (replaces `expected`).
    #[serde(default)]
    pub expected_base64: Option<String>,
}

impl JudgeTest {
    /// The test case, named `default_name` when it has no name.
    fn into_case(self, default_name: String) -> Result<TestCase, ApiError> {
        let name = self.name.unwrap_or(default_name);
        let input = bytes_of(&name, "input", self.input, self.input_base64)?;
        let expected = bytes_of(&name, "expected", self.expected, self.expected_base64)?;
        Ok(TestCase::new(name, input, expected))
    }
}

/// `text`, or the decoded `base64` when given.
fn bytes_of(
    test: &str,
    field: &str,
    text: String,
    base64: Option<String>,
) -> Result<Vec<u8>, ApiError> {
    match base64 {
        None => Ok(text.into_bytes()),
        Some(encoded) => STANDARD.decode(encoded.trim()).map_err(|e| {
            ApiError::BadRequest(format!(
                "test `{test}`: `{field}_base64` is not base64: {e}"
            ))
        }),
    }
}

/// The body of `POST /judge`. Unknown fields are an error (a typo must not silently change how
/// a submission is judged).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgeRequest {
    /// The submission.
    #[serde(flatten)]
    pub submission: SourceFile,
    /// The tests, judged in order.
    pub tests: Vec<JudgeTest>,
    /// How outputs are compared: `{"kind": "tokens", "case_sensitive": false}` (default),
    /// `{"kind": "exact"}`, `{"kind": "float", "abs": 1e-6, "rel": 1e-6, "case_sensitive":
    /// false}` or `{"kind": "custom"}` with `checker_program`.
    #[serde(default)]
    pub checker: Checker,
    /// The Kattis-style output validator when `checker` is custom.
    #[serde(default)]
    pub checker_program: Option<SourceFile>,
    /// CPU seconds per test (calibrated fuel clock; default 2, clamped to the server's maximum).
    #[serde(default)]
    pub time_limit: Option<f64>,
    /// MiB of memory per test (default 256, clamped to the server's maximum).
    #[serde(default)]
    pub memory_limit_mb: Option<f64>,
    /// Stop at the first failing test (the rest are `Skipped`).
    #[serde(default)]
    pub stop_on_failure: bool,
    /// Keep each test's stdout in the report, capped at this many bytes (default 0: none).
    #[serde(default)]
    pub keep_output_bytes: usize,
}

/// A validated request.
struct Plan {
    submission: Submission,
    tests: Vec<TestCase>,
    checker_program: Option<(Language, Vec<u8>)>,
    options: JudgeOptions,
}

impl Plan {
    fn new(state: &AppState, req: JudgeRequest) -> Result<Self, ApiError> {
        let config = state.config();
        if req.tests.is_empty() {
            return Err(ApiError::BadRequest(
                "`tests` must hold at least one test".into(),
            ));
        }
        if req.tests.len() > config.max_tests {
            return Err(ApiError::BadRequest(format!(
                "{} tests is over this server's limit of {}",
                req.tests.len(),
                config.max_tests
            )));
        }
        let defaults = Limits::default();
        let time = match req.time_limit {
            Some(t) => config.time_limit("time_limit", t)?,
            None => defaults.time.min(config.max_time_limit),
        };
        let memory = match req.memory_limit_mb {
            Some(m) => config.memory_limit("memory_limit_mb", m)?,
            None => defaults.memory_bytes.min(config.max_memory_bytes),
        };
        let checker_program = match (&req.checker, req.checker_program) {
            (Checker::Custom, Some(p)) => {
                Some((parse_language(&p.language)?, p.source.into_bytes()))
            }
            (Checker::Custom, None) => {
                return Err(ApiError::BadRequest(
                    "a custom checker needs `checker_program`".into(),
                ));
            }
            (_, Some(_)) => {
                return Err(ApiError::BadRequest(
                    "`checker_program` is only used with `\"checker\": {\"kind\": \"custom\"}`"
                        .into(),
                ));
            }
            (_, None) => None,
        };
        let options = JudgeOptions {
            limits: Limits {
                time,
                memory_bytes: memory,
                output_bytes: config.max_output_bytes,
                ..defaults
            },
            checker: req.checker,
            checker_program: None,
            stop_at_first_failure: req.stop_on_failure,
            keep_output_bytes: req.keep_output_bytes.min(config.max_output_bytes as usize),
        };
        Ok(Plan {
            submission: Submission {
                lang: parse_language(&req.submission.language)?,
                source: req.submission.source.into_bytes(),
            },
            tests: req
                .tests
                .into_iter()
                .enumerate()
                .map(|(i, t)| t.into_case((i + 1).to_string()))
                .collect::<Result<_, _>>()?,
            checker_program,
            options,
        })
    }
}

/// `POST /judge`.
pub async fn judge(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<JudgeRequest>,
) -> Result<Json<JudgeReport>, ApiError> {
    let mut plan = Plan::new(&state, req)?;
    tracing::debug!(lang = %plan.submission.lang, tests = plan.tests.len(), "judge");
    let report = match compile_checker(&state, plan.checker_program.take()).await {
        Ok(checker) => {
            plan.options.checker_program = checker;
            state
                .sandbox()
                .judge_source(plan.submission, &plan.tests, &plan.options)
                .await
        }
        Err(err) => JudgeReport::compile_failed(&err, &plan.tests),
    };
    state.metrics().run("/judge", report.verdict);
    Ok(Json(report))
}

/// Compiles the custom checker; its failure is the server's (`SandboxError`), never the
/// submission's.
async fn compile_checker(
    state: &AppState,
    checker: Option<(Language, Vec<u8>)>,
) -> Result<Option<Program>, crucible_sandbox::CompileError> {
    let Some((lang, source)) = checker else {
        return Ok(None);
    };
    match state.sandbox().compile_async(lang, source).await {
        Ok(program) => Ok(Some(program)),
        Err(err) => Err(crucible_sandbox::CompileError::Sandbox(
            crucible_sandbox::SandboxError::Worker(format!(
                "the checker does not compile: {}",
                err.message(4 << 10)
            )),
        )),
    }
}
