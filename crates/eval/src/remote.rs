//! Judging on a fleet of `crucible serve` replicas instead of the in-process sandbox: the same
//! judging function ([`crate::judge_samples`]) sends stdin/stdout tasks to `POST /judge` and
//! function tasks to `POST /run_code`, and reads back the verdicts the remote sandbox gave.
//! Connection failures, 429 and 5xx are retried (the fleet may be busy or restarting); a
//! failure that outlasts the retries is a `SandboxError` verdict, never one against the program.

use crucible_sandbox::{JudgeReport, Verdict};
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// Attempts per request before giving up.
const ATTEMPTS: u32 = 8;

/// A remote judge: the base URL of `crucible serve` (or a load balancer in front of several).
#[derive(Debug, Clone)]
pub struct RemoteJudge {
    base: String,
    token: Option<String>,
    client: reqwest::Client,
}

/// What a function task's run came to, as `/run_code` reports it.
#[derive(Debug, Clone)]
pub struct RemoteRun {
    /// The sandbox's verdict (`Accepted` for a clean exit).
    pub verdict: Verdict,
    /// The run's stderr (or the compiler's diagnostics).
    pub stderr: String,
}

#[derive(Deserialize)]
struct RunCodeReply {
    run_result: Option<CommandResult>,
    compile_result: Option<CommandResult>,
    message: String,
    crucible: Option<CrucibleRun>,
}

#[derive(Deserialize)]
struct CommandResult {
    stderr: Option<String>,
}

#[derive(Deserialize)]
struct CrucibleRun {
    verdict: Verdict,
}

impl RemoteJudge {
    /// A judge at `url` (`http://host:port`), sending `token` as a bearer token when given.
    pub fn new(url: &str, token: Option<String>) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(900))
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(RemoteJudge {
            base: url.trim_end_matches('/').to_string(),
            token,
            client,
        })
    }

    /// A judge at `url` with the bearer token in `$CRUCIBLE_JUDGE_TOKEN`, when set and not
    /// empty (how `eval --judge-url` and a campaign's `judge_url` authenticate).
    pub fn from_env(url: &str) -> Result<Self, String> {
        let token = std::env::var("CRUCIBLE_JUDGE_TOKEN")
            .ok()
            .filter(|t| !t.is_empty());
        Self::new(url, token)
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// `POST /judge` with a body `crucible serve` documents; the report it answers.
    pub async fn judge(&self, body: &Value) -> Result<JudgeReport, String> {
        let reply = self.post("/judge", body).await?;
        serde_json::from_value(reply).map_err(|e| format!("unexpected /judge reply: {e}"))
    }

    /// `POST /run_code` for a Python program with no input; its verdict and stderr.
    pub async fn run_python(
        &self,
        code: &str,
        seconds: f64,
        memory_bytes: u64,
    ) -> Result<RemoteRun, String> {
        let body = serde_json::json!({
            "language": "python",
            "code": code,
            "run_timeout": seconds,
            "memory_limit_MB": (memory_bytes as f64 / f64::from(1u32 << 20)).max(1.0),
        });
        let reply: RunCodeReply = serde_json::from_value(self.post("/run_code", &body).await?)
            .map_err(|e| format!("unexpected /run_code reply: {e}"))?;
        let Some(crucible) = reply.crucible else {
            return Err(format!(
                "the server is not crucible serve: {}",
                reply.message
            ));
        };
        let stderr = [reply.run_result, reply.compile_result]
            .into_iter()
            .flatten()
            .filter_map(|r| r.stderr)
            .collect::<Vec<_>>()
            .join("\n");
        Ok(RemoteRun {
            verdict: crucible.verdict,
            stderr,
        })
    }

    /// Posts JSON, retrying connection errors, 429 and 5xx with back-off.
    async fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                let wait = Duration::from_millis(250 << attempt.min(5));
                tokio::time::sleep(wait).await;
            }
            let mut request = self.client.post(&url).json(body);
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    last = format!("{url}: {e}");
                    continue;
                }
            };
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            if status.is_success() {
                return serde_json::from_str(&text).map_err(|e| format!("{url}: {e}"));
            }
            last = format!("{url}: {status}: {text}");
            if !(status.as_u16() == 429 || status.is_server_error()) {
                break;
            }
        }
        Err(last)
    }
}
