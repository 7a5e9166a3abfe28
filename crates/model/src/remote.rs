//! A model behind an OpenAI-compatible server: vLLM, SGLang, llama.cpp's `llama-server`,
//! llama-cpp-python's server, or any service speaking the same API.
//!
//! * **Endpoints.** `/v1/chat/completions` (the default): the messages are sent as they are and
//!   the server applies the model's own chat template. `/v1/completions`: the conversation is
//!   rendered here, with a ChatML template (both model families Crucible knows are ChatML) or raw
//!   for base models; see [`Api`]. A URL ending in `/v1/completions` selects the latter.
//! * **Sampling.** `n`, `temperature`, `top_p`, `max_tokens`, `stop` and `seed` come from
//!   [`SamplingParams`](crate::SamplingParams); `top_k` (an extension vLLM, SGLang and llama.cpp
//!   accept) is sent only when > 0. `stop_after_code_block` is applied here to the text the
//!   server returns (the server generates on; tokens and log-probs are left whole). Seeds are sent as 63-bit numbers. A server that returns fewer
//!   than `n` choices (llama-cpp-python ignores `n`) is asked again, with the seed advanced by
//!   the number of completions already in, until there are `n`.
//! * **Results.** `finish_reason` "length" is [`FinishReason::Length`]; "stop" is
//!   [`FinishReason::StopString`] when the server names one of our stop strings as its
//!   `stop_reason` (vLLM does), else [`FinishReason::Stop`]: most servers do not say whether a
//!   stop string or the end-of-turn token ended the text. Log-probs are requested (see
//!   [`RemoteModelConfig::logprobs`]) and fill [`Completion::logprobs`] when the server returns
//!   them (empty otherwise). Token ids are not part of the API: [`Completion::tokens`] is empty
//!   unless the server writes tokens as `token_id:N` (vLLM's `--return-tokens-as-token-ids`).
//!   `prompt_tokens` comes from `usage` (0 when absent).
//! * **Streaming.** There is no token streaming: `on_token` is called once, with the first
//!   completion's whole text, when the reply is in.
//! * **Failures.** Connection errors, timeouts, 429 and 5xx are retried with exponential backoff
//!   and jitter (a 429's `Retry-After` is honoured); other statuses fail at once with the
//!   server's message.
//! * **Threads.** HTTP runs on a small private tokio runtime; calls wait for it on a channel, so
//!   a `RemoteModel` can be created, used and dropped on any thread, inside an async runtime or
//!   not (from async code, call it through `spawn_blocking` to keep the executor free).

use crate::ModelError;
use crate::chat::{ChatMessage, ChatTemplate};
use crate::generator::{Completion, FinishReason, GenerationRequest, Generator};
use crate::sampling::SeededRng;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::{Arc, mpsc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;

/// The longest wait between two retries (before jitter).
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// How much of a reply an error message quotes.
const EXCERPT_CHARS: usize = 300;

/// Which endpoint completions come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Api {
    /// `/v1/chat/completions`: the messages are sent as they are; the server applies the model's
    /// chat template.
    Chat,
    /// `/v1/completions` with a prompt rendered here: with `template` (the assistant's turn is
    /// opened and its end-of-turn string added to the stop strings), or, with `None`, raw: the
    /// message texts joined by blank lines (a lone user message is sent verbatim).
    Completions {
        /// The chat template, or `None` for raw text.
        template: Option<ChatTemplate>,
    },
}

/// Where the server is and how to talk to it.
#[derive(Debug, Clone)]
pub struct RemoteModelConfig {
    /// The API's base URL, ending in `/v1` (for example `http://127.0.0.1:8000/v1`).
    pub base_url: String,
    /// Which endpoint to use.
    pub api: Api,
    /// The served model's name; `None`: the first one `/v1/models` lists.
    pub model: Option<String>,
    /// Bearer token; `None`: `$CRUCIBLE_API_KEY`, else `$OPENAI_API_KEY`, else no token.
    pub api_key: Option<String>,
    /// Limit on one HTTP request, from connecting to the last byte of the reply.
    pub request_timeout: Duration,
    /// Limit on opening a connection.
    pub connect_timeout: Duration,
    /// Retries after a connection error, timeout, 429 or 5xx (0: one try only).
    pub max_retries: u32,
    /// Wait before the first retry; it doubles with each retry (up to 30 s) and is jittered
    /// down by up to half.
    pub retry_backoff: Duration,
    /// Conversations in flight at once in [`Generator::generate_batch`].
    pub concurrency: usize,
    /// Ask the server for the sampled tokens' log-probabilities.
    pub logprobs: bool,
}

impl RemoteModelConfig {
    /// Settings for the server at `url`: `http(s)://host:port`, optionally followed by `/v1`,
    /// `/v1/chat/completions` (chat, the default) or `/v1/completions` (the completions endpoint,
    /// prompt rendered as ChatML without a default system prompt). `/v1` is appended when
    /// missing. Defaults: 600 s per request, 10 s to connect, 4 retries from 0.5 s, 8 in flight,
    /// log-probs on.
    pub fn new(url: &str) -> Result<Self, ModelError> {
        let (base_url, api) = split_endpoint(url)?;
        Ok(RemoteModelConfig {
            base_url,
            api,
            model: None,
            api_key: None,
            request_timeout: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            retry_backoff: Duration::from_millis(500),
            concurrency: 8,
            logprobs: true,
        })
    }
}

/// Whether `spec` names a remote server (an `http://` or `https://` URL).
pub fn is_url(spec: &str) -> bool {
    let lower = spec.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The base URL (ending in `/v1`) and the API that `url`'s endpoint path names.
fn split_endpoint(url: &str) -> Result<(String, Api), ModelError> {
    let trimmed = url.trim().trim_end_matches('/');
    if !is_url(trimmed) {
        return Err(ModelError::Remote(format!(
            "`{url}` is not an http:// or https:// URL"
        )));
    }
    let (rest, api) = if let Some(rest) = trimmed.strip_suffix("/chat/completions") {
        (rest, Api::Chat)
    } else if let Some(rest) = trimmed.strip_suffix("/completions") {
        // Plain ChatML: the template the known models' GGUF files carry, minus a system prompt
        // that only some of them insert.
        let template = ChatTemplate::from_gguf_template(None);
        (
            rest,
            Api::Completions {
                template: Some(template),
            },
        )
    } else {
        (trimmed, Api::Chat)
    };
    let base = if rest.ends_with("/v1") {
        rest.to_string()
    } else {
        format!("{rest}/v1")
    };
    reqwest::Url::parse(&base).map_err(|e| ModelError::Remote(format!("`{url}`: {e}")))?;
    Ok((base, api))
}

/// A model served over HTTP by an OpenAI-compatible server (see the module documentation).
pub struct RemoteModel {
    shared: Arc<Shared>,
    /// Runs the HTTP requests; taken (and shut down without blocking) on drop.
    runtime: Option<Runtime>,
}

/// What every request needs; shared with the runtime's tasks.
#[derive(Clone)]
struct Shared {
    client: reqwest::Client,
    config: RemoteModelConfig,
}

impl RemoteModel {
    /// Prepares the client and, when `config.model` is `None`, asks `/v1/models` for the served
    /// model's name (so an unreachable server is reported here, not at the first generation).
    pub fn connect(mut config: RemoteModelConfig) -> Result<Self, ModelError> {
        if config.concurrency == 0 {
            return Err(ModelError::Remote("concurrency must be at least 1".into()));
        }
        config.api_key = config.api_key.or_else(api_key_from_env);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("crucible-http")
            .enable_all()
            .build()
            .map_err(|e| ModelError::Remote(format!("starting the HTTP runtime: {e}")))?;
        let client = {
            let _context = runtime.enter();
            reqwest::Client::builder()
                .timeout(config.request_timeout)
                .connect_timeout(config.connect_timeout)
                .build()
                .map_err(|e| ModelError::Remote(format!("building the HTTP client: {e}")))?
        };
        let mut shared = Shared { client, config };
        if shared.config.model.is_none() {
            let probe = shared.clone();
            let name = wait(&runtime, async move { probe.first_model().await })?;
            shared.config.model = Some(name);
        }
        Ok(RemoteModel {
            shared: Arc::new(shared),
            runtime: Some(runtime),
        })
    }

    /// The served model's name.
    pub fn model_name(&self) -> &str {
        self.shared.model()
    }

    fn runtime(&self) -> Result<&Runtime, ModelError> {
        self.runtime.as_ref().ok_or_else(runtime_stopped)
    }
}

impl Drop for RemoteModel {
    fn drop(&mut self) {
        // A plain drop blocks until tasks finish, which panics inside an async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Generator for RemoteModel {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let shared = Arc::clone(&self.shared);
        let request = request.clone();
        let completions = wait(
            self.runtime()?,
            async move { shared.complete(&request).await },
        )?;
        if let Some(first) = completions.first() {
            on_token(&first.text);
        }
        Ok(completions)
    }

    /// Sends up to [`RemoteModelConfig::concurrency`] conversations at once.
    fn generate_batch(
        &mut self,
        requests: &[GenerationRequest],
        on_done: &mut dyn FnMut(usize),
    ) -> Vec<Result<Vec<Completion>, ModelError>> {
        let runtime = match self.runtime() {
            Ok(runtime) => runtime,
            Err(_) => return requests.iter().map(|_| Err(runtime_stopped())).collect(),
        };
        let slots = Arc::new(Semaphore::new(self.shared.config.concurrency));
        let (done, finished) = mpsc::channel();
        for (i, request) in requests.iter().enumerate() {
            let (shared, slots, done) =
                (Arc::clone(&self.shared), Arc::clone(&slots), done.clone());
            let request = request.clone();
            runtime.spawn(async move {
                let _slot = slots.acquire_owned().await;
                let _ = done.send((i, shared.complete(&request).await));
            });
        }
        drop(done);
        let mut results: Vec<Option<Result<Vec<Completion>, ModelError>>> =
            requests.iter().map(|_| None).collect();
        for (i, result) in finished {
            results[i] = Some(result);
            on_done(i);
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(runtime_stopped())))
            .collect()
    }

    fn describe(&self) -> String {
        let api = match self.shared.config.api {
            Api::Chat => "chat",
            Api::Completions { .. } => "completions",
        };
        format!(
            "{} at {} (OpenAI-compatible, {api})",
            self.shared.model(),
            self.shared.config.base_url
        )
    }
}

/// Runs `future` on `runtime` and waits for it on this thread. Unlike `block_on`, this works
/// inside another runtime's context too.
fn wait<T: Send + 'static>(
    runtime: &Runtime,
    future: impl Future<Output = Result<T, ModelError>> + Send + 'static,
) -> Result<T, ModelError> {
    let (tx, rx) = mpsc::channel();
    runtime.spawn(async move {
        let _ = tx.send(future.await);
    });
    rx.recv().map_err(|_| runtime_stopped())?
}

fn runtime_stopped() -> ModelError {
    ModelError::Remote("the HTTP runtime stopped before the request finished".into())
}

/// `$CRUCIBLE_API_KEY`, else `$OPENAI_API_KEY` (empty values are skipped).
fn api_key_from_env() -> Option<String> {
    ["CRUCIBLE_API_KEY", "OPENAI_API_KEY"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|key| !key.trim().is_empty())
}

/// A failed HTTP attempt, and whether trying again may help.
struct Failure {
    error: ModelError,
    retry: bool,
    retry_after: Option<Duration>,
}

impl Shared {
    /// The served model's name (set by [`RemoteModel::connect`]).
    fn model(&self) -> &str {
        self.config.model.as_deref().unwrap_or_default()
    }

    fn endpoint(&self) -> String {
        match self.config.api {
            Api::Chat => format!("{}/chat/completions", self.config.base_url),
            Api::Completions { .. } => format!("{}/completions", self.config.base_url),
        }
    }

    /// The first model `/v1/models` lists.
    async fn first_model(&self) -> Result<String, ModelError> {
        let url = format!("{}/models", self.config.base_url);
        let body = self.send(&url, || self.client.get(&url)).await?;
        parse_model_list(&body).map_err(|message| ModelError::Malformed { url, message })
    }

    /// `request.n` completions, asking again while the server returns fewer than requested.
    async fn complete(&self, request: &GenerationRequest) -> Result<Vec<Completion>, ModelError> {
        let url = self.endpoint();
        let mut out = Vec::with_capacity(request.n);
        while out.len() < request.n {
            let seed = request.sampling.seed.wrapping_add(out.len() as u64);
            let body = self.body(request, request.n - out.len(), seed).to_string();
            let reply = self
                .send(&url, || {
                    self.client
                        .post(&url)
                        .header(CONTENT_TYPE, "application/json")
                        .body(body.clone())
                })
                .await?;
            let choices = parse_reply(&reply, &self.config.api, &request.sampling.stop).map_err(
                |message| ModelError::Malformed {
                    url: url.clone(),
                    message,
                },
            )?;
            out.extend(choices);
        }
        out.truncate(request.n);
        if request.sampling.stop_after_code_block {
            out.iter_mut().for_each(cut_after_code_block);
        }
        Ok(out)
    }

    /// The JSON body asking for `n` completions of `request` with `seed`.
    fn body(&self, request: &GenerationRequest, n: usize, seed: u64) -> Value {
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
        if !stop.is_empty() {
            body["stop"] = json!(stop);
        }
        if sampling.top_k > 0 {
            body["top_k"] = json!(sampling.top_k);
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

/// The prompt for the completions endpoint.
fn render_prompt(template: Option<&ChatTemplate>, messages: &[ChatMessage]) -> String {
    match template {
        Some(template) => template.render(messages),
        None => messages
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

/// The wait before retry number `attempt + 1`: `base * 2^attempt` (at most [`MAX_BACKOFF`]),
/// jittered down by up to half; at least the server's `Retry-After` (at most
/// [`MAX_RETRY_AFTER`]).
fn backoff(base: Duration, attempt: u32, retry_after: Option<Duration>) -> Duration {
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

/// The message in an error reply: `{"error": {"message": …}}` (OpenAI, vLLM, llama.cpp),
/// `{"error": "…"}`, `{"message": …}`, `{"detail": …}` (FastAPI), else the start of the body.
fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|value| message_in(&value))
        .unwrap_or_else(|| excerpt(body))
}

fn message_in(value: &Value) -> Option<String> {
    let found = [
        value.pointer("/error/message"),
        value.get("error"),
        value.get("message"),
        value.get("detail"),
    ]
    .into_iter()
    .flatten()
    .find(|v| !v.is_null())?;
    Some(match found {
        Value::String(text) => text.clone(),
        other => excerpt(&other.to_string()),
    })
}

/// The first [`EXCERPT_CHARS`] characters of `text`, marked when cut.
fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "(empty reply)".into(),
        None => text.to_string(),
    }
}

#[derive(Deserialize)]
struct ModelList {
    data: Vec<ModelEntry>,
}

#[derive(Deserialize)]
struct ModelEntry {
    id: String,
}

/// The first model id in a `/v1/models` reply.
fn parse_model_list(body: &str) -> Result<String, String> {
    let list: ModelList = serde_json::from_str(body).map_err(|e| {
        format!(
            "expected {{\"data\": [{{\"id\": …}}]}} ({e}): {}",
            excerpt(body)
        )
    })?;
    list.data
        .into_iter()
        .next()
        .map(|m| m.id)
        .ok_or_else(|| "the server lists no models".into())
}

#[derive(Deserialize)]
struct Reply {
    choices: Option<Vec<Choice>>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Usage {
    prompt_tokens: Option<usize>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    index: usize,
    text: Option<String>,
    message: Option<ReplyMessage>,
    finish_reason: Option<String>,
    stop_reason: Option<Value>,
    logprobs: Option<Value>,
}

#[derive(Deserialize)]
struct ReplyMessage {
    content: Option<String>,
}

/// Chat log-probs: `{"content": [{"token": …, "logprob": …}, …]}`.
#[derive(Deserialize)]
struct ChatLogprobs {
    content: Option<Vec<TokenLogprob>>,
}

#[derive(Deserialize)]
struct TokenLogprob {
    token: String,
    logprob: f64,
}

/// Completions log-probs: `{"tokens": […], "token_logprobs": […]}`.
#[derive(Deserialize)]
struct TextLogprobs {
    tokens: Option<Vec<String>>,
    token_logprobs: Option<Vec<Option<f64>>>,
}

/// The completions in a reply, in `index` order; the error says what is missing.
fn parse_reply(body: &str, api: &Api, stops: &[String]) -> Result<Vec<Completion>, String> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {}", excerpt(body)))?;
    let in_band_error = message_in(&value);
    let reply: Reply =
        serde_json::from_value(value).map_err(|e| format!("unexpected structure: {e}"))?;
    let Some(mut choices) = reply.choices else {
        return Err(match in_band_error {
            Some(message) => format!("no `choices`; the server says: {message}"),
            None => format!("no `choices` in {}", excerpt(body)),
        });
    };
    if choices.is_empty() {
        return Err("`choices` is empty".into());
    }
    choices.sort_by_key(|c| c.index);
    let prompt_tokens = reply.usage.and_then(|u| u.prompt_tokens).unwrap_or(0);
    choices
        .into_iter()
        .enumerate()
        .map(|(i, choice)| {
            completion(choice, api, stops, prompt_tokens).map_err(|m| format!("choices[{i}]: {m}"))
        })
        .collect()
}

fn completion(
    choice: Choice,
    api: &Api,
    stops: &[String],
    prompt_tokens: usize,
) -> Result<Completion, String> {
    let text = match api {
        Api::Chat => {
            let message = choice.message.ok_or("no `message`")?;
            message.content.unwrap_or_default()
        }
        Api::Completions { .. } => choice.text.ok_or("no `text`")?,
    };
    let (tokens, logprobs) = match choice.logprobs {
        Some(value) => parse_logprobs(value, api)?,
        None => (Vec::new(), Vec::new()),
    };
    Ok(Completion {
        text,
        tokens,
        logprobs,
        finish: finish_reason(
            choice.finish_reason.as_deref(),
            choice.stop_reason.as_ref(),
            stops,
        ),
        prompt_tokens,
    })
}

/// Token ids (when the server gives them) and log-probs (empty when any is missing).
fn parse_logprobs(value: Value, api: &Api) -> Result<(Vec<u32>, Vec<f32>), String> {
    let bad = |e: serde_json::Error| format!("`logprobs`: {e}");
    let (tokens, logprobs): (Vec<String>, Vec<Option<f64>>) = match api {
        Api::Chat => {
            let parsed: ChatLogprobs = serde_json::from_value(value).map_err(bad)?;
            parsed
                .content
                .unwrap_or_default()
                .into_iter()
                .map(|t| (t.token, Some(t.logprob)))
                .unzip()
        }
        Api::Completions { .. } => {
            let parsed: TextLogprobs = serde_json::from_value(value).map_err(bad)?;
            (
                parsed.tokens.unwrap_or_default(),
                parsed.token_logprobs.unwrap_or_default(),
            )
        }
    };
    let logprobs = logprobs
        .into_iter()
        .map(|lp| lp.map(|lp| lp as f32))
        .collect::<Option<Vec<f32>>>()
        .unwrap_or_default();
    Ok((token_ids(&tokens), logprobs))
}

/// The ids of tokens written as `token_id:N`; empty unless every token is.
fn token_ids(tokens: &[String]) -> Vec<u32> {
    tokens
        .iter()
        .map(|t| t.strip_prefix("token_id:")?.parse().ok())
        .collect::<Option<Vec<u32>>>()
        .unwrap_or_default()
}

/// Servers know no code-block rule: the text is cut after the first complete block here (the
/// tokens and log-probs stay as the server sent them).
fn cut_after_code_block(completion: &mut Completion) {
    if let Some(end) = crate::stop::code_block_end(&completion.text) {
        completion.text.truncate(end);
        completion.finish = FinishReason::StopString;
    }
}

/// See the module documentation.
fn finish_reason(
    reason: Option<&str>,
    stop_reason: Option<&Value>,
    stops: &[String],
) -> FinishReason {
    match (reason, stop_reason.and_then(Value::as_str)) {
        (Some("length"), _) => FinishReason::Length,
        (Some("stop"), Some(matched)) if stops.iter().any(|s| s == matched) => {
            FinishReason::StopString
        }
        _ => FinishReason::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_the_base_and_the_endpoint() {
        let cases = [
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1", true),
            ("http://h:1/v1/", "http://h:1/v1", true),
            ("https://h/v1/chat/completions", "https://h/v1", true),
            ("http://h:1/v1/completions", "http://h:1/v1", false),
            ("HTTP://h/api", "HTTP://h/api/v1", true),
        ];
        for (url, base, chat) in cases {
            let (b, api) = split_endpoint(url).expect(url);
            assert_eq!(b, base, "{url}");
            assert_eq!(api == Api::Chat, chat, "{url}");
        }
        assert!(split_endpoint("ftp://h").is_err());
        assert!(split_endpoint("http://").is_err());
        assert!(is_url("https://x") && !is_url("qwen2.5-coder-0.5b-instruct"));
    }

    #[test]
    fn completions_prompts_are_chatml_or_raw() {
        let messages = [ChatMessage::system("S"), ChatMessage::user("U")];
        let template = ChatTemplate::from_gguf_template(None);
        assert_eq!(
            render_prompt(Some(&template), &messages),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"
        );
        assert_eq!(render_prompt(None, &messages), "S\n\nU");
    }

    #[test]
    fn error_messages_are_found_in_common_shapes() {
        assert_eq!(error_message(r#"{"error":{"message":"bad n"}}"#), "bad n");
        assert_eq!(error_message(r#"{"error":"nope"}"#), "nope");
        assert_eq!(error_message(r#"{"object":"error","message":"m"}"#), "m");
        assert_eq!(
            error_message(r#"{"detail":[{"msg":"x"}]}"#),
            r#"[{"msg":"x"}]"#
        );
        assert_eq!(error_message("Bad Gateway"), "Bad Gateway");
        assert_eq!(error_message(""), "(empty reply)");
        assert!(error_message(&"x".repeat(1000)).ends_with('…'));
    }

    #[test]
    fn finish_reasons_map_to_ours() {
        let stops = vec!["```".to_string()];
        let fence = json!("```");
        let eot = json!("<|im_end|>");
        assert_eq!(
            finish_reason(Some("length"), None, &stops),
            FinishReason::Length
        );
        assert_eq!(
            finish_reason(Some("stop"), None, &stops),
            FinishReason::Stop
        );
        assert_eq!(
            finish_reason(Some("stop"), Some(&fence), &stops),
            FinishReason::StopString
        );
        assert_eq!(
            finish_reason(Some("stop"), Some(&eot), &stops),
            FinishReason::Stop
        );
        assert_eq!(finish_reason(None, None, &stops), FinishReason::Stop);
    }

    #[test]
    fn token_ids_only_when_every_token_carries_one() {
        let ids = ["token_id:5".to_string(), "token_id:70".to_string()];
        assert_eq!(token_ids(&ids), vec![5, 70]);
        let mixed = ["token_id:5".to_string(), "hello".to_string()];
        assert!(token_ids(&mixed).is_empty());
    }

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        let base = Duration::from_millis(100);
        for attempt in 0..4 {
            let full = base * (1 << attempt);
            let delay = backoff(base, attempt, None);
            assert!(delay <= full && delay >= full / 2, "{attempt}: {delay:?}");
        }
        assert!(backoff(base, 40, None) <= MAX_BACKOFF);
        let after = Some(Duration::from_secs(3));
        assert_eq!(backoff(base, 0, after), Duration::from_secs(3));
        let long = Some(Duration::from_secs(3600));
        assert_eq!(backoff(base, 0, long), MAX_RETRY_AFTER);
    }

    #[test]
    fn model_lists_give_the_first_id() {
        assert_eq!(
            parse_model_list(r#"{"object":"list","data":[{"id":"a"},{"id":"b"}]}"#),
            Ok("a".to_string())
        );
        assert!(parse_model_list(r#"{"data":[]}"#).is_err());
        assert!(parse_model_list("<html>").is_err());
    }
}
