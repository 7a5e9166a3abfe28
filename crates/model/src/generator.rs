//! The one interface every part of Crucible uses to get text from a model.

use crate::{ChatMessage, ModelError, SamplingParams};
use serde::{Deserialize, Serialize};

/// What to generate: one conversation, sampled `n` times.
#[derive(Debug, Clone)]
pub struct GenerationRequest {
    /// The conversation (the chat template is applied by the generator).
    pub messages: Vec<ChatMessage>,
    /// Completions wanted.
    pub n: usize,
    /// Sampling settings.
    pub sampling: SamplingParams,
}

/// Why a completion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The model emitted its end-of-turn token.
    Stop,
    /// A stop string appeared (it is cut from the text).
    StopString,
    /// `max_new_tokens` was reached.
    Length,
}

/// One sampled completion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Completion {
    /// The generated text (stop string and end token removed).
    pub text: String,
    /// The sampled token ids.
    pub tokens: Vec<u32>,
    /// Log-probability of each sampled token under the (temperature-scaled) distribution.
    pub logprobs: Vec<f32>,
    /// Why it ended.
    pub finish: FinishReason,
    /// Tokens in the prompt.
    pub prompt_tokens: usize,
}

/// Produces completions. Implementations: [`crate::LocalModel`] (candle) and
/// [`crate::RemoteModel`] (OpenAI-compatible servers).
///
/// Callers with many conversations at once (a campaign round) should use
/// [`Generator::generate_batch`]: implementations override it to decode them together (local
/// batching) or to send them concurrently (remote).
pub trait Generator: Send {
    /// Generates `request.n` completions of the conversation; `on_token` is called with each
    /// new piece of text of the first completion (for streaming to a terminal).
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError>;

    /// Generates completions for every request; the result for request `i` is at index `i`.
    /// One request's failure does not fail the others. `on_done(i)` is called as soon as
    /// request `i` is finished (for progress bars). The default runs them one after another.
    fn generate_batch(
        &mut self,
        requests: &[GenerationRequest],
        on_done: &mut dyn FnMut(usize),
    ) -> Vec<Result<Vec<Completion>, ModelError>> {
        let mut out = Vec::with_capacity(requests.len());
        for (i, request) in requests.iter().enumerate() {
            out.push(self.generate(request, &mut |_| {}));
            on_done(i);
        }
        out
    }

    /// A short description (model name, quantization) for logs and reports.
    fn describe(&self) -> String;
}
