//! # crucible-train
//!
//! LoRA fine-tuning of the models Crucible runs, on candle's CPU backend. The base model's
//! weights (a GGUF file, or a Hugging Face folder such as a merged model) are dequantized into a small trainable decoder ([`Decoder`]: Qwen2 or Llama),
//! frozen; only the low-rank adapters ([`lora`]) train. Adapters are saved in the PEFT layout, so
//! Hugging Face tooling can load them.
//!
//! The flow: [`load_run`] reads the base model (weights, tokenizer, chat template) and the JSONL
//! conversations ([`data`]), and builds a [`Trainer`]; [`Trainer::resume`] picks up a
//! checkpoint; [`Trainer::run`] trains (completion-only loss, [`loss`]; AdamW, clipping and the
//! schedule, [`optim`]), evaluating after each epoch and checkpointing; [`Trainer::save_adapter`]
//! writes the result ([`peft`]). [`Decoder::merge_adapters`] folds adapters into the weights and [`merge_to_hf`]
//! writes a merged model the runtime loads.

mod checkpoint;
pub mod data;
pub mod decoder;
mod error;
mod job;
pub mod lora;
pub mod loss;
pub mod merge;
mod ops;
pub mod optim;
pub mod peft;
pub mod rng;
mod trainer;

#[cfg(test)]
mod testutil;

pub use data::{Batch, ChatFormat, Dataset, TrainingExample, bucket, read_jsonl};
pub use decoder::{Decoder, ModelSpec, open_gguf};
pub use error::{Result, TrainError};
pub use job::{FineTune, FineTuned, fine_tune};
pub use lora::{LoraConfig, Mode, Projection};
pub use merge::{WeightType, merge_to_hf, write_hf};
pub use rng::Rng;
pub use trainer::{
    Loaded, NO_EXAMPLES, StepProgress, StepReport, TrainConfig, TrainEvent, Trainer, load_run,
};
