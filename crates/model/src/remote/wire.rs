//! What goes over the wire besides the HTTP itself: the completions endpoint's prompt, the
//! JSON replies (`/v1/models`, choices, log-probs, finish reasons) and the error messages
//! in replies.

use super::config::Api;
use crate::chat::{ChatMessage, ChatTemplate};
use crate::generator::{Completion, FinishReason};
use serde::Deserialize;
use serde_json::Value;

/// How much of a reply an error message quotes.
const EXCERPT_CHARS: usize = 300;

/// The prompt for the completions endpoint.
pub(super) fn render_prompt(template: Option<&ChatTemplate>, messages: &[ChatMessage]) -> String {
    match template {
        Some(template) => template.render(messages),
        None => messages
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

/// The message in an error reply: `{"error": {"message": …}}` (OpenAI, vLLM, llama.cpp),
/// `{"error": "…"}`, `{"message": …}`, `{"detail": …}` (FastAPI), else the start of the body.
pub(super) fn error_message(body: &str) -> String {
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
pub(super) fn parse_model_list(body: &str) -> Result<String, String> {
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
pub(super) fn parse_reply(
    body: &str,
    api: &Api,
    stops: &[String],
) -> Result<Vec<Completion>, String> {
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
pub(super) fn token_ids(tokens: &[String]) -> Vec<u32> {
    tokens
        .iter()
        .map(|t| t.strip_prefix("token_id:")?.parse().ok())
        .collect::<Option<Vec<u32>>>()
        .unwrap_or_default()
}

/// Servers know no code-block rule: the text is cut after the first complete block here (the
/// tokens and log-probs stay as the server sent them).
pub(super) fn cut_after_code_block(completion: &mut Completion) {
    if let Some(end) = crate::stop::code_block_end(&completion.text) {
        completion.text.truncate(end);
        completion.finish = FinishReason::StopString;
    }
}

/// See the [module documentation](super).
pub(super) fn finish_reason(
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
