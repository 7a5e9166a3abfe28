//! A model behind an OpenAI-compatible server: vLLM, SGLang, llama.cpp's `llama-server`,
//! llama-cpp-python's server, or any service speaking the same API.
//!
//! * **Endpoints.** `/v1/chat/completions` (the default): the messages are sent as they are and
//!   the server applies the model's own chat template. `/v1/completions`: the conversation is
//!   rendered here, with a ChatML template (both model families Crucible knows are ChatML) or raw
//!   for base models; see [`Api`]. A URL ending in `/v1/completions` selects the latter.
//! * **Sampling.** `n`, `temperature`, `top_p`, `max_tokens`, `stop` and `seed` come from
//!   [`SamplingParams`](crate::SamplingParams); `top_k` (an extension vLLM, SGLang and llama.cpp
//!   accept) is sent only when > 0. With `stop_after_code_block` the server also gets the stop
//!   string `"\n```\n"`, so it stops at the first closing fence instead of writing on; the
//!   fence it drops is put back, a reply that stop cut at a bare opening fence (no fence left) is
//!   asked for once more without it, and the rule is applied again here to the text (tokens and
//!   log-probs are left whole). Seeds are sent as 63-bit numbers. A server that returns fewer
//!   than `n` choices (llama-cpp-python ignores `n`) is asked again, with the seed advanced by
//!   the number of completions already in, until there are `n`.
//! * **Results.** `finish_reason` "length" is [`FinishReason::Length`]; "stop" is
//!   [`FinishReason::StopString`] when the server names one of our stop strings as its
//!   `stop_reason` (vLLM does), else [`FinishReason::Stop`]: most servers do not say whether a
//!   stop string or the end-of-turn token ended the text. Log-probs are requested when
//!   [`RemoteModelConfig::logprobs`] is set (`open_generator` leaves it off unless asked:
//!   llama-cpp-python computes them over the whole vocabulary in Python, measured at about six
//!   times the generation's own time) and fill [`Completion::logprobs`] when the server returns
//!   them (empty otherwise). Token ids are not part of the API: [`Completion::tokens`] is empty
//!   unless the server writes tokens as `token_id:N` (vLLM's `--return-tokens-as-token-ids`).
//!   `prompt_tokens` comes from `usage` (0 when absent).
//! * **Streaming.** There is no token streaming: `on_token` is called once, with the first
//!   completion's whole text, when the reply is in.
//! * **Failures.** Connection errors, timeouts, 429 and 5xx are retried with exponential backoff
//!   and jitter (a 429's `Retry-After` is honoured); other statuses fail at once with the
//!   server's message.
//! * **Extra fields.** [`RemoteModelConfig::extra_body`] goes into every request as it is
//!   (`--server-param` on the command line), for settings beyond the OpenAI API.
//! * **Threads.** HTTP runs on a small private tokio runtime; calls wait for it on a channel, so
//!   a `RemoteModel` can be created, used and dropped on any thread, inside an async runtime or
//!   not (from async code, call it through `spawn_blocking` to keep the executor free).
//!
//! The files: [`config`] (the endpoint and settings), [`client`] (the [`RemoteModel`] and its
//! [`Generator`](crate::Generator) impl, on a private runtime), [`http`] (requests, retries and
//! backoff), [`wire`] (prompts, JSON replies and error messages).
//!
//! [`FinishReason::Length`]: crate::FinishReason::Length
//! [`FinishReason::StopString`]: crate::FinishReason::StopString
//! [`FinishReason::Stop`]: crate::FinishReason::Stop
//! [`Completion::logprobs`]: crate::Completion::logprobs
//! [`Completion::tokens`]: crate::Completion::tokens

mod client;
mod config;
mod http;
#[cfg(test)]
mod tests;
mod wire;

pub use client::RemoteModel;
pub use config::{Api, RemoteModelConfig, is_url};
