//! Merged models: a base model with its adapters folded in, written as a Hugging Face folder
//! (`config.json`, `tokenizer.json`, `tokenizer_config.json`, `model.safetensors`) that the model
//! runtime loads — and re-quantizes to Q8_0 — like any other model, and that Hugging Face tools
//! read too.

use crate::decoder::Decoder;
use crate::error::{Result, TrainError};
use crate::lora::Projection;
use crate::peft::load_adapter;
use candle_core::{DType, Tensor};
use std::collections::HashMap;
use std::path::Path;

/// How merged weights are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeightType {
    /// 32-bit floats: exact, twice the size.
    F32,
    /// bfloat16 (the default): half the disk; the runtime re-quantizes to Q8_0 at load anyway.
    #[default]
    Bf16,
}

impl WeightType {
    /// The type called `name` (`f32`, `bf16`).
    pub fn parse(name: &str) -> Option<WeightType> {
        match name {
            "f32" | "float32" => Some(WeightType::F32),
            "bf16" | "bfloat16" => Some(WeightType::Bf16),
            _ => None,
        }
    }

    fn dtype(self) -> DType {
        match self {
            WeightType::F32 => DType::F32,
            WeightType::Bf16 => DType::BF16,
        }
    }

    /// The `torch_dtype` written to `config.json`.
    fn torch_name(self) -> &'static str {
        match self {
            WeightType::F32 => "float32",
            WeightType::Bf16 => "bfloat16",
        }
    }
}

impl Decoder {
    /// Every weight under its Hugging Face name, adapters folded in, converted to `weights`.
    /// `tied` leaves out `lm_head.weight` (the model reuses the embedding).
    pub fn hf_tensors(&self, weights: WeightType, tied: bool) -> Result<HashMap<String, Tensor>> {
        let dtype = weights.dtype();
        let mut out = HashMap::new();
        let mut put = |name: String, t: &Tensor| -> Result<()> {
            out.insert(name, t.to_dtype(dtype)?);
            Ok(())
        };
        put("model.embed_tokens.weight".into(), &self.embedding)?;
        put("model.norm.weight".into(), &self.norm)?;
        if !tied {
            put("lm_head.weight".into(), &self.head)?;
        }
        for (i, block) in self.blocks.iter().enumerate() {
            let prefix = format!("model.layers.{i}");
            put(format!("{prefix}.input_layernorm.weight"), &block.attn_norm)?;
            put(
                format!("{prefix}.post_attention_layernorm.weight"),
                &block.mlp_norm,
            )?;
            for p in Projection::ALL {
                let linear = &block.projections[p as usize];
                let path = format!("{prefix}.{}", p.hf_path());
                put(format!("{path}.weight"), &linear.merged_weight()?)?;
                if let Some(bias) = &linear.bias {
                    put(format!("{path}.bias"), bias)?;
                }
            }
        }
        Ok(out)
    }
}

/// Loads `base` (a `.gguf` file or a Hugging Face folder), folds in the PEFT adapter in `adapter`, and writes the merged model
/// to `out` as a Hugging Face folder with `weights`. The folder is complete or absent: it is
/// written beside `out` and renamed into place (an existing `out` is replaced).
pub fn merge_to_hf(base: &Path, adapter: &Path, out: &Path, weights: WeightType) -> Result<()> {
    let mut model = Decoder::load(base)?;
    load_adapter(&mut model, adapter)?;
    write_hf(&model, base, out, weights)
}

/// Writes `model` (adapters folded in) as a Hugging Face folder, taking the configuration,
/// tokenizer and chat template from its base model `base` (a `.gguf` file or a folder).
pub fn write_hf(model: &Decoder, base: &Path, out: &Path, weights: WeightType) -> Result<()> {
    let mut parts = crucible_model::hf_parts(base)?;
    parts.config.torch_dtype = Some(weights.torch_name().into());
    let tensors = model.hf_tensors(weights, parts.config.tie_word_embeddings)?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| TrainError::io(parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".merge-")
        .tempdir_in(parent)
        .map_err(|e| TrainError::io(parent, e))?;
    crucible_model::write_hf_model(
        staging.path(),
        &parts.config,
        &tensors,
        &parts.tokenizer,
        parts.chat_template.as_deref(),
    )?;
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| TrainError::io(out, e))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, out).map_err(|e| TrainError::io(out, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ChatFormat;
    use crate::lora::{LoraConfig, Mode};
    use crate::rng::Rng;
    use crate::testutil::test_model;

    /// A small random update on every adapter (B starts at zero, which would merge to nothing).
    fn perturb(model: &mut Decoder) -> Result<()> {
        for layer in 0..model.spec().layers {
            for p in Projection::ALL {
                if let Some(adapter) = model
                    .projection_mut(layer, p)
                    .and_then(|l| l.adapter.as_mut())
                {
                    let b = adapter.b.as_tensor();
                    let noise =
                        (Tensor::randn(0f32, 0.02, b.shape(), b.device())?).to_dtype(b.dtype())?;
                    adapter.b.set(&noise)?;
                }
            }
        }
        Ok(())
    }

    #[test]
    fn merged_model_equals_base_plus_adapter() -> Result<()> {
        let Some(base) = test_model() else {
            eprintln!("skipped: the test model is not downloaded");
            return Ok(());
        };
        let mut model = Decoder::load(&base)?;
        model.add_adapters(&LoraConfig::default(), &mut Rng::new(3))?;
        perturb(&mut model)?;
        let ids = [1u32, 504, 3458, 314, 253, 1789, 30];
        let tokens = Tensor::new(&[ids], &candle_core::Device::Cpu)?;
        // The logits at the last position.
        let last_logits = |m: &Decoder| -> Result<Vec<f32>> {
            let hidden = m.forward(&tokens, &mut Mode::Eval)?;
            let last = hidden.narrow(1, ids.len() - 1, 1)?;
            Ok(m.logits(&last)?.flatten_all()?.to_vec1::<f32>()?)
        };
        let adapted = last_logits(&model)?;
        let base_logits = last_logits(&Decoder::load(&base)?)?;

        let dir = tempfile::tempdir().map_err(|e| TrainError::io("tempdir", e))?;
        let out = dir.path().join("merged");
        write_hf(&model, &base, &out, WeightType::F32)?;
        let runtime = crucible_model::LocalModel::load(&crucible_model::LocalModelConfig {
            requantize: false,
            ..crucible_model::LocalModelConfig::new(out.clone())
        })?;
        let transformer = runtime.transformer();
        let mut cache = transformer.new_cache();
        let mut step = [crucible_model::Step {
            cache: &mut cache,
            tokens: &ids,
        }];
        let reloaded = transformer.forward(&mut step)?.remove(0);
        let diff = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0f32, f32::max)
        };
        let worst = diff(&adapted, &reloaded);
        // The adapters must have changed the logits, or the comparison proves nothing.
        assert!(
            diff(&adapted, &base_logits) > 0.1,
            "the adapters changed nothing"
        );
        assert!(worst < 1e-2, "merged logits differ by {worst}");

        // The merged folder is a base the trainer loads too (to train a tuned model further):
        // the same logits as the adapted model, and the same chat format as the GGUF base.
        let trained_on = last_logits(&Decoder::load(&out)?)?;
        let worst = diff(&adapted, &trained_on);
        assert!(worst < 1e-3, "the folder loads with logits {worst} away");
        let messages = [
            crucible_model::ChatMessage::user("Add 2 and 2."),
            crucible_model::ChatMessage {
                role: crucible_model::Role::Assistant,
                content: "4".into(),
            },
        ];
        let render = |path: &Path| -> Result<Vec<u32>> {
            let format = ChatFormat::from_parts(&crucible_model::hf_parts(path)?)?;
            Ok(format
                .example(&messages)
                .map_err(TrainError::Config)?
                .tokens)
        };
        assert_eq!(render(&out)?, render(&base)?);
        Ok(())
    }
}
