//! Training errors.

use std::path::PathBuf;

/// Why training, loading or saving failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The GGUF file lacks what the model needs, or has an unsupported architecture.
    #[error("{path}: {message}")]
    Model {
        /// The model file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A training-data line is malformed.
    #[error("{path}:{line}: {message}")]
    Data {
        /// The JSONL file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The configuration is invalid.
    #[error("training configuration: {0}")]
    Config(String),
    /// An adapter or checkpoint does not fit the model or the run.
    #[error("{path}: {message}")]
    Mismatch {
        /// The adapter or checkpoint.
        path: PathBuf,
        /// What does not fit.
        message: String,
    },
    /// The tokenizer or chat template failed.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// Loading the tokenizer from the GGUF failed.
    #[error("model: {0}")]
    CrucibleModel(#[from] crucible_model::ModelError),
    /// A tensor operation failed.
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
    /// JSON (de)serialisation failed.
    #[error("{path}: {error}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause (in the message, not also a `source()`).
        error: serde_json::Error,
    },
    /// File I/O failed.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause (shown in the message, so not also a `source()`: a chain printed by
        /// anyhow would repeat it).
        error: std::io::Error,
    },
}

impl TrainError {
    /// Wraps an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TrainError::Io {
            path: path.into(),
            error: source,
        }
    }

    /// Wraps a JSON error with its path.
    pub fn json(path: impl Into<PathBuf>, source: serde_json::Error) -> Self {
        TrainError::Json {
            path: path.into(),
            error: source,
        }
    }
}

/// Results of this crate.
pub type Result<T, E = TrainError> = std::result::Result<T, E>;
