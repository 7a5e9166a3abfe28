//! Local models on candle's CPU backend: quantized GGUF files of the Qwen2 and Llama
//! (SmolLM2) architectures, decoded in batches (see [`crate::Transformer`]).

use crate::batch::{self, Decoder};
use crate::chat::ChatTemplate;
use crate::generator::{Completion, GenerationRequest, Generator};
use crate::transformer::Transformer;
use crate::{ModelError, tokenizer_from_gguf};
use candle_core::quantized::gguf_file;
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
    /// Most samples decoded together (continuous batching); 16 by default.
    pub max_batch: usize,
}

impl LocalModelConfig {
    /// Loads `path` with the default settings.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LocalModelConfig {
            path: path.into(),
            requantize: true,
            max_batch: 16,
        }
    }
}

/// A quantized model loaded from a GGUF file.
pub struct LocalModel {
    transformer: Transformer,
    tokenizer: Tokenizer,
    template: ChatTemplate,
    stop_tokens: Vec<u32>,
    max_batch: usize,
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
        let stop_tokens = stop_tokens(&content, &tokenizer, &template);
        let transformer = Transformer::from_gguf(&content, &mut file, path)?;
        let name = config
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(LocalModel {
            transformer,
            tokenizer,
            template,
            stop_tokens,
            max_batch: config.max_batch.max(1),
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

    /// The forward pass (for callers that manage their own caches, such as benchmarks).
    pub fn transformer(&self) -> &Transformer {
        &self.transformer
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
        batch::decode(&self.tokenizer, ids)
    }

    /// Runs requests through the batch scheduler; `stream` gets request 0's first sample.
    fn run(
        &self,
        requests: &[GenerationRequest],
        stream: &mut dyn FnMut(&str),
        on_done: &mut dyn FnMut(usize),
    ) -> Vec<Result<Vec<Completion>, ModelError>> {
        let prompts = requests
            .iter()
            .map(|r| self.encode(&self.template.render(&r.messages)))
            .collect();
        let decoder = Decoder {
            transformer: &self.transformer,
            tokenizer: &self.tokenizer,
            stop_tokens: &self.stop_tokens,
            max_batch: self.max_batch,
        };
        batch::run(&decoder, requests, prompts, stream, on_done)
    }
}

impl Generator for LocalModel {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let mut results = self.run(std::slice::from_ref(request), on_token, &mut |_| {});
        results.pop().unwrap_or_else(|| Ok(Vec::new()))
    }

    fn generate_batch(
        &mut self,
        requests: &[GenerationRequest],
        on_done: &mut dyn FnMut(usize),
    ) -> Vec<Result<Vec<Completion>, ModelError>> {
        self.run(requests, &mut |_| {}, on_done)
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

fn format_err(path: &Path, e: candle_core::Error) -> ModelError {
    ModelError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
