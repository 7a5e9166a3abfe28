//! Local models on candle's CPU backend: quantized GGUF files of the Qwen2 and Llama
//! (SmolLM2) architectures.

use crate::chat::ChatTemplate;
use crate::generator::{Completion, FinishReason, GenerationRequest, Generator};
use crate::sampling::{SeededRng, sample};
use crate::{ModelError, tokenizer_from_gguf};
use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::models::{quantized_llama, quantized_qwen2};
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

/// Where the model file is and how to load it.
#[derive(Debug, Clone)]
pub struct LocalModelConfig {
    /// A `.gguf` file.
    pub path: PathBuf,
    /// Convert tensors without a SIMD kernel (Q4_1, Q5_0, Q5_1) to Q8_0 once, and load that
    /// copy (see [`crate::fast_variant`]). On by default: several times faster on CPU.
    pub requantize: bool,
}

impl LocalModelConfig {
    /// Loads `path` with the default settings.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LocalModelConfig {
            path: path.into(),
            requantize: true,
        }
    }
}

enum Weights {
    Qwen2(quantized_qwen2::ModelWeights),
    Llama(quantized_llama::ModelWeights),
}

impl Weights {
    fn forward(&mut self, x: &Tensor, pos: usize) -> candle_core::Result<Tensor> {
        match self {
            Weights::Qwen2(m) => m.forward(x, pos),
            Weights::Llama(m) => m.forward(x, pos),
        }
    }

    fn clear(&mut self) {
        match self {
            Weights::Qwen2(m) => m.clear_kv_cache(),
            Weights::Llama(m) => m.clear_kv_cache(),
        }
    }
}

/// A quantized model loaded from a GGUF file.
pub struct LocalModel {
    weights: Weights,
    tokenizer: Tokenizer,
    template: ChatTemplate,
    stop_tokens: Vec<u32>,
    device: Device,
    name: String,
}

impl LocalModel {
    /// Loads the model, its tokenizer (from the GGUF metadata) and its chat template.
    pub fn load(config: &LocalModelConfig) -> Result<Self, ModelError> {
        let path = &if config.requantize {
            crate::fast_variant(&config.path)?
        } else {
            config.path.clone()
        };
        let mut file = std::fs::File::open(path).map_err(|e| ModelError::io(path, e))?;
        let content = gguf_file::Content::read(&mut file).map_err(|e| format_err(path, e))?;
        let tokenizer = tokenizer_from_gguf(&content)?;
        let template_text = content
            .metadata
            .get("tokenizer.chat_template")
            .and_then(|v| v.to_string().ok())
            .cloned();
        let template = ChatTemplate::from_gguf_template(template_text.as_deref());
        let arch = content
            .metadata
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_default();
        let stop_tokens = stop_tokens(&content, &tokenizer, &template);
        let device = Device::Cpu;
        let weights = match arch.as_str() {
            "qwen2" => Weights::Qwen2(quantized_qwen2::ModelWeights::from_gguf(
                content, &mut file, &device,
            )?),
            "llama" => Weights::Llama(quantized_llama::ModelWeights::from_gguf(
                content, &mut file, &device,
            )?),
            other => {
                return Err(ModelError::Format {
                    path: path.clone(),
                    message: format!("architecture `{other}` is not supported (qwen2, llama)"),
                });
            }
        };
        let name = config
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(LocalModel {
            weights,
            tokenizer,
            template,
            stop_tokens,
            device,
            name,
        })
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The chat template.
    pub fn template(&self) -> &ChatTemplate {
        &self.template
    }

    /// Token ids of `text` (special tokens such as `<|im_start|>` recognised).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, ModelError> {
        self.tokenizer
            .encode(text, false)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| ModelError::Tokenizer(e.to_string()))
    }

    /// Text of token ids (special tokens dropped).
    pub fn decode(&self, ids: &[u32]) -> Result<String, ModelError> {
        self.tokenizer
            .decode(ids, true)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))
    }

    /// Generates one completion of already-templated `prompt` tokens.
    fn complete(
        &mut self,
        prompt: &[u32],
        request: &GenerationRequest,
        seed: u64,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Completion, ModelError> {
        let params = &request.sampling;
        let mut rng = SeededRng::new(seed);
        self.weights.clear();
        let mut tokens: Vec<u32> = Vec::new();
        let mut logprobs = Vec::new();
        let mut input = Tensor::new(prompt, &self.device)?.unsqueeze(0)?;
        let mut pos = 0;
        let mut shown = 0;
        let mut finish = FinishReason::Length;
        while tokens.len() < params.max_new_tokens {
            let logits = self
                .weights
                .forward(&input, pos)?
                .squeeze(0)?
                .to_vec1::<f32>()?;
            pos += input.dim(1)?;
            let (next, logprob) = sample(&logits, params, &mut rng);
            if self.stop_tokens.contains(&next) {
                finish = FinishReason::Stop;
                break;
            }
            tokens.push(next);
            logprobs.push(logprob);
            let text = self.decode(&tokens)?;
            if let Some(cut) = find_stop(&text, &params.stop) {
                let text = text[..cut].to_string();
                on_text(text.get(shown..).unwrap_or(""));
                return Ok(Completion {
                    text,
                    tokens,
                    logprobs,
                    finish: FinishReason::StopString,
                    prompt_tokens: prompt.len(),
                });
            }
            // Stream only whole characters: a multi-byte character may span tokens.
            if !text.ends_with('\u{FFFD}') && text.len() > shown && text.is_char_boundary(shown) {
                on_text(&text[shown..]);
                shown = text.len();
            }
            input = Tensor::new(&[next], &self.device)?.unsqueeze(0)?;
        }
        let text = self.decode(&tokens)?;
        if text.len() > shown && text.is_char_boundary(shown) {
            on_text(&text[shown..]);
        }
        Ok(Completion {
            text,
            tokens,
            logprobs,
            finish,
            prompt_tokens: prompt.len(),
        })
    }
}

impl Generator for LocalModel {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let prompt_text = self.template.render(&request.messages);
        let prompt = self.encode(&prompt_text)?;
        let mut out = Vec::with_capacity(request.n);
        for i in 0..request.n {
            let seed = request.sampling.seed.wrapping_add(i as u64);
            let mut silent = |_: &str| {};
            let sink: &mut dyn FnMut(&str) = if i == 0 { &mut *on_token } else { &mut silent };
            out.push(self.complete(&prompt, request, seed, sink)?);
        }
        Ok(out)
    }

    fn describe(&self) -> String {
        format!("{} (candle, CPU)", self.name)
    }
}

/// End-of-turn tokens: the GGUF's EOS and the template's end-of-turn token.
fn stop_tokens(
    content: &gguf_file::Content,
    tokenizer: &Tokenizer,
    template: &ChatTemplate,
) -> Vec<u32> {
    let mut ids = Vec::new();
    if let Some(eos) = content
        .metadata
        .get("tokenizer.ggml.eos_token_id")
        .and_then(|v| v.to_u32().ok())
    {
        ids.push(eos);
    }
    for t in [template.end_of_turn.as_str(), "<|endoftext|>"] {
        if let Some(id) = tokenizer.token_to_id(t)
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

/// The byte offset where the first stop string starts, if any appears.
fn find_stop(text: &str, stops: &[String]) -> Option<usize> {
    stops
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s.as_str()))
        .min()
}

fn format_err(path: &Path, e: candle_core::Error) -> ModelError {
    ModelError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_stop_string_wins() {
        let stops = vec!["```".to_string(), "END".to_string()];
        assert_eq!(find_stop("abc END x ```", &stops), Some(4));
        assert_eq!(find_stop("nothing", &stops), None);
        assert_eq!(find_stop("x", &[String::new()]), None);
    }
}
