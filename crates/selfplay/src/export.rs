//! Writing the campaign's datasets as JSONL files (`{"messages": [...]}` per line), the layout
//! other trainers load.

use crate::SelfplayError;
use crate::config::TrainRole;
use crate::store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `solver.jsonl` and `proposer.jsonl` into `dir` (atomically: a kill leaves either the
/// old or the new file); returns their paths.
pub fn write_datasets(store: &Store, dir: &Path) -> Result<Vec<PathBuf>, SelfplayError> {
    std::fs::create_dir_all(dir).map_err(|e| SelfplayError::io(dir, e))?;
    let mut written = Vec::new();
    for kind in [TrainRole::Solver, TrainRole::Proposer] {
        let path = dir.join(format!("{}.jsonl", kind.name()));
        write_lines(&path, &store.dataset(kind)?)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `lines` to `path` atomically (its folder must exist).
pub fn write_lines(path: &Path, lines: &[String]) -> Result<(), SelfplayError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| SelfplayError::io(dir, e))?;
    for line in lines {
        writeln!(file, "{line}").map_err(|e| SelfplayError::io(path, e))?;
    }
    file.persist(path)
        .map_err(|e| SelfplayError::io(path, e.error))?;
    Ok(())
}
