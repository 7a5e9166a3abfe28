//! `POST /judge_problem`: samples judged on a problem in any format `crucible eval` reads
//! (Kattis package, seed set, P3, HumanEval, MBPP, CodeContests, LiveCodeBench, APPS), sent as
//! its files, through the same judging function as `crucible eval` and campaigns
//! ([`crucible_eval::judge_samples`]). Limits the problem asks for are lowered to the server's
//! maxima.

use crate::files::safe_relative;
use crate::fusion::parse_language;
use crate::{ApiError, ApiJson, AppState};
use axum::Json;
use axum::extract::State;
use crucible_eval::{EvalConfig, ProblemResult, Sample, judge_samples};
use crucible_problems::{Problem, Task};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most problems one request may judge.
const MAX_PROBLEMS: usize = 100;

/// One candidate solution.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProblemSample {
    /// `python`, `cpp`, `c`.
    pub language: String,
    /// The program (for function problems: the function, as `crucible eval` takes it).
    pub code: String,
}

/// The body of `POST /judge_problem`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgeProblemRequest {
    /// The problem set's files, path → text, laid out as on disk (`mbpp.jsonl`;
    /// `problem.yaml`, `data/secret/1.in`, ...).
    pub files: BTreeMap<String, String>,
    /// Judge only the problem with this id (default: every problem in the files).
    #[serde(default)]
    pub problem_id: Option<String>,
    /// The samples, judged on each selected problem.
    pub samples: Vec<ProblemSample>,
    /// Judge every test even after a failure.
    #[serde(default)]
    pub all_tests: bool,
}

/// The answer: one result per judged problem (as in `crucible eval`'s results file) and the
/// records the readers skipped.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JudgeProblemResponse {
    /// Per problem: every sample's verdict, tests passed, message.
    pub results: Vec<ProblemResult>,
    /// Problems or records that could not be read, with the reason.
    pub load_errors: Vec<String>,
}

/// `POST /judge_problem`.
pub async fn judge_problem(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<JudgeProblemRequest>,
) -> Result<Json<JudgeProblemResponse>, ApiError> {
    if req.samples.is_empty() {
        return Err(ApiError::BadRequest(
            "`samples` must hold at least one sample".into(),
        ));
    }
    let samples = req
        .samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(Sample {
                lang: parse_language(&s.language)?,
                code: Some(s.code.clone()),
                label: format!("sample {}", i + 1),
                gen_seconds: 0.0,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let (problems, load_errors) = load(&req.files, req.problem_id.as_deref())?;
    let config = EvalConfig {
        samples: samples.len(),
        stop_at_first_failure: !req.all_tests,
        function_limits: clamp_limits(&state, EvalConfig::default().function_limits),
        ..EvalConfig::default()
    };
    let mut results = Vec::with_capacity(problems.len());
    for mut problem in problems {
        clamp_problem(&state, &mut problem);
        let result = judge_samples(state.sandbox(), &config, &problem, samples.clone())
            .await
            .map_err(|e| ApiError::BadRequest(format!("judging {}: {e}", problem.id)))?;
        for sample in &result.samples {
            if let Some(verdict) = sample.verdict {
                state.metrics().run("/judge_problem", verdict);
            }
        }
        results.push(result);
    }
    Ok(Json(JudgeProblemResponse {
        results,
        load_errors,
    }))
}

/// Writes the files to a temporary directory and reads them with `crucible eval`'s readers.
fn load(
    files: &BTreeMap<String, String>,
    only: Option<&str>,
) -> Result<(Vec<Problem>, Vec<String>), ApiError> {
    if files.is_empty() {
        return Err(ApiError::BadRequest(
            "`files` must hold the problem's files".into(),
        ));
    }
    let dir = tempfile::Builder::new()
        .prefix("crucible-problem-")
        .tempdir()
        .map_err(|e| ApiError::BadRequest(format!("cannot create a work directory: {e}")))?;
    for (name, text) in files {
        let relative = safe_relative(name).ok_or_else(|| {
            ApiError::BadRequest(format!("file name `{name}` must be a relative path"))
        })?;
        let path = dir.path().join(relative);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        written.map_err(|e| ApiError::BadRequest(format!("cannot write `{name}`: {e}")))?;
    }
    let report = crucible_problems::formats::load_set(dir.path())
        .map_err(|e| ApiError::BadRequest(format!("no problem format recognised: {e}")))?;
    let mut problems = report.problems;
    if let Some(id) = only {
        problems.retain(|p| p.id == id);
        if problems.is_empty() {
            return Err(ApiError::BadRequest(format!(
                "no problem `{id}` in the files"
            )));
        }
    }
    if problems.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "the files hold no problem that loads ({} errors: {})",
            report.errors.len(),
            report
                .errors
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        )));
    }
    if problems.len() > MAX_PROBLEMS {
        return Err(ApiError::BadRequest(format!(
            "{} problems: judge at most {MAX_PROBLEMS} per request (or pick one with problem_id)",
            problems.len()
        )));
    }
    Ok((
        problems,
        report.errors.iter().map(ToString::to_string).collect(),
    ))
}

fn clamp_limits(
    state: &AppState,
    mut limits: crucible_sandbox::Limits,
) -> crucible_sandbox::Limits {
    let config = state.config();
    limits.time = limits.time.min(config.max_time_limit);
    limits.memory_bytes = limits.memory_bytes.min(config.max_memory_bytes);
    limits
}

/// Lowers a stdin/stdout problem's own limits to the server's maxima.
fn clamp_problem(state: &AppState, problem: &mut Problem) {
    if let Task::Stdio(task) = &mut problem.task {
        let config = state.config();
        task.time_limit = task.time_limit.min(config.max_time_limit);
        task.memory_bytes = task.memory_bytes.min(config.max_memory_bytes);
    }
}
