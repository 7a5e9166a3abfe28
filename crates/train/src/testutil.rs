//! Helpers shared by the unit tests.

use std::path::PathBuf;

use candle_core::{Device, Tensor, Var};

use crate::rng::Rng;

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

/// Sets every variable to seeded values, uniform in ±0.08 (spread like `randn(0, 0.05)`), so a
/// test that trains no adapter still sees a repeatable, non-trivial one.
pub fn set_seeded(vars: &[Var], seed: u64) -> candle_core::Result<()> {
    let mut rng = Rng::new(seed);
    for var in vars {
        let values: Vec<f32> = (0..var.elem_count())
            .map(|_| (rng.next_f32() - 0.5) * 0.16)
            .collect();
        var.set(&Tensor::from_vec(values, var.shape(), &Device::Cpu)?)?;
    }
    Ok(())
}
