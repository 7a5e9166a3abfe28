//! Helpers shared by the unit tests.

use std::path::PathBuf;

/// The small test model (SmolLM2-135M), or `None` (with a message) when it is not downloaded.
pub fn test_model() -> Option<PathBuf> {
    let dir = crucible_model::default_models_dir();
    match crucible_model::resolve_model(crucible_model::TEST_MODEL, &dir) {
        Ok(path) => Some(path),
        Err(e) => {
            eprintln!("skipping: {e}");
            None
        }
    }
}
