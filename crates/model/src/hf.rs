//! Models in Hugging Face layout: a folder with `config.json`, `tokenizer.json`, optionally
//! `tokenizer_config.json` (for the chat template) and `*.safetensors` weights of a
//! `Qwen2ForCausalLM` or `LlamaForCausalLM`. They load into the same forward pass as GGUF
//! files ([`crate::Transformer`]); dense weights are quantized to Q8_0 at load unless asked
//! not to. [`write_hf_model`] writes such folders and [`gguf_to_hf`] converts a GGUF file.
//!
//! Llama's query and key rows are stored in a different order in GGUF files (llama.cpp's
//! converter permutes them so that rotary embeddings rotate adjacent dimensions); we follow the
//! GGUF convention in memory, permuting at load and back when writing, so that a model gives the
//! same numbers from either layout.

use crate::transformer::{Hyperparams, RopeStyle, TensorSource};
use crate::{ModelError, tokenizer_from_gguf};
use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::safetensors::MmapedSafetensors;
use candle_core::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

/// The fields of a Hugging Face `config.json` that the forward pass uses (others are ignored
/// when reading).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HfConfig {
    /// `["Qwen2ForCausalLM"]` or `["LlamaForCausalLM"]`.
    pub architectures: Vec<String>,
    /// `qwen2` or `llama`.
    #[serde(default)]
    pub model_type: String,
    /// Width of the residual stream.
    pub hidden_size: usize,
    /// Width of the MLP.
    pub intermediate_size: usize,
    /// Query heads.
    pub num_attention_heads: usize,
    /// Transformer blocks.
    pub num_hidden_layers: usize,
    /// Key/value heads (defaults to the query heads).
    #[serde(default)]
    pub num_key_value_heads: Option<usize>,
    /// Width of a head (defaults to `hidden_size / num_attention_heads`).
    #[serde(default)]
    pub head_dim: Option<usize>,
    /// Epsilon of the RMS norms.
    pub rms_norm_eps: f64,
    /// Base of the rotary embedding frequencies.
    #[serde(default = "default_rope_theta")]
    pub rope_theta: f64,
    /// Rotary embedding scaling; only its absence is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rope_scaling: Option<serde_json::Value>,
    /// Context length.
    pub max_position_embeddings: usize,
    /// Vocabulary size.
    pub vocab_size: usize,
    /// Whether the output matrix is the token embedding matrix.
    #[serde(default)]
    pub tie_word_embeddings: bool,
    /// Whether the query, key and value projections have biases (Llama; Qwen2 always has).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention_bias: Option<bool>,
    /// Beginning-of-sequence token(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bos_token_id: Option<TokenIds>,
    /// End-of-sequence token(s): generation stops at them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eos_token_id: Option<TokenIds>,
    /// Storage type of the weights (`float32`, `bfloat16`, …); informative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub torch_dtype: Option<String>,
}

fn default_rope_theta() -> f64 {
    10_000.0
}

/// One token id or several (`config.json` allows both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TokenIds {
    /// A single id.
    One(u32),
    /// Several ids.
    Many(Vec<u32>),
}

impl TokenIds {
    /// The ids.
    pub fn ids(&self) -> Vec<u32> {
        match self {
            TokenIds::One(id) => vec![*id],
            TokenIds::Many(ids) => ids.clone(),
        }
    }
}

/// The supported architectures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Architecture {
    Qwen2,
    Llama,
}

impl HfConfig {
    fn architecture(&self, dir: &Path) -> Result<Architecture, ModelError> {
        match self.architectures.first().map(String::as_str) {
            Some("Qwen2ForCausalLM") => Ok(Architecture::Qwen2),
            Some("LlamaForCausalLM") => Ok(Architecture::Llama),
            other => Err(ModelError::format(
                dir,
                format!(
                    "architecture {other:?} is not supported (Qwen2ForCausalLM, LlamaForCausalLM)"
                ),
            )),
        }
    }

    /// The forward pass's view of this configuration.
    fn hyperparams(&self, dir: &Path) -> Result<Hyperparams, ModelError> {
        let arch = self.architecture(dir)?;
        if self.rope_scaling.as_ref().is_some_and(|v| !v.is_null()) {
            return Err(ModelError::format(dir, "rope_scaling is not supported"));
        }
        if self.num_attention_heads == 0 {
            return Err(ModelError::format(dir, "num_attention_heads is 0"));
        }
        let params = Hyperparams {
            layers: self.num_hidden_layers,
            hidden: self.hidden_size,
            heads: self.num_attention_heads,
            kv_heads: self.num_key_value_heads.unwrap_or(self.num_attention_heads),
            head_dim: self
                .head_dim
                .unwrap_or(self.hidden_size / self.num_attention_heads),
            rms_eps: self.rms_norm_eps,
            rope_theta: self.rope_theta as f32,
            // Llama's query/key rows are permuted to the GGUF order at load (see the module).
            rope_style: match arch {
                Architecture::Qwen2 => RopeStyle::Half,
                Architecture::Llama => RopeStyle::Interleaved,
            },
            max_positions: self.max_position_embeddings,
            attention_bias: match arch {
                Architecture::Qwen2 => true,
                Architecture::Llama => self.attention_bias.unwrap_or(false),
            },
        };
        params.check(dir)?;
        Ok(params)
    }
}

/// Everything [`crate::LocalModel`] needs from a Hugging Face folder besides the weights.
pub(crate) struct HfFolder {
    pub config: HfConfig,
    pub params: Hyperparams,
    pub tokenizer: Tokenizer,
    pub chat_template: Option<String>,
}

impl HfFolder {
    /// Reads the configuration, the tokenizer and the chat template of `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Self, ModelError> {
        let config: HfConfig = read_json(&dir.join("config.json"))?;
        let params = config.hyperparams(dir)?;
        let tokenizer_path = dir.join("tokenizer.json");
        let tokenizer = Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| ModelError::Tokenizer(format!("{}: {e}", tokenizer_path.display())))?;
        let template_path = dir.join("tokenizer_config.json");
        let chat_template = if template_path.is_file() {
            let value: serde_json::Value = read_json(&template_path)?;
            value
                .get("chat_template")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        } else {
            None
        };
        Ok(HfFolder {
            config,
            params,
            tokenizer,
            chat_template,
        })
    }

    /// The weights of `dir`, quantized to Q8_0 where possible if `quantize`.
    pub(crate) fn weights(
        &self,
        dir: &Path,
        quantize: bool,
    ) -> Result<SafetensorsSource, ModelError> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| ModelError::io(dir, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "safetensors"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(ModelError::format(dir, "no .safetensors files"));
        }
        // SAFETY: the files are mapped read-only for the duration of loading; like every
        // reader of model files, we rely on nobody truncating them meanwhile.
        let tensors = unsafe { MmapedSafetensors::multi(&files) }
            .map_err(|e| ModelError::format(dir, e.to_string()))?;
        let names = tensors.tensors().into_iter().map(|(n, _)| n).collect();
        Ok(SafetensorsSource {
            tensors,
            names,
            dir: dir.to_path_buf(),
            params: self.params.clone(),
            llama: self.config.architecture(dir)? == Architecture::Llama,
            tied: self.config.tie_word_embeddings,
            quantize,
        })
    }

    /// End-of-sequence ids from the configuration.
    pub(crate) fn eos_ids(&self) -> Vec<u32> {
        self.config
            .eos_token_id
            .as_ref()
            .map(TokenIds::ids)
            .unwrap_or_default()
    }
}

/// Weights from safetensors files, served under GGUF names.
pub(crate) struct SafetensorsSource {
    tensors: MmapedSafetensors,
    names: HashSet<String>,
    dir: PathBuf,
    params: Hyperparams,
    llama: bool,
    tied: bool,
    quantize: bool,
}

impl TensorSource for SafetensorsSource {
    fn tensor(&mut self, name: &str) -> Result<Option<QTensor>, ModelError> {
        let Some(hf) = hf_name(name) else {
            return Ok(None);
        };
        if (self.tied && name == "output.weight") || !self.names.contains(&hf) {
            return Ok(None);
        }
        let tensor = self
            .tensors
            .load(&hf, &Device::Cpu)
            .and_then(|t| t.to_dtype(DType::F32))
            .map_err(|e| ModelError::format(&self.dir, format!("tensor `{hf}`: {e}")))?;
        let tensor = match permuted_heads(name, &self.params) {
            Some(heads) if self.llama => to_gguf_order(&tensor, heads)?,
            _ => tensor,
        };
        let matrix = tensor.rank() == 2 && tensor.dim(1)?.is_multiple_of(32);
        let dtype = if self.quantize && matrix {
            GgmlDType::Q8_0
        } else {
            GgmlDType::F32
        };
        Ok(Some(QTensor::quantize(&tensor, dtype)?))
    }
}

/// For Llama's query and key tensors, the number of heads their rows are grouped in.
fn permuted_heads(gguf_name: &str, params: &Hyperparams) -> Option<usize> {
    if gguf_name.contains(".attn_q.") {
        Some(params.heads)
    } else if gguf_name.contains(".attn_k.") {
        Some(params.kv_heads)
    } else {
        None
    }
}

/// Rows of each head from `[half, pair]` order (Hugging Face) to `[pair, half]` (GGUF), as
/// llama.cpp's converter does; works on weights (rows × inputs) and biases (rows).
fn to_gguf_order(t: &Tensor, heads: usize) -> candle_core::Result<Tensor> {
    reorder_rows(t, heads, true)
}

/// The inverse of [`to_gguf_order`].
fn to_hf_order(t: &Tensor, heads: usize) -> candle_core::Result<Tensor> {
    reorder_rows(t, heads, false)
}

fn reorder_rows(t: &Tensor, heads: usize, to_gguf: bool) -> candle_core::Result<Tensor> {
    let dims = t.dims().to_vec();
    let rows = dims[0];
    let half = rows / heads / 2;
    let rest: Vec<usize> = dims[1..].to_vec();
    let split = |a: usize, b: usize| {
        let mut shape = vec![heads, a, b];
        shape.extend(&rest);
        shape
    };
    let shape = if to_gguf {
        split(2, half)
    } else {
        split(half, 2)
    };
    t.reshape(shape)?
        .transpose(1, 2)?
        .contiguous()?
        .reshape(dims)
}

/// The Hugging Face name of a GGUF tensor name.
fn hf_name(gguf: &str) -> Option<String> {
    match gguf {
        "token_embd.weight" => return Some("model.embed_tokens.weight".into()),
        "output_norm.weight" => return Some("model.norm.weight".into()),
        "output.weight" => return Some("lm_head.weight".into()),
        _ => {}
    }
    let rest = gguf.strip_prefix("blk.")?;
    let (layer, tail) = rest.split_once('.')?;
    let (part, kind) = tail.rsplit_once('.')?;
    let hf = LAYER_NAMES.iter().find(|(g, _)| *g == part)?.1;
    Some(format!("model.layers.{layer}.{hf}.{kind}"))
}

/// The GGUF name of a Hugging Face tensor name.
fn gguf_name(hf: &str) -> Option<String> {
    match hf {
        "model.embed_tokens.weight" => return Some("token_embd.weight".into()),
        "model.norm.weight" => return Some("output_norm.weight".into()),
        "lm_head.weight" => return Some("output.weight".into()),
        _ => {}
    }
    let rest = hf.strip_prefix("model.layers.")?;
    let (layer, tail) = rest.split_once('.')?;
    let (part, kind) = tail.rsplit_once('.')?;
    let gguf = LAYER_NAMES.iter().find(|(_, h)| *h == part)?.0;
    Some(format!("blk.{layer}.{gguf}.{kind}"))
}

/// Per-layer tensor names: GGUF, Hugging Face.
const LAYER_NAMES: [(&str, &str); 9] = [
    ("attn_norm", "input_layernorm"),
    ("attn_q", "self_attn.q_proj"),
    ("attn_k", "self_attn.k_proj"),
    ("attn_v", "self_attn.v_proj"),
    ("attn_output", "self_attn.o_proj"),
    ("ffn_norm", "post_attention_layernorm"),
    ("ffn_gate", "mlp.gate_proj"),
    ("ffn_up", "mlp.up_proj"),
    ("ffn_down", "mlp.down_proj"),
];

/// Writes a model folder: `config.json`, `tokenizer.json`, `tokenizer_config.json` (with the
/// chat template, if any) and `model.safetensors` with `tensors` under their Hugging Face names
/// (`model.layers.0.self_attn.q_proj.weight`, …; Llama query/key rows in Hugging Face order).
/// Creates `dir` if needed; existing files of those names are replaced. A tensor name that is
/// not a Qwen2/Llama weight is an error (nothing is written).
pub fn write_hf_model(
    dir: &Path,
    config: &HfConfig,
    tensors: &HashMap<String, Tensor>,
    tokenizer: &Tokenizer,
    chat_template: Option<&str>,
) -> Result<(), ModelError> {
    if let Some(name) = tensors.keys().find(|name| gguf_name(name).is_none()) {
        return Err(ModelError::format(
            dir,
            format!("`{name}` is not a Qwen2/Llama weight name"),
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| ModelError::io(dir, e))?;
    write_json(&dir.join("config.json"), config)?;
    let tokenizer_path = dir.join("tokenizer.json");
    tokenizer
        .save(&tokenizer_path, false)
        .map_err(|e| ModelError::Tokenizer(format!("{}: {e}", tokenizer_path.display())))?;
    let mut tokenizer_config = serde_json::Map::new();
    if let Some(template) = chat_template {
        tokenizer_config.insert("chat_template".into(), template.into());
    }
    write_json(&dir.join("tokenizer_config.json"), &tokenizer_config)?;
    let weights = dir.join("model.safetensors");
    candle_core::safetensors::save(tensors, &weights)
        .map_err(|e| ModelError::format(&weights, e.to_string()))
}

/// What a Hugging Face folder needs besides the weights: `config.json`, the tokenizer and the
/// chat template ([`crate::hf_parts`] reads them from a GGUF file or a folder). The trainer
/// uses them to write merged models.
pub struct HfParts {
    /// The model's `config.json` (weights stored as f32).
    pub config: HfConfig,
    /// The tokenizer (built from the GGUF metadata, or the folder's `tokenizer.json`).
    pub tokenizer: Tokenizer,
    /// The chat template, if the file has one.
    pub chat_template: Option<String>,
}

/// The [`HfParts`] of an open `qwen2` or `llama` GGUF file.
pub(crate) fn parts_of(content: &gguf_file::Content, gguf: &Path) -> Result<HfParts, ModelError> {
    let params = Hyperparams::from_gguf(content, gguf)?;
    Ok(HfParts {
        config: config_from_gguf(content, &params, gguf)?,
        tokenizer: tokenizer_from_gguf(content)?,
        chat_template: content
            .metadata
            .get("tokenizer.chat_template")
            .and_then(|v| v.to_string().ok())
            .cloned(),
    })
}

/// Converts a `qwen2` or `llama` GGUF file into a Hugging Face folder with f32 weights
/// (dequantized), its tokenizer and chat template.
pub fn gguf_to_hf(gguf: &Path, dir: &Path) -> Result<(), ModelError> {
    let mut file = std::fs::File::open(gguf).map_err(|e| ModelError::io(gguf, e))?;
    let content =
        gguf_file::Content::read(&mut file).map_err(|e| ModelError::format(gguf, e.to_string()))?;
    let parts = parts_of(&content, gguf)?;
    let params = Hyperparams::from_gguf(&content, gguf)?;
    let mut tensors = HashMap::new();
    for name in content.tensor_infos.keys() {
        let Some(hf) = hf_name(name) else {
            continue;
        };
        let tensor = content
            .tensor(&mut file, name, &Device::Cpu)
            .and_then(|q| q.dequantize(&Device::Cpu))
            .map_err(|e| ModelError::format(gguf, format!("tensor `{name}`: {e}")))?;
        let tensor = match permuted_heads(name, &params) {
            Some(heads) if params.rope_style == RopeStyle::Interleaved => {
                to_hf_order(&tensor, heads)?
            }
            _ => tensor,
        };
        tensors.insert(hf, tensor);
    }
    write_hf_model(
        dir,
        &parts.config,
        &tensors,
        &parts.tokenizer,
        parts.chat_template.as_deref(),
    )
}

/// The `config.json` of a GGUF model (shapes from its tensor table).
fn config_from_gguf(
    content: &gguf_file::Content,
    params: &Hyperparams,
    path: &Path,
) -> Result<HfConfig, ModelError> {
    let rows = |name: &str| -> Result<usize, ModelError> {
        let info = content
            .tensor_infos
            .get(name)
            .ok_or_else(|| ModelError::format(path, format!("tensor `{name}` is missing")))?;
        Ok(info.shape.dims()[0])
    };
    let token = |key: &str| {
        content
            .metadata
            .get(key)
            .and_then(|v| v.to_u32().ok())
            .map(TokenIds::One)
    };
    let qwen = params.rope_style == RopeStyle::Half;
    Ok(HfConfig {
        architectures: vec![
            if qwen {
                "Qwen2ForCausalLM"
            } else {
                "LlamaForCausalLM"
            }
            .into(),
        ],
        model_type: if qwen { "qwen2" } else { "llama" }.into(),
        hidden_size: params.hidden,
        intermediate_size: rows("blk.0.ffn_up.weight")?,
        num_attention_heads: params.heads,
        num_hidden_layers: params.layers,
        num_key_value_heads: Some(params.kv_heads),
        head_dim: Some(params.head_dim),
        rms_norm_eps: params.rms_eps,
        rope_theta: f64::from(params.rope_theta),
        rope_scaling: None,
        max_position_embeddings: params.max_positions,
        vocab_size: rows("token_embd.weight")?,
        tie_word_embeddings: !content.tensor_infos.contains_key("output.weight"),
        attention_bias: (!qwen).then_some(params.attention_bias),
        bos_token_id: token("tokenizer.ggml.bos_token_id"),
        eos_token_id: token("tokenizer.ggml.eos_token_id"),
        torch_dtype: Some("float32".into()),
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ModelError> {
    let text = std::fs::read_to_string(path).map_err(|e| ModelError::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| ModelError::format(path, e.to_string()))
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), ModelError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| ModelError::format(path, e.to_string()))?;
    std::fs::write(path, text).map_err(|e| ModelError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_both_ways() {
        for gguf in [
            "token_embd.weight",
            "output.weight",
            "output_norm.weight",
            "blk.3.attn_q.bias",
            "blk.12.ffn_down.weight",
            "blk.0.attn_norm.weight",
        ] {
            let hf = hf_name(gguf).expect("known");
            assert_eq!(gguf_name(&hf).as_deref(), Some(gguf), "{hf}");
        }
        assert_eq!(
            hf_name("blk.7.attn_output.weight").as_deref(),
            Some("model.layers.7.self_attn.o_proj.weight")
        );
        assert_eq!(hf_name("rope_freqs.weight"), None);
    }

    #[test]
    fn head_rows_reorder_and_back() {
        // Two heads of width 4: HF rows [h][pair][half] become GGUF rows [h][half][pair].
        let t = Tensor::arange(0f32, 16.0, &Device::Cpu)
            .and_then(|t| t.reshape((8, 2)))
            .expect("tensor");
        let gguf = to_gguf_order(&t, 2).expect("reorder");
        let first_column: Vec<f32> = gguf
            .narrow(1, 0, 1)
            .and_then(|c| c.flatten_all())
            .and_then(|c| c.to_vec1())
            .expect("column");
        assert_eq!(first_column, [0., 4., 2., 6., 8., 12., 10., 14.]);
        let back = to_hf_order(&gguf, 2).expect("reorder");
        let same: Vec<f32> = back.flatten_all().and_then(|t| t.to_vec1()).expect("vec");
        assert_eq!(same, (0..16).map(|i| i as f32).collect::<Vec<_>>());
        let bias = Tensor::arange(0f32, 8.0, &Device::Cpu).expect("bias");
        let reordered: Vec<f32> = to_gguf_order(&bias, 2)
            .and_then(|t| t.to_vec1())
            .expect("vec");
        assert_eq!(reordered, [0., 2., 1., 3., 4., 6., 5., 7.]);
    }

    #[test]
    fn config_reads_real_world_fields() {
        let json = r#"{
            "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
            "hidden_size": 896, "intermediate_size": 4864, "num_attention_heads": 14,
            "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06,
            "rope_theta": 1000000.0, "rope_scaling": null, "max_position_embeddings": 32768,
            "vocab_size": 151936, "tie_word_embeddings": true, "eos_token_id": [151645, 151643],
            "use_sliding_window": false, "torch_dtype": "bfloat16"
        }"#;
        let config: HfConfig = serde_json::from_str(json).expect("parse");
        let params = config.hyperparams(Path::new("x")).expect("params");
        assert_eq!((params.head_dim, params.kv_heads), (64, 2));
        assert!(params.attention_bias);
        assert_eq!(params.rope_style, RopeStyle::Half);
        assert_eq!(
            config.eos_token_id.as_ref().map(TokenIds::ids),
            Some(vec![151645, 151643])
        );
        let other = HfConfig {
            architectures: vec!["GPT2LMHeadModel".into()],
            ..config
        };
        assert!(other.hyperparams(Path::new("x")).is_err());
    }
}
