//! A whole fine-tuning job in one call, for callers that train between other work (campaign
//! rounds): train adapters on a JSONL file — resuming from the checkpoint a killed job left —
//! save them in the PEFT layout, and write the merged model the runtime loads.

use crate::error::{Result, TrainError};
use crate::merge::{WeightType, write_hf};
use crate::trainer::{TrainConfig, TrainEvent, load_run};
use std::path::Path;

/// What to train and where the results go.
#[derive(Debug, Clone)]
pub struct FineTune<'a> {
    /// The base model (a `.gguf` file or a Hugging Face folder).
    pub base: &'a Path,
    /// The base model's name, recorded in the adapter's configuration.
    pub base_name: &'a str,
    /// Training conversations (JSONL).
    pub data: &'a Path,
    /// The adapter folder; `checkpoint/` inside it makes the job resumable.
    pub adapter_dir: &'a Path,
    /// The merged model folder (Hugging Face layout).
    pub model_dir: &'a Path,
    /// Hyper-parameters (`init_adapter` continues an earlier adapter).
    pub config: TrainConfig,
    /// Weight type of the merged model.
    pub weights: WeightType,
}

/// What a finished job reports.
#[derive(Debug, Clone, PartialEq)]
pub struct FineTuned {
    /// Training examples used.
    pub examples: usize,
    /// Conversations left out for exceeding `max_seq_len`.
    pub too_long: usize,
    /// The last step's training loss.
    pub final_loss: Option<f64>,
}

/// Runs `job`; `Ok(None)` when no conversation fits `max_seq_len` (nothing was written).
pub fn fine_tune(
    job: &FineTune<'_>,
    on_event: &mut dyn FnMut(&TrainEvent),
) -> Result<Option<FineTuned>> {
    let loaded = match load_run(job.base, job.data, None, job.config.clone()) {
        Ok(loaded) => loaded,
        Err(TrainError::Config(message)) if message == crate::trainer::NO_EXAMPLES => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let mut trainer = loaded.trainer;
    let checkpoint = job.adapter_dir.join("checkpoint");
    trainer.resume(&checkpoint)?;
    trainer.run(Some(&checkpoint), on_event)?;
    trainer.save_adapter(job.adapter_dir, job.base_name)?;
    write_hf(trainer.model(), job.base, job.model_dir, job.weights)?;
    Ok(Some(FineTuned {
        examples: trainer.example_counts().0,
        too_long: loaded.too_long,
        final_loss: trainer.progress().train_losses.last().copied(),
    }))
}
