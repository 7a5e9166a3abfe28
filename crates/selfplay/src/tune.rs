//! What a campaign needs from the outside between rounds: a way to open a model by name, path or
//! URL ([`ModelOpener`]), and a way to fine-tune one ([`Tuner`]). How training works is not this
//! crate's business: the CLI wires `crucible-train` in; tests may script both.

use crate::config::{TrainRole, TrainingConfig};
use crate::error::TuneError;
use crucible_model::{Generator, ModelError};
use std::path::Path;

/// Opens the model a round samples with: a known name, a `.gguf` file, a Hugging Face folder
/// (what training writes) or an OpenAI-compatible URL.
pub trait ModelOpener {
    /// The model `spec` names, ready to generate.
    fn open(&mut self, spec: &str) -> Result<Box<dyn Generator>, ModelError>;
}

impl<F> ModelOpener for F
where
    F: FnMut(&str) -> Result<Box<dyn Generator>, ModelError>,
{
    fn open(&mut self, spec: &str) -> Result<Box<dyn Generator>, ModelError> {
        self(spec)
    }
}

/// One fine-tuning job: train `base` on `data`, write the adapter to `adapter_dir` and the
/// merged model (a folder [`ModelOpener::open`] accepts) to `model_dir`.
#[derive(Debug, Clone)]
pub struct TuneJob<'a> {
    /// The role whose model this is.
    pub role: TrainRole,
    /// The round whose data ends the training set; the result samples round `round + 1`.
    pub round: u32,
    /// The base model (the role's configured model: name or path).
    pub base: &'a str,
    /// Chat JSONL, one `{"messages": [...]}` per line.
    pub data: &'a Path,
    /// Continue from this adapter (same base) instead of fresh adapters.
    pub init_adapter: Option<&'a Path>,
    /// Where the adapter goes (a checkpoint inside lets a killed job resume).
    pub adapter_dir: &'a Path,
    /// Where the merged model goes.
    pub model_dir: &'a Path,
    /// Hyper-parameters.
    pub settings: &'a TrainingConfig,
    /// Seed of the initialisation, split and order.
    pub seed: u64,
}

/// What a finished job reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuned {
    /// Training examples used (after leaving out over-long ones).
    pub examples: usize,
    /// The last step's training loss.
    pub final_loss: Option<f64>,
}

/// Fine-tunes a role's model between rounds.
pub trait Tuner {
    /// Whether `base` (a role's configured model) can be trained; checked before round 1 so a
    /// campaign does not stop after hours at its first training step. URLs are never asked.
    fn check(&self, base: &str) -> Result<(), TuneError> {
        let _ = base;
        Ok(())
    }

    /// Runs `job`; `progress` receives human-readable lines (loss, tokens/s). An `Err` stops
    /// the campaign (resuming retries the job).
    fn tune(
        &mut self,
        job: &TuneJob<'_>,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Tuned, TuneError>;
}
