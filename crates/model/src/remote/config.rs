//! Where the server is and which endpoint to use: [`Api`], [`RemoteModelConfig`] and URL
//! parsing.

use crate::ModelError;
use crate::chat::ChatTemplate;
use std::time::Duration;

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
    ///
    /// [`Generator::generate_batch`]: crate::Generator::generate_batch
    pub concurrency: usize,
    /// Ask the server for the sampled tokens' log-probabilities.
    pub logprobs: bool,
    /// More fields for every generation request's JSON body, for settings a server takes
    /// beyond the OpenAI API (llama-cpp-python's `repeat_penalty`, which is 1.1 unless a
    /// request says otherwise, so its greedy decoding is not plain greedy); they replace fields
    /// of the same name.
    pub extra_body: serde_json::Map<String, serde_json::Value>,
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
            extra_body: serde_json::Map::new(),
        })
    }
}

/// Whether `spec` names a remote server (an `http://` or `https://` URL).
pub fn is_url(spec: &str) -> bool {
    let lower = spec.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The base URL (ending in `/v1`) and the API that `url`'s endpoint path names.
pub(super) fn split_endpoint(url: &str) -> Result<(String, Api), ModelError> {
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
