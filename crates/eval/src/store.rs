//! The resumable results file: one JSON line per finished problem, tagged with the key of the
//! evaluation that produced it. A line cut short by a kill is ignored; rerunning the same
//! evaluation skips every problem already on file.

use crate::EvalError;
use crate::results::ProblemResult;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Serialize, Deserialize)]
struct Line {
    key: String,
    result: ProblemResult,
}

/// Every problem result in a results file (`results.jsonl`, or a folder holding one), of the
/// last evaluation key written to it, in file order.
pub fn read_results(path: &Path) -> Result<Vec<ProblemResult>, EvalError> {
    let file = if path.is_dir() {
        path.join("results.jsonl")
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&file).map_err(|e| EvalError::io(&file, e))?;
    let lines: Vec<Line> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Line>(l).ok())
        .collect();
    let Some(last) = lines.last().map(|l| l.key.clone()) else {
        return Ok(Vec::new());
    };
    Ok(lines
        .into_iter()
        .filter(|l| l.key == last)
        .map(|l| l.result)
        .collect())
}

/// Append-only store of finished problems for one evaluation key.
pub struct ResultStore {
    path: PathBuf,
    key: String,
    done: HashMap<String, ProblemResult>,
    file: Mutex<std::fs::File>,
}

impl ResultStore {
    /// Opens (or creates) `path` and loads results recorded under `key`.
    pub fn open(path: &Path, key: &str) -> Result<Self, EvalError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| EvalError::io(dir, e))?;
        }
        let mut done = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                match serde_json::from_str::<Line>(line) {
                    Ok(l) if l.key == key => {
                        done.insert(l.result.id.clone(), l.result);
                    }
                    Ok(_) => {}
                    Err(_) => tracing::debug!("ignoring an unreadable line in {}", path.display()),
                }
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| EvalError::io(path, e))?;
        let store = ResultStore {
            path: path.to_path_buf(),
            key: key.to_string(),
            done,
            file: Mutex::new(file),
        };
        store.terminate_partial_line()?;
        Ok(store)
    }

    /// A result already on file for problem `id`.
    pub fn get(&self, id: &str) -> Option<&ProblemResult> {
        self.done.get(id)
    }

    /// How many problems are already done.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    /// Whether nothing is recorded yet.
    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }

    /// Appends one finished problem and flushes it to disk.
    pub fn append(&self, result: &ProblemResult) -> Result<(), EvalError> {
        let line = serde_json::to_string(&Line {
            key: self.key.clone(),
            result: result.clone(),
        })
        .map_err(|e| EvalError::io(&self.path, std::io::Error::other(e)))?;
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(file, "{line}")
            .and_then(|()| file.sync_data())
            .map_err(|e| EvalError::io(&self.path, e))
    }

    /// If a previous run was killed mid-line, starts a fresh line so the next append parses.
    fn terminate_partial_line(&self) -> Result<(), EvalError> {
        let bytes = std::fs::read(&self.path).map_err(|e| EvalError::io(&self.path, e))?;
        if bytes.last().is_some_and(|&b| b != b'\n') {
            let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
            writeln!(file).map_err(|e| EvalError::io(&self.path, e))?;
        }
        Ok(())
    }
}
