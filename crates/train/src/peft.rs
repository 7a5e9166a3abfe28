//! Adapters in the PEFT layout: `adapter_config.json` and `adapter_model.safetensors` with
//! keys like `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight` (A `[r, in]`,
//! B `[out, r]`), which `peft.PeftModel.from_pretrained` loads onto the Hugging Face model.

use crate::decoder::Decoder;
use crate::error::{Result, TrainError};
use crate::lora::{Adapter, LoraConfig, Projection};
use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The adapter configuration file.
pub const CONFIG_FILE: &str = "adapter_config.json";
/// The adapter weights file.
pub const WEIGHTS_FILE: &str = "adapter_model.safetensors";

/// `adapter_config.json`: the fields PEFT's `LoraConfig` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeftConfig {
    /// The base model (a Hugging Face id or a path).
    pub base_model_name_or_path: String,
    /// Always `LORA`.
    pub peft_type: String,
    /// Always `CAUSAL_LM`.
    pub task_type: String,
    /// Rank.
    pub r: usize,
    /// Scale numerator.
    pub lora_alpha: f64,
    /// Dropout used in training.
    pub lora_dropout: f32,
    /// Module names with adapters (`q_proj`, …).
    pub target_modules: Vec<String>,
    /// Biases are not trained: `none`.
    pub bias: String,
    /// Weights are stored `[out, in]`: false.
    pub fan_in_fan_out: bool,
    /// Saved for inference.
    pub inference_mode: bool,
    /// Scale is `alpha / r`, not `alpha / √r`.
    pub use_rslora: bool,
    /// Plain LoRA.
    pub use_dora: bool,
    /// No extra trained modules.
    pub modules_to_save: Option<Vec<String>>,
    /// Every layer has adapters.
    pub layers_to_transform: Option<Vec<usize>>,
    /// No per-module ranks.
    pub rank_pattern: HashMap<String, usize>,
    /// No per-module alphas.
    pub alpha_pattern: HashMap<String, f64>,
}

impl PeftConfig {
    /// The PEFT description of `lora` on `base_model`.
    pub fn new(lora: &LoraConfig, base_model: &str) -> Self {
        PeftConfig {
            base_model_name_or_path: base_model.to_string(),
            peft_type: "LORA".into(),
            task_type: "CAUSAL_LM".into(),
            r: lora.rank,
            lora_alpha: lora.alpha,
            lora_dropout: lora.dropout,
            target_modules: lora
                .targets
                .iter()
                .map(|p| p.hf_name().to_string())
                .collect(),
            bias: "none".into(),
            fan_in_fan_out: false,
            inference_mode: true,
            use_rslora: false,
            use_dora: false,
            modules_to_save: None,
            layers_to_transform: None,
            rank_pattern: HashMap::new(),
            alpha_pattern: HashMap::new(),
        }
    }

    /// The LoRA configuration it describes, if this crate can apply it.
    pub fn lora(&self) -> Result<LoraConfig, String> {
        if self.peft_type != "LORA" || self.use_rslora || self.use_dora || self.fan_in_fan_out {
            return Err("only plain LoRA adapters (no rsLoRA, DoRA, fan_in_fan_out)".into());
        }
        if !self.rank_pattern.is_empty()
            || !self.alpha_pattern.is_empty()
            || self.layers_to_transform.is_some()
        {
            return Err("per-module ranks or layer subsets are not supported".into());
        }
        let targets = self
            .target_modules
            .iter()
            .map(|name| {
                Projection::from_hf_name(name)
                    .ok_or_else(|| format!("unknown target module `{name}`"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LoraConfig {
            rank: self.r,
            alpha: self.lora_alpha,
            dropout: self.lora_dropout,
            targets,
        })
    }
}

/// The PEFT key of an adapter matrix (`which` is `A` or `B`).
fn key(module: &str, which: char) -> String {
    format!("base_model.model.{module}.lora_{which}.weight")
}

/// The adapters' matrices under their PEFT keys.
pub fn adapter_tensors(model: &Decoder) -> HashMap<String, Tensor> {
    let mut tensors = HashMap::new();
    for (module, adapter) in model.adapters() {
        tensors.insert(key(&module, 'A'), adapter.a.as_tensor().clone());
        tensors.insert(key(&module, 'B'), adapter.b.as_tensor().clone());
    }
    tensors
}

/// Writes `adapter_config.json` and `adapter_model.safetensors` into `dir` (created if needed);
/// each file is replaced atomically.
pub fn save_adapter(
    model: &Decoder,
    lora: &LoraConfig,
    base_model: &str,
    dir: &Path,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| TrainError::io(dir, e))?;
    let config = serde_json::to_string_pretty(&PeftConfig::new(lora, base_model))
        .map_err(|e| TrainError::json(dir.join(CONFIG_FILE), e))?;
    write_atomically(&dir.join(CONFIG_FILE), |path| {
        std::fs::write(path, &config).map_err(|e| TrainError::io(path, e))
    })?;
    save_tensors(&adapter_tensors(model), &dir.join(WEIGHTS_FILE))
}

/// Reads an adapter directory and puts its adapters on `model` (which must have none yet);
/// returns its configuration.
pub fn load_adapter(model: &mut Decoder, dir: &Path) -> Result<LoraConfig> {
    let config_path = dir.join(CONFIG_FILE);
    let text =
        std::fs::read_to_string(&config_path).map_err(|e| TrainError::io(&config_path, e))?;
    let peft: PeftConfig =
        serde_json::from_str(&text).map_err(|e| TrainError::json(&config_path, e))?;
    let mismatch = |path: &Path, message: String| TrainError::Mismatch {
        path: path.to_path_buf(),
        message,
    };
    let lora = peft.lora().map_err(|m| mismatch(&config_path, m))?;
    let weights_path = dir.join(WEIGHTS_FILE);
    let mut tensors = candle_core::safetensors::load(&weights_path, &Device::Cpu)?;
    for layer in 0..model.spec().layers {
        for &p in &lora.targets {
            let module = format!("model.layers.{layer}.{}", p.hf_path());
            let (Some(a), Some(b)) = (
                tensors.remove(&key(&module, 'A')),
                tensors.remove(&key(&module, 'B')),
            ) else {
                return Err(mismatch(&weights_path, format!("no adapter for {module}")));
            };
            let Some(linear) = model.projection_mut(layer, p) else {
                return Err(mismatch(
                    &weights_path,
                    format!("the model has no {module}"),
                ));
            };
            let (in_dim, out_dim) = linear.dims()?;
            if a.dims() != [lora.rank, in_dim] || b.dims() != [out_dim, lora.rank] {
                let found = format!("A {:?}, B {:?}", a.dims(), b.dims());
                return Err(mismatch(
                    &weights_path,
                    format!(
                        "{module}: {found}, expected A [{}, {in_dim}], B [{out_dim}, {}]",
                        lora.rank, lora.rank
                    ),
                ));
            }
            linear.adapter = Some(Adapter::from_tensors(a, b, &lora)?);
        }
    }
    if let Some(extra) = tensors.keys().next() {
        return Err(mismatch(
            &weights_path,
            format!("unexpected tensor {extra}"),
        ));
    }
    Ok(lora)
}

/// Saves tensors as safetensors, atomically.
pub(crate) fn save_tensors(tensors: &HashMap<String, Tensor>, path: &Path) -> Result<()> {
    write_atomically(path, |tmp| {
        Ok(candle_core::safetensors::save(tensors, tmp)?)
    })
}

/// Writes a file through a temporary sibling, flushed to disk and renamed into place, so a
/// reader sees the old file or the new one, never a partial one.
pub(crate) fn write_atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(dir)
        .map_err(|e| TrainError::io(dir, e))?;
    write(tmp.path())?;
    let file = std::fs::File::open(tmp.path()).map_err(|e| TrainError::io(tmp.path(), e))?;
    file.sync_all().map_err(|e| TrainError::io(tmp.path(), e))?;
    tmp.persist(path)
        .map_err(|e| TrainError::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lora::Mode;
    use crate::rng::Rng;
    use crate::testutil::{set_seeded, test_model};

    #[test]
    fn config_round_trips_and_names_modules_like_peft() -> Result<()> {
        let lora = LoraConfig {
            targets: vec![Projection::Query, Projection::Down],
            ..LoraConfig::default()
        };
        let config = PeftConfig::new(&lora, "HuggingFaceTB/SmolLM2-135M-Instruct");
        let json = serde_json::to_value(&config).map_err(|e| TrainError::json("config", e))?;
        assert_eq!(
            json["target_modules"],
            serde_json::json!(["q_proj", "down_proj"])
        );
        assert_eq!(json["peft_type"], "LORA");
        assert_eq!(config.lora().map_err(TrainError::Config)?, lora);
        assert_eq!(
            key("model.layers.0.self_attn.q_proj", 'A'),
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
        );
        Ok(())
    }

    /// Saving and loading gives the same adapters, hence the same logits.
    #[test]
    fn saved_adapter_loads_back_with_identical_logits() -> Result<()> {
        let Some(path) = test_model() else {
            return Ok(());
        };
        let base = Decoder::load(&path)?;
        let lora = LoraConfig {
            targets: vec![
                Projection::Query,
                Projection::Value,
                Projection::Up,
                Projection::Down,
            ],
            ..LoraConfig::default()
        };
        let mut trained = base.clone();
        trained.add_adapters(&lora, &mut Rng::new(2))?;
        set_seeded(&trained.trainable_vars(), 7)?;
        let dir = tempfile::tempdir().map_err(|e| TrainError::io("tempdir", e))?;
        save_adapter(&trained, &lora, "smollm2", dir.path())?;

        let mut loaded = base.clone();
        assert_eq!(load_adapter(&mut loaded, dir.path())?, lora);
        let file = candle_core::safetensors::load(dir.path().join(WEIGHTS_FILE), &Device::Cpu)?;
        let q_a = &file["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"];
        let down_b = &file["base_model.model.model.layers.29.mlp.down_proj.lora_B.weight"];
        assert_eq!((q_a.dims(), down_b.dims()), (&[8, 576][..], &[576, 8][..]));
        assert_eq!(file.len(), 30 * 4 * 2);

        let tokens = Tensor::new(&[[1u32, 504, 3458, 282, 4649]], &Device::Cpu)?;
        let logits = |m: &Decoder| m.logits(&m.forward(&tokens, &mut Mode::Eval)?);
        let (want, got, plain) = (logits(&trained)?, logits(&loaded)?, logits(&base)?);
        assert_eq!(
            want.flatten_all()?.to_vec1::<f32>()?,
            got.flatten_all()?.to_vec1::<f32>()?
        );
        assert_ne!(
            want.flatten_all()?.to_vec1::<f32>()?,
            plain.flatten_all()?.to_vec1::<f32>()?
        );

        // The same adapter saved in bf16 (as shipped adapters and many PEFT ones are) loads
        // as f32, with logits within bf16 rounding: a small fraction of the adapter's own
        // effect on them.
        let half = file
            .iter()
            .map(|(k, t)| Ok((k.clone(), t.to_dtype(candle_core::DType::BF16)?)))
            .collect::<candle_core::Result<HashMap<String, Tensor>>>()?;
        candle_core::safetensors::save(&half, dir.path().join(WEIGHTS_FILE))?;
        let mut from_half = base.clone();
        load_adapter(&mut from_half, dir.path())?;
        let gap = (logits(&from_half)? - &want)?
            .abs()?
            .flatten_all()?
            .max(0)?
            .to_scalar::<f32>()?;
        let effect = (&want - &plain)?
            .abs()?
            .flatten_all()?
            .max(0)?
            .to_scalar::<f32>()?;
        assert!(
            gap < 0.05 * effect,
            "bf16 adapter logits differ by {gap}, the adapter moves them by {effect}"
        );

        std::fs::remove_file(dir.path().join(WEIGHTS_FILE))
            .map_err(|e| TrainError::io("weights", e))?;
        candle_core::safetensors::save(
            &HashMap::from([(
                "x".to_string(),
                Tensor::zeros(1, candle_core::DType::F32, &Device::Cpu)?,
            )]),
            dir.path().join(WEIGHTS_FILE),
        )?;
        assert!(matches!(
            load_adapter(&mut base.clone(), dir.path()),
            Err(TrainError::Mismatch { .. })
        ));
        Ok(())
    }
}
