#![doc = include_str!("../README.md")]

#[cfg(feature = "engine")]
mod cache;
mod checker;
#[cfg(feature = "engine")]
mod engine;
mod error;
#[cfg(feature = "engine")]
mod execute;
#[cfg(feature = "engine")]
mod guest;
#[cfg(feature = "engine")]
pub mod jail;
#[cfg(feature = "engine")]
mod judge;
mod lang;
mod limits;
#[cfg(feature = "engine")]
mod pipe;
#[cfg(feature = "engine")]
mod pool;
#[cfg(feature = "engine")]
mod program;
#[cfg(feature = "engine")]
pub mod python;
#[cfg(feature = "engine")]
pub mod toolchain;
mod verdict;

#[cfg(feature = "engine")]
pub use cache::CacheStats;
pub use checker::{CheckOutcome, Checker};
#[cfg(feature = "engine")]
pub use engine::{Sandbox, SandboxConfig, default_cache_dir};
pub use error::SandboxError;
#[cfg(feature = "engine")]
pub use judge::{JudgeOptions, JudgeReport, Submission, TestCase, TestResult};
pub use lang::Language;
pub use limits::{
    Clock, DEFAULT_RANDOM_SEED, FUEL_PER_SECOND_COMPILED, FUEL_PER_SECOND_PYTHON,
    FUEL_PER_WALL_SECOND, Limits,
};
#[cfg(feature = "engine")]
pub use pipe::OutputLimitHit;
#[cfg(feature = "engine")]
pub use program::Program;
pub use verdict::{RunReport, Termination, Verdict};

/// Why a compilation produced no program.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The submission's fault: syntax errors, link errors, an invalid module, a source over the
    /// size limit, a compiler time-out. Reported as the `CompileError` verdict.
    #[error("compile error:\n{diagnostics}")]
    Rejected {
        /// Compiler diagnostics (capped).
        diagnostics: String,
    },
    /// Ours: the toolchain or engine failed. Reported as `SandboxError`, never as a verdict
    /// against the program.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
}

impl CompileError {
    /// The verdict this failure implies.
    pub fn verdict(&self) -> Verdict {
        match self {
            CompileError::Rejected { .. } => Verdict::CompileError,
            CompileError::Sandbox(_) => Verdict::SandboxError,
        }
    }

    /// The message, truncated to `max` bytes on a character boundary.
    pub fn message(&self, max: usize) -> String {
        truncate(&self.to_string(), max)
    }
}

/// Truncates `s` to at most `max` bytes on a character boundary, marking the cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} more bytes]", &s[..end], s.len() - end)
}
