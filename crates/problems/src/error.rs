//! Load errors that name the file and the field.

use crate::Problem;
use std::path::PathBuf;

/// Why one problem (or one record of a file) could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", field.as_ref().map(|f| format!(" [{f}]")).unwrap_or_default())]
pub struct LoadError {
    /// The file (or directory) at fault.
    pub path: PathBuf,
    /// The field or record at fault (`problem.yaml: limits.time_limit`, `line 17: prompt`).
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl LoadError {
    /// An error about a whole file or directory.
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        LoadError {
            path: path.into(),
            field: None,
            message: message.into(),
        }
    }

    /// An error about one field of a file.
    pub fn field(
        path: impl Into<PathBuf>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        LoadError {
            path: path.into(),
            field: Some(field.into()),
            message: message.into(),
        }
    }
}

/// What loading a set produced: the problems that loaded and an error for each one that did
/// not.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Problems loaded, in a stable order.
    pub problems: Vec<Problem>,
    /// Problems (or records) skipped, with the reason.
    pub errors: Vec<LoadError>,
    /// What a user should know about how the set was read (packages without `problem.yaml`
    /// loaded with default limits, ...): one line each, said once per set.
    pub notices: Vec<String>,
}

impl LoadReport {
    /// Appends another report.
    pub fn extend(&mut self, other: LoadReport) {
        self.problems.extend(other.problems);
        self.errors.extend(other.errors);
        self.notices.extend(other.notices);
    }
}
