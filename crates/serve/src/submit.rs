//! The subset of SandboxFusion's `POST /submit` that needs no dataset server: a
//! `CommonOJDataset`-style problem given inline in `config.provided_data` (its `test` list of
//! `{"input": {"stdin": …}, "output": {"stdout": …}}`), judged as SandboxFusion's
//! `check_stdio_test_case` does (line by line, trimmed, case-insensitive, floats within a
//! relative 1e-5), answered with its `EvalResult`.

use crate::fusion::{RunCodeRequest, RunCodeResponse, RunStatus, execute_request};
use crate::{ApiError, ApiJson, AppState};
use axum::Json;
use axum::extract::State;
use crucible_sandbox::Verdict;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// SandboxFusion's `TestConfig` (the fields this subset reads; others are ignored).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TestConfig {
    /// Must be absent or `CommonOJDataset`.
    #[serde(default)]
    pub dataset_type: Option<String>,
    /// The submission's language (required).
    #[serde(default)]
    pub language: Option<String>,
    /// Compile timeout per test (default 10 s).
    #[serde(default)]
    pub compile_timeout: Option<f64>,
    /// Run timeout per test (default 10 s, Python 20 s).
    #[serde(default)]
    pub run_timeout: Option<f64>,
    /// The problem: a dict with `test` (a list, or that list as a JSON string).
    #[serde(default)]
    pub provided_data: Option<Value>,
    /// `run_all_cases: true` judges every test instead of stopping at the first failure.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

/// SandboxFusion's `SubmitRequest`.
#[derive(Debug, Clone, Deserialize)]
pub struct SubmitRequest {
    /// The dataset's name (any, with `provided_data`).
    pub dataset: String,
    /// The problem id, echoed back.
    pub id: Value,
    /// The model's reply; the code is extracted from its fenced blocks.
    pub completion: String,
    /// How to judge.
    pub config: TestConfig,
}

/// SandboxFusion's `GeneralStdioTest`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StdioTest {
    /// `stdin` (other names would be files; not supported).
    pub input: BTreeMap<String, String>,
    /// `stdout`.
    pub output: BTreeMap<String, String>,
}

/// SandboxFusion's `EvalTestCase`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalTestCase {
    /// Whether the output matched.
    pub passed: bool,
    /// The run.
    pub exec_info: RunCodeResponse,
    /// The test.
    pub test_info: Option<StdioTest>,
}

/// SandboxFusion's `EvalResult`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalResult {
    /// The request's id.
    pub id: Value,
    /// Every judged test passed.
    pub accepted: bool,
    /// The code that ran.
    pub extracted_code: String,
    /// Unused here (`null`).
    pub full_code: Option<String>,
    /// Unused here (`null`).
    pub test_code: Option<String>,
    /// Judged tests, in order (up to the first failure unless `run_all_cases`).
    pub tests: Vec<EvalTestCase>,
    /// `fenced` when the code came from a fenced block, `heuristic` when the whole reply was
    /// taken, `empty` when there was nothing.
    pub extracted_type: Option<String>,
    /// Unused here (`null`).
    pub extra: Option<Value>,
}

/// `POST /submit`.
pub async fn submit(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SubmitRequest>,
) -> Result<Json<EvalResult>, ApiError> {
    let language = validate(&req)?;
    let tests = read_tests(&req.dataset, req.config.provided_data.as_ref())?;
    let (code, extracted_type) = extract_code(&req.completion, &language);
    let compiled = language != "python";
    let base = RunCodeRequest {
        code: code.clone(),
        language: language.clone(),
        stdin: None,
        compile_timeout: req.config.compile_timeout.unwrap_or(10.0),
        run_timeout: req
            .config
            .run_timeout
            .unwrap_or(if compiled { 10.0 } else { 20.0 }),
        memory_limit_mb: -1.0,
        files: BTreeMap::new(),
        fetch_files: Vec::new(),
    };
    let run_all = req.config.extra.get("run_all_cases") == Some(&Value::Bool(true));
    let mut results = Vec::new();
    for test in tests {
        let mut run = base.clone();
        run.stdin = test.input.get("stdin").cloned();
        let (exec_info, _) = execute_request(&state, run).await?;
        let passed = exec_info.status == RunStatus::Success
            && outputs_match(
                exec_info
                    .run_result
                    .as_ref()
                    .and_then(|r| r.stdout.as_deref())
                    .unwrap_or(""),
                test.output.get("stdout").map_or("", String::as_str),
            );
        results.push(EvalTestCase {
            passed,
            exec_info,
            test_info: Some(test),
        });
        if !passed && !run_all {
            break;
        }
    }
    let accepted = results.iter().all(|t| t.passed);
    state.metrics().run(
        "/submit",
        if accepted {
            Verdict::Accepted
        } else {
            Verdict::WrongAnswer
        },
    );
    Ok(Json(EvalResult {
        id: req.id,
        accepted,
        extracted_code: code,
        full_code: None,
        test_code: None,
        tests: results,
        extracted_type: Some(extracted_type.into()),
        extra: None,
    }))
}

/// The checks SandboxFusion makes before judging, and ours for the unsupported rest.
fn validate(req: &SubmitRequest) -> Result<String, ApiError> {
    if let Some(kind) = &req.config.dataset_type
        && kind != "CommonOJDataset"
    {
        return Err(ApiError::BadRequest(format!(
            "dataset_type `{kind}` is not supported: this server judges CommonOJDataset-style \
             problems given in config.provided_data"
        )));
    }
    let language = req.config.language.clone().ok_or_else(|| {
        ApiError::BadRequest(
            "config.language field must exist for CommonOJDataset, got None".into(),
        )
    })?;
    crate::fusion::parse_language(&language)?;
    Ok(language)
}

/// The `test` list of `provided_data` (a list, or a JSON string holding one).
fn read_tests(dataset: &str, data: Option<&Value>) -> Result<Vec<StdioTest>, ApiError> {
    let missing = || {
        ApiError::BadRequest(format!(
            "dataset `{dataset}` is not stored on this server: give the problem in \
             config.provided_data as {{\"test\": [{{\"input\": {{\"stdin\": …}}, \
             \"output\": {{\"stdout\": …}}}}]}}"
        ))
    };
    let test = data.and_then(|d| d.get("test")).ok_or_else(missing)?;
    let parsed: Result<Vec<StdioTest>, _> = match test {
        Value::String(text) => serde_json::from_str(text),
        other => serde_json::from_value(other.clone()),
    };
    let tests = parsed.map_err(|e| ApiError::BadRequest(format!("provided_data.test: {e}")))?;
    if tests.is_empty() {
        return Err(ApiError::BadRequest("provided_data.test is empty".into()));
    }
    Ok(tests)
}

/// The first fenced block in `language` (else the first fenced block, else the whole reply),
/// with how it was found.
pub fn extract_code(completion: &str, language: &str) -> (String, &'static str) {
    let blocks = fenced_blocks(completion);
    let wanted = |tag: &str| {
        crucible_sandbox::Language::parse(tag) == crucible_sandbox::Language::parse(language)
    };
    if let Some((_, code)) = blocks.iter().find(|(tag, _)| wanted(tag)) {
        return (code.clone(), "fenced");
    }
    if let Some((_, code)) = blocks.first() {
        return (code.clone(), "fenced");
    }
    if completion.trim().is_empty() {
        (String::new(), "empty")
    } else {
        (completion.to_string(), "heuristic")
    }
}

/// Complete ```` ```tag … ``` ```` blocks: (tag, code).
fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match (&mut current, trimmed.strip_prefix("```")) {
            (None, Some(tag)) => current = Some((tag.trim().to_string(), Vec::new())),
            (Some(_), Some(rest)) if rest.trim().is_empty() => {
                if let Some((tag, lines)) = current.take() {
                    blocks.push((tag, lines.join("\n") + "\n"));
                }
            }
            (Some((_, lines)), _) => lines.push(line),
            (None, None) => {}
        }
    }
    blocks
}

/// SandboxFusion's stdout comparison: trimmed lines, lower-cased, floats within 1e-5 relative.
pub fn outputs_match(actual: &str, expected: &str) -> bool {
    let mut got: Vec<&str> = actual.trim().split('\n').collect();
    let mut want: Vec<&str> = expected.trim().split('\n').collect();
    if got.len() == want.len() + 1 && got.last() == Some(&"") {
        got.pop();
    }
    if want.len() == got.len() + 1 && want.last() == Some(&"") {
        want.pop();
    }
    got.len() == want.len()
        && got.iter().zip(&want).all(|(g, w)| {
            let (g, w) = (g.trim().to_lowercase(), w.trim().to_lowercase());
            g == w
                || matches!((g.parse::<f64>(), w.parse::<f64>()), (Ok(a), Ok(b))
                    if (a - b).abs() / b.abs().max(1e-10) < 1e-5)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_extracted_like_sandbox_fusion() {
        let reply = "Here:\n```cpp\nint main(){}\n```\nand\n```python\nprint(1)\n```\n";
        assert_eq!(
            extract_code(reply, "python"),
            ("print(1)\n".into(), "fenced")
        );
        assert_eq!(
            extract_code(reply, "c"),
            ("int main(){}\n".into(), "fenced")
        );
        assert_eq!(
            extract_code("print(2)", "python"),
            ("print(2)".into(), "heuristic")
        );
        assert_eq!(extract_code("  ", "python").1, "empty");
    }

    #[test]
    fn outputs_compare_like_sandbox_fusion() {
        assert!(outputs_match("Yes\n", "yes"));
        assert!(outputs_match("1 2\n3\n", "1 2\n3"));
        assert!(outputs_match("0.3333333\n", "0.33333333"));
        assert!(!outputs_match("1\n2\n", "1"));
        assert!(!outputs_match("0.5", "0.6"));
    }
}
