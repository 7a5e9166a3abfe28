//! Local models on candle's CPU backend: Qwen2 and Llama (SmolLM2) models, from quantized GGUF
//! files or Hugging Face folders, decoded in batches (see [`crate::Transformer`]).

use crate::batch::{self, Decoder};
use crate::chat::ChatTemplate;
use crate::generator::{Completion, GenerationRequest, Generator};
use crate::heap::HeapReuse;
use crate::hf::HfFolder;
use crate::transformer::Transformer;
use crate::{ModelError, tokenizer_from_gguf};
use candle_core::quantized::gguf_file;
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

/// Where the model file is and how to load it.
#[derive(Debug, Clone)]
pub struct LocalModelConfig {
    /// A `.gguf` file, or a Hugging Face folder (`config.json`, `tokenizer.json`,
    /// `*.safetensors`).
    pub path: PathBuf,
    /// For GGUF files, convert tensors without a SIMD kernel (Q4_1, Q5_0, Q5_1) to Q8_0 once,
    /// and load that copy (see [`crate::fast_variant`]); for folders, quantize the dense
    /// weights to Q8_0 at load. On by default: several times faster on CPU.
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

/// A model loaded for local generation.
pub struct LocalModel {
    transformer: Transformer,
    tokenizer: Tokenizer,
    template: ChatTemplate,
    stop_tokens: Vec<u32>,
    max_batch: usize,
    name: String,
}

impl LocalModel {
    /// Loads the model, its tokenizer and its chat template: from a GGUF file (tokenizer and
    /// template from its metadata) or a Hugging Face folder (see [`crate::HfConfig`]).
    pub fn load(config: &LocalModelConfig) -> Result<Self, ModelError> {
        let parts = if config.path.is_dir() {
            load_folder(&config.path, config.requantize)?
        } else {
            load_gguf(config)?
        };
        let stop_tokens = stop_tokens(&parts.eos, &parts.tokenizer, &parts.template);
        let name = if config.path.is_dir() {
            config.path.file_name()
        } else {
            config.path.file_stem()
        };
        Ok(LocalModel {
            transformer: parts.transformer,
            tokenizer: parts.tokenizer,
            template: parts.template,
            stop_tokens,
            max_batch: config.max_batch.max(1),
            name: name
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
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
    /// Freed memory stays in the heap meanwhile ([`HeapReuse`]: batched prefill 1.30–1.40× faster).
    fn run(
        &self,
        requests: &[GenerationRequest],
        stream: &mut dyn FnMut(&str),
        on_done: &mut dyn FnMut(usize),
    ) -> Vec<Result<Vec<Completion>, ModelError>> {
        let _heap = HeapReuse::begin();
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

/// What a model file or folder provides.
struct Parts {
    transformer: Transformer,
    tokenizer: Tokenizer,
    template: ChatTemplate,
    /// End-of-sequence ids the model declares.
    eos: Vec<u32>,
}

/// A GGUF file (its fast variant if `config.requantize`).
fn load_gguf(config: &LocalModelConfig) -> Result<Parts, ModelError> {
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
        .and_then(|v| v.to_string().ok());
    let template = ChatTemplate::from_gguf_template(template_text.map(String::as_str));
    let eos = content
        .metadata
        .get("tokenizer.ggml.eos_token_id")
        .and_then(|v| v.to_u32().ok())
        .into_iter()
        .collect();
    let transformer = Transformer::from_gguf(&content, &mut file, path)?;
    Ok(Parts {
        transformer,
        tokenizer,
        template,
        eos,
    })
}

/// A Hugging Face folder; dense weights are quantized to Q8_0 if `quantize`.
fn load_folder(dir: &Path, quantize: bool) -> Result<Parts, ModelError> {
    let folder = HfFolder::open(dir)?;
    let mut weights = folder.weights(dir, quantize)?;
    let transformer = Transformer::load(folder.params.clone(), &mut weights, dir)?;
    Ok(Parts {
        transformer,
        template: ChatTemplate::from_gguf_template(folder.chat_template.as_deref()),
        eos: folder.eos_ids(),
        tokenizer: folder.tokenizer,
    })
}

/// End-of-turn tokens: the model's end-of-sequence ids and the template's end-of-turn token.
fn stop_tokens(eos: &[u32], tokenizer: &Tokenizer, template: &ChatTemplate) -> Vec<u32> {
    let mut ids = eos.to_vec();
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
