//! The HTTP side: the request bodies, sending with retries (exponential backoff, jitter,
//! `Retry-After`), and turning transport failures and error statuses into
//! [`ModelError`]s.

use super::config::{Api, RemoteModelConfig};
use super::wire::{
    cut_after_code_block, error_message, parse_model_list, parse_reply, render_prompt,
};
use crate::ModelError;
use crate::generator::{Completion, FinishReason, GenerationRequest};
use crate::sampling::SeededRng;
use crate::stop::{has_fence, unclosed_fence};
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The stop string that ends a reply at its first closing fence on the server: a fence alone on
/// its line. An opening fence carries a language (`"```python"`) or starts the reply, so it
/// rarely matches; when it does, [`Shared::settle_fence_stop`] asks again without it.
pub(super) const FENCE_STOP: &str = "\n```\n";

/// The longest wait between two retries (before jitter).
pub(super) const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest `Retry-After` honoured.
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// What every request needs; shared with the runtime's tasks.
#[derive(Clone)]
pub(super) struct Shared {
    pub(super) client: reqwest::Client,
    pub(super) config: RemoteModelConfig,
}

/// A failed HTTP attempt, and whether trying again may help.
struct Failure {
    error: ModelError,
    retry: bool,
    retry_after: Option<Duration>,
}

impl Shared {
    /// The served model's name (set by [`RemoteModel::connect`]).
    ///
    /// [`RemoteModel::connect`]: super::RemoteModel::connect
    pub(super) fn model(&self) -> &str {
        self.config.model.as_deref().unwrap_or_default()
    }

    fn endpoint(&self) -> String {
        match self.config.api {
            Api::Chat => format!("{}/chat/completions", self.config.base_url),
            Api::Completions { .. } => format!("{}/completions", self.config.base_url),
        }
    }

    /// The first model `/v1/models` lists.
    pub(super) async fn first_model(&self) -> Result<String, ModelError> {
        let url = format!("{}/models", self.config.base_url);
        let body = self.send(&url, || self.client.get(&url)).await?;
        parse_model_list(&body).map_err(|message| ModelError::Malformed { url, message })
    }

    /// `request.n` completions, asking again while the server returns fewer than requested.
    /// With `stop_after_code_block` the server is also given [`FENCE_STOP`], so it stops at
    /// the first closing fence instead of writing on (see [`Shared::settle_fence_stop`]).
    pub(super) async fn complete(
        &self,
        request: &GenerationRequest,
    ) -> Result<Vec<Completion>, ModelError> {
        let fence_stop = request.sampling.stop_after_code_block;
        let mut out = Vec::with_capacity(request.n);
        while out.len() < request.n {
            let seed = request.sampling.seed.wrapping_add(out.len() as u64);
            let wanted = request.n - out.len();
            out.extend(self.ask(request, wanted, seed, fence_stop).await?);
        }
        out.truncate(request.n);
        if fence_stop {
            for (i, completion) in out.iter_mut().enumerate() {
                let seed = request.sampling.seed.wrapping_add(i as u64);
                self.settle_fence_stop(request, seed, completion).await?;
            }
            out.iter_mut().for_each(cut_after_code_block);
        }
        Ok(out)
    }

    /// One request for `n` completions with `seed`, parsed.
    async fn ask(
        &self,
        request: &GenerationRequest,
        n: usize,
        seed: u64,
        fence_stop: bool,
    ) -> Result<Vec<Completion>, ModelError> {
        let url = self.endpoint();
        let body = self.body(request, n, seed, fence_stop).to_string();
        let reply = self
            .send(&url, || {
                self.client
                    .post(&url)
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone())
            })
            .await?;
        parse_reply(&reply, &self.config.api, &request.sampling.stop)
            .map_err(|message| ModelError::Malformed { url, message })
    }

    /// Undoes what [`FENCE_STOP`] did to a completion: the server drops the stop string, so a
    /// block it ended gets its closing fence back; a reply with no fence at all may have been
    /// cut at a bare opening fence (`"Here:\n```\n"`), so it is asked for once more without
    /// the stop string.
    async fn settle_fence_stop(
        &self,
        request: &GenerationRequest,
        seed: u64,
        completion: &mut Completion,
    ) -> Result<(), ModelError> {
        if completion.finish == FinishReason::Length {
            return Ok(());
        }
        if let Some(fence) = unclosed_fence(&completion.text) {
            completion.text.push('\n');
            completion.text.push_str(fence);
        } else if !has_fence(&completion.text)
            && let Some(again) = self.ask(request, 1, seed, false).await?.into_iter().next()
        {
            *completion = again;
        }
        Ok(())
    }

    /// The JSON body asking for `n` completions of `request` with `seed`.
    fn body(&self, request: &GenerationRequest, n: usize, seed: u64, fence_stop: bool) -> Value {
        let sampling = &request.sampling;
        let mut body = json!({
            "model": self.model(),
            "n": n,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_new_tokens,
            "seed": seed & (i64::MAX as u64),
        });
        let mut stop = sampling.stop.clone();
        match &self.config.api {
            Api::Chat => {
                body["messages"] = json!(request.messages);
                if self.config.logprobs {
                    body["logprobs"] = json!(true);
                    body["top_logprobs"] = json!(1);
                }
            }
            Api::Completions { template } => {
                body["prompt"] = json!(render_prompt(template.as_ref(), &request.messages));
                if let Some(template) = template
                    && !stop.contains(&template.end_of_turn)
                {
                    stop.push(template.end_of_turn.clone());
                }
                if self.config.logprobs {
                    body["logprobs"] = json!(1);
                }
            }
        }
        if fence_stop && !stop.iter().any(|s| s == FENCE_STOP) {
            stop.push(FENCE_STOP.to_string());
        }
        if !stop.is_empty() {
            body["stop"] = json!(stop);
        }
        if sampling.top_k > 0 {
            body["top_k"] = json!(sampling.top_k);
        }
        for (key, value) in &self.config.extra_body {
            body[key.as_str()] = value.clone();
        }
        body
    }

    /// Sends the request `build` makes, retrying as configured; returns the reply's body.
    async fn send(
        &self,
        url: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<String, ModelError> {
        let mut attempt = 0;
        loop {
            let failure = match self.send_once(url, build()).await {
                Ok(body) => return Ok(body),
                Err(failure) => failure,
            };
            if !failure.retry || attempt >= self.config.max_retries {
                return Err(failure.error);
            }
            let delay = backoff(self.config.retry_backoff, attempt, failure.retry_after);
            tracing::warn!(
                "{}; retrying in {:.1} s ({} of {})",
                failure.error,
                delay.as_secs_f64(),
                attempt + 1,
                self.config.max_retries
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<String, Failure> {
        let request = match &self.config.api_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_failure(url, &e))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response
            .text()
            .await
            .map_err(|e| self.transport_failure(url, &e))?;
        if status.is_success() {
            return Ok(body);
        }
        Err(Failure {
            error: ModelError::Http {
                url: url.to_string(),
                status: status.as_u16(),
                message: error_message(&body),
            },
            retry: status.as_u16() == 429 || status.is_server_error(),
            retry_after,
        })
    }

    fn transport_failure(&self, url: &str, err: &reqwest::Error) -> Failure {
        let url = url.to_string();
        let error = if err.is_builder() {
            ModelError::Remote(format!("{url}: {}", causes(err)))
        } else if err.is_timeout() {
            let limit = if err.is_connect() {
                self.config.connect_timeout
            } else {
                self.config.request_timeout
            };
            ModelError::Timeout {
                url,
                seconds: limit.as_secs_f64(),
            }
        } else {
            ModelError::Connect {
                url,
                message: causes(err),
            }
        };
        Failure {
            retry: !err.is_builder(),
            error,
            retry_after: None,
        }
    }
}

/// The wait before retry number `attempt + 1`: `base * 2^attempt` (at most [`MAX_BACKOFF`]),
/// jittered down by up to half; at least the server's `Retry-After` (at most
/// [`MAX_RETRY_AFTER`]).
pub(super) fn backoff(base: Duration, attempt: u32, retry_after: Option<Duration>) -> Duration {
    let exponential = base.saturating_mul(1 << attempt.min(16)).min(MAX_BACKOFF);
    let jittered = exponential.mul_f64(1.0 - 0.5 * jitter());
    retry_after.map_or(jittered, |after| after.min(MAX_RETRY_AFTER).max(jittered))
}

/// A number in [0, 1) that differs from call to call.
fn jitter() -> f64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    SeededRng::new(u64::from(nanos)).next_f64()
}

/// A `Retry-After` given in seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// An error and its causes, joined (reqwest's own message only says "error sending request").
fn causes(err: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}
