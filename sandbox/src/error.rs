//! Errors of the sandbox itself. A program's misbehaviour is never one of these: it is a
//! [`crate::Verdict`]. An `Err(SandboxError)` means the sandbox could not do its job.

use std::path::PathBuf;

/// A failure of the sandbox (toolchain missing, engine error, I/O on our own cache), never of
/// the program under test.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// A toolchain component is not installed or not where we expect it.
    #[error("toolchain not available: {0}")]
    ToolchainMissing(String),
    /// The Python runtime file exists but its content does not match the pinned hash.
    #[error("python runtime at {path} has sha256 {actual}, expected {expected}")]
    RuntimeHashMismatch {
        /// Where the runtime was read from.
        path: PathBuf,
        /// The hash we computed.
        actual: String,
        /// The pinned hash.
        expected: String,
    },
    /// Reading or writing one of our own files failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Starting or supervising a compiler process failed.
    #[error("could not run the compiler: {0}")]
    CompilerProcess(String),
    /// wasmtime reported an error that is not attributable to the guest program.
    #[error("wasm engine error: {0}")]
    Engine(String),
    /// The worker pool is gone (the sandbox is shutting down) or a worker panicked.
    #[error("sandbox worker failed: {0}")]
    Worker(String),
}

impl SandboxError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SandboxError::Io {
            path: path.into(),
            source,
        }
    }

    /// Wraps an engine error (anything wasmtime returns that is our fault, not the guest's).
    pub fn engine(err: impl std::fmt::Display) -> Self {
        SandboxError::Engine(format!("{err:#}"))
    }
}
