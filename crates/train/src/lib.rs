//! # crucible-train
//!
//! LoRA fine-tuning of the models Crucible runs, on candle's CPU backend. The base model's GGUF
//! weights are dequantized into a small trainable decoder ([`Transformer`]: Qwen2 or Llama),
//! frozen; only the low-rank adapters ([`lora`]) train. Adapters are saved in the PEFT layout, so
//! Hugging Face tooling can load them.
//!
//! The flow: [`load_run`] reads the GGUF (weights, tokenizer, chat template) and the JSONL
//! conversations ([`data`]), and builds a [`Trainer`]; [`Trainer::resume`] picks up a
//! checkpoint; [`Trainer::run`] trains (completion-only loss, [`loss`]; AdamW, clipping and the
//! schedule, [`optim`]), evaluating after each epoch and checkpointing; [`Trainer::save_adapter`]
//! writes the result ([`peft`]). [`Transformer::merge_adapters`] folds adapters into the weights.

mod checkpoint;
pub mod data;
mod error;
pub mod lora;
pub mod loss;
pub mod model;
mod ops;
pub mod optim;
pub mod peft;
pub mod rng;
mod trainer;

#[cfg(test)]
mod testutil;

pub use data::{Batch, ChatFormat, Dataset, Example, bucket, read_jsonl};
pub use error::{Result, TrainError};
pub use lora::{LoraConfig, Mode, Projection};
pub use model::{Architecture, ModelSpec, Transformer, open_gguf};
pub use rng::Rng;
pub use trainer::{Event, Loaded, Progress, StepReport, TrainConfig, Trainer, load_run};
