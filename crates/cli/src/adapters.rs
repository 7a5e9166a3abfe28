//! Models that ship with Crucible as a PEFT adapter over a known base model (the tuned solver
//! of a documented campaign, `crucible-0.5b-selfplay`). The adapter's files are built into the
//! binary; on first use they are written to `<models>/<name>/adapter/` and merged into the base
//! GGUF (`crucible_train::merge_to_hf`, the same step that produced the campaign's model) as
//! `<models>/<name>/model/`, which later runs load directly. A stamp with the adapter's sha256
//! makes a changed adapter merge again.

use crate::fetch::fetched_model;
use crucible_model::ModelError;
use crucible_train::{WeightType, merge_to_hf};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A model shipped as an adapter over a known base model.
#[derive(Debug, Clone, Copy)]
pub struct ShippedAdapter {
    /// The name users type (`crucible eval --model <name>`).
    pub name: &'static str,
    /// The known base model it applies to.
    pub base: &'static str,
    /// What it is, for `crucible model list`.
    pub description: &'static str,
    /// `adapter_config.json`.
    pub config: &'static [u8],
    /// `adapter_model.safetensors`.
    pub weights: &'static [u8],
}

/// File in the merged folder that records which adapter it holds.
const STAMP: &str = "crucible-adapter.sha256";

/// Every shipped adapter model.
pub fn shipped_adapters() -> Vec<ShippedAdapter> {
    vec![ShippedAdapter {
        name: "crucible-0.5b-selfplay",
        base: "qwen2.5-coder-0.5b-instruct",
        description: "the default model after two rounds of expert iteration on its own \
                      sandbox-verified solutions (MBPP test +3.0 points; BENCHMARKS.md)",
        config: include_bytes!("../../../models/crucible-0.5b-selfplay/adapter_config.json"),
        weights: include_bytes!("../../../models/crucible-0.5b-selfplay/adapter_model.safetensors"),
    }]
}

/// The shipped adapter called `name`.
pub fn find(name: &str) -> Option<ShippedAdapter> {
    shipped_adapters()
        .into_iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

/// `spec` itself, or for a shipped adapter's name the path of its merged model folder
/// (merged on first use).
pub fn resolve_spec(spec: &str, models_dir: &Path) -> Result<String, ModelError> {
    match find(spec) {
        Some(adapter) => Ok(merged_model(&adapter, models_dir)?.display().to_string()),
        None => Ok(spec.to_string()),
    }
}

/// Whether `adapter`'s merged folder is in `models_dir` and current.
pub fn is_merged(adapter: &ShippedAdapter, models_dir: &Path) -> bool {
    let stamp = models_dir.join(adapter.name).join("model").join(STAMP);
    std::fs::read_to_string(stamp).is_ok_and(|s| s.trim() == digest(adapter))
}

/// The merged model folder of `adapter` in `models_dir`: written and merged into its base
/// (fetched first when needed) unless a current one is there.
pub fn merged_model(adapter: &ShippedAdapter, models_dir: &Path) -> Result<PathBuf, ModelError> {
    let home = models_dir.join(adapter.name);
    let model = home.join("model");
    if is_merged(adapter, models_dir) {
        return Ok(model);
    }
    let fail = |message: String| ModelError::Fetch {
        name: adapter.name.to_string(),
        message,
    };
    let adapter_dir = home.join("adapter");
    std::fs::create_dir_all(&adapter_dir).map_err(|e| ModelError::io(&adapter_dir, e))?;
    for (file, bytes) in [
        ("adapter_config.json", adapter.config),
        ("adapter_model.safetensors", adapter.weights),
    ] {
        let path = adapter_dir.join(file);
        std::fs::write(&path, bytes).map_err(|e| ModelError::io(&path, e))?;
    }
    let base = fetched_model(adapter.base, models_dir)?;
    eprintln!(
        "{}: applying its adapter to {} (once; kept in {}) ...",
        adapter.name,
        adapter.base,
        model.display()
    );
    merge_to_hf(&base, &adapter_dir, &model, WeightType::Bf16)
        .map_err(|e| fail(format!("merging the adapter into {}: {e}", adapter.base)))?;
    let stamp = model.join(STAMP);
    std::fs::write(&stamp, digest(adapter)).map_err(|e| ModelError::io(&stamp, e))?;
    Ok(model)
}

/// The sha256 of an adapter's files.
fn digest(adapter: &ShippedAdapter) -> String {
    let mut hash = Sha256::new();
    hash.update(adapter.config);
    hash.update(adapter.weights);
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crucible_model::{TEST_MODEL, default_models_dir, resolve_model};
    use crucible_train::{FineTune, LoraConfig, TrainConfig, fine_tune};

    /// An adapter trained on two rows with the small model, as the files a shipped adapter
    /// holds, and the merged folder the training itself wrote.
    fn trained_adapter(dir: &Path) -> Option<(ShippedAdapter, PathBuf)> {
        let base = resolve_model(TEST_MODEL, &default_models_dir()).ok()?;
        let data = dir.join("data.jsonl");
        let row = |q: &str, a: &str| {
            serde_json::json!({"messages": [
                {"role": "user", "content": q},
                {"role": "assistant", "content": a},
            ]})
            .to_string()
        };
        std::fs::write(&data, [row("2+2?", "4"), row("Say hi.", "hi")].join("\n")).ok()?;
        let (adapter_dir, model_dir) = (dir.join("adapter"), dir.join("trained"));
        let config = TrainConfig {
            lora: LoraConfig {
                rank: 2,
                ..LoraConfig::default()
            },
            epochs: 1,
            eval_fraction: 0.0,
            ..TrainConfig::default()
        };
        fine_tune(
            &FineTune {
                base: &base,
                base_name: TEST_MODEL,
                data: &data,
                adapter_dir: &adapter_dir,
                model_dir: &model_dir,
                config,
                weights: WeightType::Bf16,
            },
            &mut |_| {},
        )
        .expect("fine_tune");
        let read = |f: &str| -> &'static [u8] {
            Box::leak(
                std::fs::read(adapter_dir.join(f))
                    .expect("adapter file")
                    .into_boxed_slice(),
            )
        };
        let adapter = ShippedAdapter {
            name: "test-adapter",
            base: TEST_MODEL,
            description: "test",
            config: read("adapter_config.json"),
            weights: read("adapter_model.safetensors"),
        };
        Some((adapter, model_dir))
    }

    #[test]
    fn a_shipped_adapter_merges_once_into_the_model_its_training_wrote() {
        let dir = tempfile::tempdir().expect("tempdir");
        let Some((adapter, trained)) = trained_adapter(dir.path()) else {
            eprintln!("skipped: {TEST_MODEL} is not fetched (run ./setup.sh)");
            return;
        };
        // The base comes from the usual models directory; the merged folder goes to ours.
        let models = dir.path().join("models");
        let base = resolve_model(TEST_MODEL, &default_models_dir()).expect("base");
        std::fs::create_dir_all(&models).expect("mkdir");
        std::fs::copy(&base, models.join(base.file_name().expect("name"))).expect("copy");

        assert!(!is_merged(&adapter, &models));
        let merged = merged_model(&adapter, &models).expect("merged");
        assert!(is_merged(&adapter, &models));
        let weights = |d: &Path| std::fs::read(d.join("model.safetensors")).expect("weights");
        assert!(
            weights(&merged) == weights(&trained),
            "the merged weights differ from the ones training wrote"
        );
        // A second use finds it; a changed adapter is merged again.
        let modified = std::fs::metadata(merged.join("model.safetensors"))
            .and_then(|m| m.modified())
            .expect("mtime");
        merged_model(&adapter, &models).expect("again");
        let again = std::fs::metadata(merged.join("model.safetensors"))
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(modified, again);
        let changed = ShippedAdapter {
            config: b"{}",
            ..adapter
        };
        assert!(!is_merged(&changed, &models));
    }
}
