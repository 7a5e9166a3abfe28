//! Writing the campaign's datasets as JSONL files (`{"messages": [...]}` per line), the layout
//! other trainers load.

use crate::SelfplayError;
use crate::store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `solver.jsonl` and `proposer.jsonl` into `dir` (atomically: a kill leaves either the
/// old or the new file); returns their paths.
pub fn write_datasets(store: &Store, dir: &Path) -> Result<Vec<PathBuf>, SelfplayError> {
    std::fs::create_dir_all(dir).map_err(|e| SelfplayError::io(dir, e))?;
    let mut written = Vec::new();
    for kind in ["solver", "proposer"] {
        let path = dir.join(format!("{kind}.jsonl"));
        let rows = store.dataset(kind)?;
        let mut file =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| SelfplayError::io(dir, e))?;
        for row in rows {
            writeln!(file, "{row}").map_err(|e| SelfplayError::io(&path, e))?;
        }
        file.persist(&path)
            .map_err(|e| SelfplayError::io(&path, e.error))?;
        written.push(path);
    }
    Ok(written)
}
