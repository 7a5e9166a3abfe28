//! SandboxFusion's `POST /run_code`, field for field: a client written for SandboxFusion works
//! by changing its URL. Models: `sandbox/server/sandbox_api.py` and `sandbox/runners/types.py`
//! in bytedance/SandboxFusion.

use crate::files::{FileSet, fetch_files};
use crate::{ApiError, ApiJson, AppState};
use axum::Json;
use axum::extract::State;
use crucible_sandbox::{CompileError, Language, Limits, Program, RunReport, Termination, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// SandboxFusion's `RunCodeRequest`. Unknown fields are ignored, as pydantic does.
#[derive(Debug, Clone, Deserialize)]
pub struct RunCodeRequest {
    /// The source to run.
    pub code: String,
    /// `python`, `cpp` or `c` (also `wasm`/`wat`); anything else is 400.
    pub language: String,
    /// Bytes given on stdin.
    #[serde(default)]
    pub stdin: Option<String>,
    /// Seconds the compiler may take (compiled languages).
    #[serde(default = "ten")]
    pub compile_timeout: f64,
    /// Seconds the program may run: here CPU time on the calibrated fuel clock.
    #[serde(default = "ten")]
    pub run_timeout: f64,
    /// Memory limit in MiB; `-1` (SandboxFusion's default) means the server's maximum.
    #[serde(default = "minus_one", rename = "memory_limit_MB")]
    pub memory_limit_mb: f64,
    /// Files to place in the working directory: path → base64 content (`null` is skipped).
    #[serde(default)]
    pub files: BTreeMap<String, Option<String>>,
    /// Files to return (base64) after the run.
    #[serde(default)]
    pub fetch_files: Vec<String>,
}

fn ten() -> f64 {
    10.0
}

fn minus_one() -> f64 {
    -1.0
}

/// SandboxFusion's `CommandRunStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandRunStatus {
    /// The command ran to its end (whatever its exit code).
    Finished,
    /// The command did not start or the sandbox failed.
    Error,
    /// The command was stopped at its time limit.
    TimeLimitExceeded,
}

/// SandboxFusion's `CommandRunResult`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandRunResult {
    /// How the command ended.
    pub status: CommandRunStatus,
    /// Wall seconds it took.
    pub execution_time: Option<f64>,
    /// Its exit code (`null` after a time-out; negative: the signal a native process would
    /// have died of — -6 for a trap, -9 past the memory limit, -25 past the output limit).
    pub return_code: Option<i32>,
    /// Its stdout.
    pub stdout: Option<String>,
    /// Its stderr (for a run that did not exit, a last line says why).
    pub stderr: Option<String>,
}

/// SandboxFusion's `RunStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunStatus {
    /// Every command finished with exit code 0.
    Success,
    /// A command failed: non-zero exit code or time limit.
    Failed,
    /// The sandbox failed; says nothing about the code.
    SandboxError,
}

/// SandboxFusion's `RunCodeResponse`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunCodeResponse {
    /// The overall outcome.
    pub status: RunStatus,
    /// Why, for `SandboxError`; empty otherwise.
    pub message: String,
    /// The compiler's run (`null` for Python).
    pub compile_result: Option<CommandRunResult>,
    /// The program's run (`null` when it did not compile).
    pub run_result: Option<CommandRunResult>,
    /// `$MY_POD_NAME` of the replica that answered.
    pub executor_pod_name: Option<String>,
    /// The fetched files: path → base64 content.
    pub files: BTreeMap<String, String>,
    /// Crucible's own account of the run (a field SandboxFusion clients ignore): the verdict
    /// the sandbox gave it and its deterministic CPU measure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crucible: Option<CrucibleRun>,
}

/// What Crucible adds to a `/run_code` response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrucibleRun {
    /// `Accepted` for a clean exit (no output is checked), else the sandbox's verdict
    /// (`CompileError`, `RuntimeError`, `TimeLimitExceeded`, ...).
    pub verdict: Verdict,
    /// CPU seconds on the calibrated fuel clock (0 when it did not run).
    pub cpu_seconds: f64,
    /// Fuel used (deterministic).
    pub fuel: u64,
    /// Peak linear memory in bytes.
    pub peak_memory: u64,
}

/// A validated request.
struct Plan {
    lang: Language,
    source: Vec<u8>,
    stdin: Vec<u8>,
    compile_timeout: Duration,
    limits: Limits,
    files: FileSet,
    fetch: Vec<String>,
}

impl Plan {
    fn new(state: &AppState, req: RunCodeRequest) -> Result<Self, ApiError> {
        let config = state.config();
        let lang = parse_language(&req.language)?;
        let memory = if req.memory_limit_mb == -1.0 || req.memory_limit_mb == 0.0 {
            config.max_memory_bytes
        } else {
            config.memory_limit("memory_limit_MB", req.memory_limit_mb)?
        };
        let limits = Limits {
            time: config.time_limit("run_timeout", req.run_timeout)?,
            memory_bytes: memory,
            output_bytes: config.max_output_bytes,
            stderr_bytes: config.max_output_bytes,
            ..Limits::default()
        };
        Ok(Plan {
            lang,
            source: req.code.into_bytes(),
            stdin: req.stdin.unwrap_or_default().into_bytes(),
            // SandboxFusion has no compile step for Python, so its compile_timeout does not
            // apply to our syntax check (it is still validated).
            compile_timeout: match (config.compile_timeout(req.compile_timeout)?, lang) {
                (_, Language::Python) => config.max_compile_timeout,
                (asked, _) => asked,
            },
            limits,
            files: FileSet::decode(&req.files)?,
            fetch: req.fetch_files,
        })
    }
}

/// Parses a language name the sandbox runs; SandboxFusion names others we do not.
pub fn parse_language(name: &str) -> Result<Language, ApiError> {
    Language::parse(name).ok_or_else(|| ApiError::UnsupportedLanguage(name.to_string()))
}

/// `POST /run_code`.
pub async fn run_code(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RunCodeRequest>,
) -> Result<Json<RunCodeResponse>, ApiError> {
    let plan = Plan::new(&state, req)?;
    tracing::debug!(lang = %plan.lang, bytes = plan.source.len(), "run_code");
    let (response, verdict) = execute(&state, plan).await;
    state.metrics().run("/run_code", verdict);
    Ok(Json(response))
}

/// Validates and runs one request without taking a queue slot (the caller holds one): the
/// response and the verdict the run amounts to.
pub async fn execute_request(
    state: &AppState,
    req: RunCodeRequest,
) -> Result<(RunCodeResponse, Verdict), ApiError> {
    let plan = Plan::new(state, req)?;
    Ok(execute(state, plan).await)
}

/// Compiles and runs; the verdict is the one the metrics count.
async fn execute(state: &AppState, plan: Plan) -> (RunCodeResponse, Verdict) {
    let mut response = RunCodeResponse {
        status: RunStatus::Success,
        message: String::new(),
        compile_result: None,
        run_result: None,
        executor_pod_name: state.config().pod_name.clone(),
        files: BTreeMap::new(),
        crucible: None,
    };
    let program = match compile(state, &plan, &mut response).await {
        Ok(program) => program,
        Err(verdict) => {
            response.status = overall_status(&response);
            response.crucible = Some(CrucibleRun {
                verdict,
                cpu_seconds: 0.0,
                fuel: 0,
                peak_memory: 0,
            });
            return (response, verdict);
        }
    };
    let verdict = match state
        .sandbox()
        .run_in_dir_async(&program, &plan.stdin, &plan.limits, plan.files.dir())
        .await
    {
        Ok(report) => {
            response.run_result = Some(run_result(&report));
            let verdict = report.termination.verdict().unwrap_or(Verdict::Accepted);
            response.crucible = Some(CrucibleRun {
                verdict,
                cpu_seconds: report.cpu_seconds,
                fuel: report.fuel,
                peak_memory: report.peak_memory,
            });
            verdict
        }
        Err(e) => {
            response.run_result = Some(error_result(e.to_string()));
            Verdict::SandboxError
        }
    };
    response.files = fetch_files(plan.files.dir(), &plan.fetch);
    response.status = overall_status(&response);
    if response.status == RunStatus::SandboxError {
        response.message = response
            .run_result
            .as_ref()
            .and_then(|r| r.stderr.clone())
            .unwrap_or_default();
    }
    (response, verdict)
}

/// Compiles under the request's compile timeout, filling `compile_result` (compiled
/// languages) or, for Python (which SandboxFusion does not compile), `run_result`.
async fn compile(
    state: &AppState,
    plan: &Plan,
    response: &mut RunCodeResponse,
) -> Result<Program, Verdict> {
    let started = Instant::now();
    let compiling = state
        .sandbox()
        .compile_async(plan.lang, plan.source.clone());
    let outcome = tokio::time::timeout(plan.compile_timeout, compiling).await;
    let seconds = started.elapsed().as_secs_f64();
    let compiled_language = plan.lang != Language::Python;
    let (result, program) = match outcome {
        Err(_) => (
            CommandRunResult {
                status: CommandRunStatus::TimeLimitExceeded,
                execution_time: Some(seconds),
                return_code: None,
                stdout: Some(String::new()),
                stderr: Some("compilation timed out".into()),
            },
            Err(Verdict::CompileError),
        ),
        Ok(Ok(program)) => (finished(seconds, 0, String::new()), Ok(program)),
        Ok(Err(CompileError::Sandbox(e))) => {
            let result = error_result(e.to_string());
            response.message = e.to_string();
            (result, Err(Verdict::SandboxError))
        }
        Ok(Err(err @ CompileError::Rejected { .. })) => (
            finished(seconds, 1, err.message(64 << 10)),
            Err(Verdict::CompileError),
        ),
    };
    if compiled_language {
        response.compile_result = Some(result);
    } else if program.is_err() {
        response.run_result = Some(result);
    }
    program
}

fn finished(seconds: f64, code: i32, stderr: String) -> CommandRunResult {
    CommandRunResult {
        status: CommandRunStatus::Finished,
        execution_time: Some(seconds),
        return_code: Some(code),
        stdout: Some(String::new()),
        stderr: Some(stderr),
    }
}

fn error_result(message: String) -> CommandRunResult {
    CommandRunResult {
        status: CommandRunStatus::Error,
        execution_time: None,
        return_code: None,
        stdout: None,
        stderr: Some(message),
    }
}

/// A sandbox run as SandboxFusion's command result.
pub fn run_result(report: &RunReport) -> CommandRunResult {
    let (status, return_code) = match &report.termination {
        Termination::Exited(code) => (CommandRunStatus::Finished, Some(*code)),
        Termination::TimeLimit | Termination::WallTimeLimit => {
            (CommandRunStatus::TimeLimitExceeded, None)
        }
        Termination::Trapped(_) => (CommandRunStatus::Finished, Some(-6)),
        Termination::MemoryLimit => (CommandRunStatus::Finished, Some(-9)),
        Termination::OutputLimit => (CommandRunStatus::Finished, Some(-25)),
        // An ending this server does not know yet: not a clean run.
        _ => (CommandRunStatus::Error, None),
    };
    let mut stderr = String::from_utf8_lossy(&report.stderr).into_owned();
    if !matches!(report.termination, Termination::Exited(_)) {
        if !stderr.is_empty() && !stderr.ends_with('\n') {
            stderr.push('\n');
        }
        stderr.push_str(&format!("crucible: {}\n", report.termination.describe()));
    }
    CommandRunResult {
        status,
        execution_time: Some(report.wall.as_secs_f64()),
        return_code,
        stdout: Some(String::from_utf8_lossy(&report.stdout).into_owned()),
        stderr: Some(stderr),
    }
}

/// SandboxFusion's `parse_run_status`: an `Error` anywhere is `SandboxError`; a time-out or
/// a non-zero exit code is `Failed`; otherwise `Success`.
fn overall_status(response: &RunCodeResponse) -> RunStatus {
    let results: Vec<&CommandRunResult> = [&response.compile_result, &response.run_result]
        .into_iter()
        .flatten()
        .collect();
    if results.iter().any(|r| r.status == CommandRunStatus::Error) {
        RunStatus::SandboxError
    } else if results.iter().any(|r| {
        r.status == CommandRunStatus::TimeLimitExceeded || r.return_code.is_some_and(|c| c != 0)
    }) {
        RunStatus::Failed
    } else {
        RunStatus::Success
    }
}
