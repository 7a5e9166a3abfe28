//! Model errors.

use std::path::PathBuf;

/// Why a model could not be loaded, fetched or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The name is not a known model, a file, or a URL.
    #[error(
        "unknown model `{0}`: give a known name (see `crucible model list`), a .gguf file, a Hugging Face folder, or a URL"
    )]
    UnknownModel(String),
    /// The model file is not there yet.
    #[error(
        "model `{name}` is not downloaded (expected {path}); run `crucible model fetch {name}`"
    )]
    NotFetched {
        /// The model's name.
        name: String,
        /// Where it should be.
        path: PathBuf,
    },
    /// Downloading or assembling the model failed.
    #[error("fetching {name}: {message}")]
    Fetch {
        /// The model's name.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// The GGUF file is malformed or lacks what we need.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Tokenizer construction or use failed.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// A sequence would outgrow the model's context.
    #[error("{positions} positions exceed the model's context of {limit}")]
    ContextFull {
        /// Positions the sequence would reach.
        positions: usize,
        /// The model's limit.
        limit: usize,
    },
    /// A tensor operation failed.
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
    /// A remote server could not be reached (refused, unreachable, reset).
    #[error("cannot connect to {url}: {message} (is the server running?)")]
    Connect {
        /// The URL requested.
        url: String,
        /// The underlying error, with its causes.
        message: String,
    },
    /// A remote server did not answer in time.
    #[error("no reply from {url} within {seconds} s")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The time limit.
        seconds: f64,
    },
    /// A remote server answered with an error status.
    #[error("{url}: HTTP {status}: {message}")]
    Http {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The server's error message (or the start of its reply).
        message: String,
    },
    /// A remote server's reply is not what the OpenAI API specifies.
    #[error("{url}: malformed reply: {message}")]
    Malformed {
        /// The URL requested.
        url: String,
        /// What is missing or wrong.
        message: String,
    },
    /// A remote model is misconfigured (bad URL, no model served, client set-up failed).
    #[error("remote model: {0}")]
    Remote(String),
    /// File I/O failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl ModelError {
    /// A model file `path` that cannot be read as what it claims to be.
    pub fn format(path: &std::path::Path, message: impl Into<String>) -> Self {
        ModelError::Format {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// Wraps an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ModelError::Io {
            path: path.into(),
            source,
        }
    }
}
