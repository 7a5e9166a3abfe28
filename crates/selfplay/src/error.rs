//! Errors of the self-play crate. Bad model output is never an error (it is a counted
//! rejection); these are failures of the machinery: configuration, store, sandbox, model.

use crate::kinds::TrainRole;
use crucible_model::ModelError;
use std::path::{Path, PathBuf};

/// What can go wrong running a campaign.
#[derive(Debug, thiserror::Error)]
pub enum SelfplayError {
    /// The configuration is invalid.
    #[error("campaign configuration: {0}")]
    Config(String),
    /// Reading or writing a file failed.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause (shown in the message, so not also a `source()`: a chain printed by
        /// anyhow would repeat it).
        error: std::io::Error,
    },
    /// The SQLite store failed.
    #[error("campaign store: {0}")]
    Store(#[from] rusqlite::Error),
    /// The store belongs to another schema version, is not a campaign store, or holds a row
    /// this version cannot read.
    #[error("campaign store {path}: {message}")]
    Schema {
        /// The database file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The sandbox itself failed (not a verdict).
    #[error("sandbox: {0}")]
    Sandbox(#[from] crucible_sandbox::SandboxError),
    /// A model failed to load or to generate.
    #[error("model: {0}")]
    Model(#[from] crucible_model::ModelError),
    /// The seed set could not be read.
    #[error("seed set: {0}")]
    SeedSet(String),
    /// A trained role's model cannot be trained (checked before round 1).
    #[error(
        "the {role}'s model cannot be trained: {source} (set `training.enabled = false` or train another model)"
    )]
    Untrainable {
        /// The role.
        role: TrainRole,
        /// Why.
        source: TuneError,
    },
    /// Fine-tuning a role's model between rounds failed.
    #[error("training the {role} after round {round}: {source}")]
    Training {
        /// The role.
        role: TrainRole,
        /// The round whose data it trained on.
        round: u32,
        /// What went wrong.
        source: TuneError,
    },
    /// Judging failed (the sandbox, not a solution).
    #[error("judging: {0}")]
    Judge(String),
}

impl SelfplayError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        SelfplayError::Io {
            path: path.to_path_buf(),
            error: source,
        }
    }
}

/// Why a model cannot be trained, or why a training job failed.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// The model cannot be a training base (for example not a GGUF file).
    #[error("{0}")]
    Unsupported(String),
    /// Resolving or opening the base model failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The training itself failed (data, numerics, writing the adapter or merged model).
    #[error(transparent)]
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

impl TuneError {
    /// A failed job, from the trainer's own error.
    pub fn failed(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        TuneError::Failed(Box::new(error))
    }
}
