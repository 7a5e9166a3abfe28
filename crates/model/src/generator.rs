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

/// Produces completions. Implementations: [`crate::LocalModel`] (candle); an OpenAI-compatible
/// remote backend follows.
pub trait Generator: Send {
    /// Generates `request.n` completions of the conversation; `on_token` is called with each
    /// new piece of text of the first completion (for streaming to a terminal).
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError>;

    /// A short description (model name, quantization) for logs and reports.
    fn describe(&self) -> String;
}
