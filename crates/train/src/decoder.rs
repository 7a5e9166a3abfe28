//! The trainable decoder: Qwen2 and Llama (SmolLM2) blocks built from a GGUF file or a Hugging
//! Face folder (a merged model) whose weights are dequantized to f32 and frozen. Weights and
//! hyper-parameters are read by the runtime's own reader ([`WeightFiles`]), so training and
//! inference agree on them.
//!
//! Weights are kept in the Hugging Face layout, so adapters and merged weights match the
//! original checkpoints: llama.cpp stores Llama's q/k rows permuted for interleaved RoPE, and
//! loading undoes that permutation (both architectures then use "rotate half" RoPE).

use crate::error::{Result, TrainError};
use crate::lora::{Adapter, Linear, LoraConfig, Mode, Projection};
use crate::ops::{causal_softmax, frozen_linear, rms_norm, rope};
use crate::rng::Rng;
use candle_core::quantized::gguf_file;
use candle_core::{DType, Device, Tensor, Var};
use crucible_model::{Hyperparams, RopeStyle, WeightFiles};
use std::path::Path;

/// The model's hyper-parameters: the runtime's [`Hyperparams`] (an interleaved `rope_style`
/// means llama.cpp permuted the query and key rows, which loading undoes; `attention_bias`
/// means the q, k, v projections have biases).
pub type ModelSpec = Hyperparams;

/// One decoder block.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub(crate) attn_norm: Tensor,
    pub(crate) projections: [Linear; 7],
    pub(crate) mlp_norm: Tensor,
}

impl Block {
    fn projection(&self, p: Projection) -> &Linear {
        &self.projections[p as usize]
    }

    fn forward(
        &self,
        x: &Tensor,
        rope: &Rope,
        spec: &ModelSpec,
        mode: &mut Mode,
    ) -> candle_core::Result<Tensor> {
        let h = rms_norm(x, &self.attn_norm, spec.rms_eps)?;
        let x = (x + self.attention(&h, rope, spec, mode)?)?;
        let h = rms_norm(&x, &self.mlp_norm, spec.rms_eps)?;
        let gate = self
            .projection(Projection::Gate)
            .forward(&h, mode)?
            .silu()?;
        let up = self.projection(Projection::Up).forward(&h, mode)?;
        let down = self
            .projection(Projection::Down)
            .forward(&(gate * up)?, mode)?;
        x + down
    }

    /// Grouped-query attention: the query heads that share a key/value head are stacked along
    /// the sequence axis, so keys and values are never copied.
    fn attention(
        &self,
        x: &Tensor,
        rope_table: &Rope,
        spec: &ModelSpec,
        mode: &mut Mode,
    ) -> candle_core::Result<Tensor> {
        let (b, t, _) = x.dims3()?;
        let (hd, kv) = (spec.head_dim, spec.kv_heads);
        let group = spec.heads / kv;
        let heads = |p: Projection, n: usize, mode: &mut Mode| -> candle_core::Result<Tensor> {
            self.projection(p)
                .forward(x, mode)?
                .reshape((b, t, n, hd))?
                .transpose(1, 2)?
                .contiguous()
        };
        let (cos, sin) = rope_table.get(t)?;
        let q = rope(&heads(Projection::Query, spec.heads, mode)?, &cos, &sin)?;
        let k = rope(&heads(Projection::Key, kv, mode)?, &cos, &sin)?;
        let v = heads(Projection::Value, kv, mode)?;
        let q = q.reshape((b, kv, group * t, hd))?;
        let scores = q.matmul(&k.t()?)?;
        let weights = causal_softmax(&scores, 1.0 / (hd as f64).sqrt())?;
        let y = weights
            .matmul(&v)?
            .reshape((b, spec.heads, t, hd))?
            .transpose(1, 2)?
            .reshape((b, t, spec.heads * hd))?;
        self.projection(Projection::Output).forward(&y, mode)
    }
}

/// Precomputed RoPE angles.
#[derive(Debug, Clone)]
struct Rope {
    /// `[context, head_dim / 2]`.
    cos: Tensor,
    sin: Tensor,
}

impl Rope {
    fn new(spec: &ModelSpec, device: &Device) -> candle_core::Result<Self> {
        let half = spec.head_dim / 2;
        let inv_freq: Vec<f32> = (0..half)
            .map(|i| {
                1.0 / f64::from(spec.rope_theta).powf(2.0 * i as f64 / spec.head_dim as f64) as f32
            })
            .collect();
        let inv_freq = Tensor::from_vec(inv_freq, (1, half), device)?;
        let positions = Tensor::arange(0u32, spec.max_positions as u32, device)?
            .to_dtype(DType::F32)?
            .reshape((spec.max_positions, 1))?;
        let angles = positions.matmul(&inv_freq)?;
        Ok(Rope {
            cos: angles.cos()?,
            sin: angles.sin()?,
        })
    }

    fn get(&self, t: usize) -> candle_core::Result<(Tensor, Tensor)> {
        Ok((self.cos.narrow(0, 0, t)?, self.sin.narrow(0, 0, t)?))
    }
}

/// A decoder with frozen f32 base weights and optional LoRA adapters.
#[derive(Debug, Clone)]
pub struct Decoder {
    spec: ModelSpec,
    pub(crate) embedding: Tensor,
    pub(crate) blocks: Vec<Block>,
    pub(crate) norm: Tensor,
    /// `[vocab, hidden]`: the embedding itself when the model ties them.
    pub(crate) head: Tensor,
    rope: Rope,
}

/// GGUF tensor names of the projections, in [`Projection`] order.
const GGUF_NAMES: [&str; 7] = [
    "attn_q",
    "attn_k",
    "attn_v",
    "attn_output",
    "ffn_gate",
    "ffn_up",
    "ffn_down",
];

impl Decoder {
    /// Builds the model from open model files (`path` names them in errors).
    pub fn from_files(files: &mut WeightFiles, path: &Path) -> Result<Self> {
        let mut loader = Loader { files, path };
        let spec = loader.files.params().clone();
        let embedding = loader.tensor("token_embd.weight")?;
        let head = match loader.optional("output.weight")? {
            Some(head) => head,
            None => embedding.clone(),
        };
        let blocks = (0..spec.layers)
            .map(|i| loader.block(i, &spec))
            .collect::<Result<Vec<_>>>()?;
        let norm = loader.tensor("output_norm.weight")?;
        let rope = Rope::new(&spec, &Device::Cpu)?;
        Ok(Decoder {
            spec,
            embedding,
            blocks,
            norm,
            head,
            rope,
        })
    }

    /// Loads the model from a `.gguf` file or a Hugging Face folder.
    pub fn load(path: &Path) -> Result<Self> {
        let mut files = WeightFiles::open(path)?;
        Decoder::from_files(&mut files, path)
    }

    /// The hyper-parameters.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Final hidden states `[b, t, hidden]` (after the last norm) of `tokens` `[b, t]` (u32).
    pub fn forward(&self, tokens: &Tensor, mode: &mut Mode) -> candle_core::Result<Tensor> {
        let mut x = self.embed(tokens)?;
        for layer in 0..self.blocks.len() {
            x = self.block_forward(layer, &x, mode)?;
        }
        self.final_norm(&x)
    }

    /// Token embeddings `[b, t, hidden]` of `tokens` `[b, t]` (u32): the first block's input.
    pub fn embed(&self, tokens: &Tensor) -> candle_core::Result<Tensor> {
        let (b, t) = tokens.dims2()?;
        if t > self.spec.max_positions {
            candle_core::bail!(
                "sequence of {t} tokens exceeds the context of {}",
                self.spec.max_positions
            )
        }
        self.embedding
            .index_select(&tokens.flatten_all()?, 0)?
            .reshape((b, t, self.spec.hidden))
    }

    /// Block `layer` applied to `x` `[b, t, hidden]`.
    pub fn block_forward(
        &self,
        layer: usize,
        x: &Tensor,
        mode: &mut Mode,
    ) -> candle_core::Result<Tensor> {
        match self.blocks.get(layer) {
            Some(block) => block.forward(x, &self.rope, &self.spec, mode),
            None => candle_core::bail!("no block {layer} (the model has {})", self.blocks.len()),
        }
    }

    /// The norm after the last block.
    pub fn final_norm(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        rms_norm(x, &self.norm, self.spec.rms_eps)
    }

    /// Logits `[.., vocab]` of hidden states `[.., hidden]`.
    pub fn logits(&self, hidden: &Tensor) -> candle_core::Result<Tensor> {
        frozen_linear(hidden, &self.head)
    }

    /// Adds fresh adapters (B = 0) to the configured projections of every block.
    pub fn add_adapters(&mut self, config: &LoraConfig, rng: &mut Rng) -> Result<()> {
        for block in &mut self.blocks {
            for p in Projection::ALL
                .into_iter()
                .filter(|p| config.targets.contains(p))
            {
                let linear = &mut block.projections[p as usize];
                let (in_dim, out_dim) = linear.dims()?;
                linear.adapter = Some(Adapter::init(in_dim, out_dim, config, rng)?);
            }
        }
        Ok(())
    }

    /// Folds every adapter into its projection (`W + scale · B A`) and removes it: the model
    /// then computes what the adapted one did, with plain weights (in the Hugging Face layout).
    pub fn merge_adapters(&mut self) -> Result<()> {
        for linear in self
            .blocks
            .iter_mut()
            .flat_map(|b| b.projections.iter_mut())
        {
            if linear.adapter.is_some() {
                linear.weight = linear.merged_weight()?;
                linear.adapter = None;
            }
        }
        Ok(())
    }

    /// The projection `p` of block `layer`, if there is such a block.
    pub fn projection_mut(&mut self, layer: usize, p: Projection) -> Option<&mut Linear> {
        self.blocks
            .get_mut(layer)
            .map(|b| &mut b.projections[p as usize])
    }

    /// Every adapter with its Hugging Face module path (`model.layers.3.self_attn.q_proj`), in
    /// a fixed order (layer, then projection).
    pub fn adapters(&self) -> Vec<(String, &Adapter)> {
        self.blocks
            .iter()
            .enumerate()
            .flat_map(|(i, block)| {
                Projection::ALL.into_iter().filter_map(move |p| {
                    let adapter = block.projection(p).adapter.as_ref()?;
                    Some((format!("model.layers.{i}.{}", p.hf_path()), adapter))
                })
            })
            .collect()
    }

    /// The trainable variables (A, B of every adapter) in [`Decoder::adapters`] order.
    pub fn trainable_vars(&self) -> Vec<Var> {
        self.adapters()
            .into_iter()
            .flat_map(|(_, a)| [a.a.clone(), a.b.clone()])
            .collect()
    }
}

/// Parses a `.gguf` file's header; returns it with the open file for reading tensors.
pub fn open_gguf(path: &Path) -> Result<(gguf_file::Content, std::fs::File)> {
    let mut file = std::fs::File::open(path).map_err(|e| TrainError::io(path, e))?;
    let content = gguf_file::Content::read(&mut file).map_err(|e| TrainError::Model {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok((content, file))
}

/// Reads the tensors of one model as f32.
struct Loader<'a> {
    files: &'a mut WeightFiles,
    path: &'a Path,
}

impl Loader<'_> {
    fn error(&self, message: String) -> TrainError {
        TrainError::Model {
            path: self.path.to_path_buf(),
            message,
        }
    }

    /// The tensor `name`, if the model has it.
    fn optional(&mut self, name: &str) -> Result<Option<Tensor>> {
        match self.files.tensor(name)? {
            Some(q) => Ok(Some(q.dequantize(&Device::Cpu)?)),
            None => Ok(None),
        }
    }

    fn tensor(&mut self, name: &str) -> Result<Tensor> {
        self.optional(name)?
            .ok_or_else(|| self.error(format!("no tensor `{name}`")))
    }

    fn block(&mut self, i: usize, spec: &ModelSpec) -> Result<Block> {
        let mut projections = Vec::with_capacity(7);
        for (p, gguf) in Projection::ALL.into_iter().zip(GGUF_NAMES) {
            let mut weight = self.tensor(&format!("blk.{i}.{gguf}.weight"))?;
            if spec.rope_style == RopeStyle::Interleaved {
                match p {
                    Projection::Query => weight = unpermute(&weight, spec.heads)?,
                    Projection::Key => weight = unpermute(&weight, spec.kv_heads)?,
                    _ => {}
                }
            }
            let has_bias = spec.attention_bias
                && matches!(p, Projection::Query | Projection::Key | Projection::Value);
            let bias = match has_bias {
                true => Some(self.tensor(&format!("blk.{i}.{gguf}.bias"))?),
                false => None,
            };
            projections.push(Linear::new(weight, bias));
        }
        let projections: [Linear; 7] = projections
            .try_into()
            .map_err(|_| self.error(format!("block {i}: wrong projection count")))?;
        Ok(Block {
            attn_norm: self.tensor(&format!("blk.{i}.attn_norm.weight"))?,
            projections,
            mlp_norm: self.tensor(&format!("blk.{i}.ffn_norm.weight"))?,
        })
    }
}

/// Undoes llama.cpp's q/k row permutation (`convert_hf_to_gguf.py`'s `permute`): within each
/// head, GGUF rows interleave the two rotary halves; Hugging Face keeps them apart.
fn unpermute(weight: &Tensor, heads: usize) -> candle_core::Result<Tensor> {
    let (rows, cols) = weight.dims2()?;
    let half = rows / heads / 2;
    weight
        .reshape((heads, half, 2, cols))?
        .transpose(1, 2)?
        .contiguous()?
        .reshape((rows, cols))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{set_seeded, test_model};
    use candle_core::quantized::{GgmlDType, QTensor};
    use candle_transformers::models::{quantized_llama, quantized_qwen2};
    use std::io::{Read, Seek};

    /// llama.cpp's `permute`, to check that [`unpermute`] inverts it.
    fn permute(weight: &Tensor, heads: usize) -> candle_core::Result<Tensor> {
        let (rows, cols) = weight.dims2()?;
        weight
            .reshape((heads, 2, rows / heads / 2, cols))?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((rows, cols))
    }

    #[test]
    fn unpermute_inverts_llama_cpp_permute() -> candle_core::Result<()> {
        let w = Tensor::arange(0f32, 48., &Device::Cpu)?.reshape((12, 4))?;
        let back = unpermute(&permute(&w, 3)?, 3)?;
        assert_eq!(back.to_vec2::<f32>()?, w.to_vec2::<f32>()?);
        Ok(())
    }

    /// Fresh adapters (B = 0) leave the model's output exactly as it was.
    #[test]
    fn fresh_adapters_leave_logits_unchanged() -> Result<()> {
        let Some(path) = test_model() else {
            return Ok(());
        };
        let base = Decoder::load(&path)?;
        let mut tuned = base.clone();
        tuned.add_adapters(&LoraConfig::default(), &mut Rng::new(4))?;
        assert_eq!(tuned.adapters().len(), 30 * 7);
        let tokens = Tensor::new(&[[1u32, 504, 3458, 282, 4649]], &Device::Cpu)?;
        let logits = |m: &Decoder| -> candle_core::Result<Vec<f32>> {
            m.logits(&m.forward(&tokens, &mut Mode::Eval)?)?
                .flatten_all()?
                .to_vec1()
        };
        assert_eq!(logits(&base)?, logits(&tuned)?);
        let mut rng = Rng::new(5);
        let train = tuned.logits(&tuned.forward(&tokens, &mut Mode::Train(&mut rng))?)?;
        assert_eq!(logits(&base)?, train.flatten_all()?.to_vec1::<f32>()?);
        Ok(())
    }

    /// Merging trained adapters into the weights keeps the logits.
    #[test]
    fn merged_model_matches_the_adapted_one() -> Result<()> {
        let Some(path) = test_model() else {
            return Ok(());
        };
        let mut model = Decoder::load(&path)?;
        model.add_adapters(&LoraConfig::default(), &mut Rng::new(4))?;
        set_seeded(&model.trainable_vars(), 7)?;
        let tokens = Tensor::new(&[[1u32, 504, 3458, 282, 4649]], &Device::Cpu)?;
        let adapted = model.logits(&model.forward(&tokens, &mut Mode::Eval)?)?;
        model.merge_adapters()?;
        assert!(model.adapters().is_empty());
        let merged = model.logits(&model.forward(&tokens, &mut Mode::Eval)?)?;
        let largest = |t: &Tensor| -> candle_core::Result<f32> {
            t.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>()
        };
        // f32 rounding of a different summation order: relative to the logits' scale.
        let diff = largest(&(&adapted - &merged)?)?;
        let scale = largest(&adapted)?;
        assert!(
            diff < 1e-4 * scale,
            "merged logits differ by {diff} (scale {scale})"
        );
        Ok(())
    }

    /// candle's quantized implementations, as a reference.
    enum Reference {
        Qwen2(quantized_qwen2::ModelWeights),
        Llama(quantized_llama::ModelWeights),
    }

    impl Reference {
        fn load<R: Read + Seek>(content: gguf_file::Content, reader: &mut R) -> Result<Self> {
            let arch = content
                .metadata
                .get("general.architecture")
                .map(|v| v.to_string().cloned());
            Ok(match arch.transpose()?.as_deref() {
                Some("qwen2") => Reference::Qwen2(quantized_qwen2::ModelWeights::from_gguf(
                    content,
                    reader,
                    &Device::Cpu,
                )?),
                _ => Reference::Llama(quantized_llama::ModelWeights::from_gguf(
                    content,
                    reader,
                    &Device::Cpu,
                )?),
            })
        }

        /// Next-token logits at every position, one token at a time through the KV cache.
        fn logits(&mut self, tokens: &[u32]) -> candle_core::Result<Vec<Tensor>> {
            let mut out = Vec::new();
            for (pos, &token) in tokens.iter().enumerate() {
                let x = Tensor::new(&[token], &Device::Cpu)?.unsqueeze(0)?;
                let logits = match self {
                    Reference::Qwen2(m) => m.forward(&x, pos)?,
                    Reference::Llama(m) => m.forward(&x, pos)?,
                };
                out.push(logits.squeeze(0)?);
            }
            Ok(out)
        }
    }

    /// The file's tensors all dequantized to F32 (the same weights, dense matmuls), in memory.
    fn dense_copy(path: &Path) -> Result<std::io::Cursor<Vec<u8>>> {
        let (content, mut file) = open_gguf(path)?;
        let mut tensors = Vec::new();
        for name in content.tensor_infos.keys() {
            let t = content
                .tensor(&mut file, name, &Device::Cpu)?
                .dequantize(&Device::Cpu)?;
            tensors.push((name.as_str(), QTensor::quantize(&t, GgmlDType::F32)?));
        }
        let metadata: Vec<_> = content
            .metadata
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        let refs: Vec<_> = tensors.iter().map(|(n, t)| (*n, t)).collect();
        let mut buf = std::io::Cursor::new(Vec::new());
        gguf_file::write(&mut buf, &metadata, &refs)?;
        buf.set_position(0);
        Ok(buf)
    }

    /// How two sets of per-position logits compare.
    struct Agreement {
        max_diff: f32,
        argmax_equal: usize,
        /// Positions where the reference's top two differ by more than twice `max_diff`, so that
        /// the argmax cannot flip within the tolerance.
        decisive: usize,
        decisive_equal: usize,
    }

    fn agreement(ours: &Tensor, reference: &[Tensor]) -> candle_core::Result<Agreement> {
        let mut diffs = Vec::new();
        for (pos, theirs) in reference.iter().enumerate() {
            diffs.push(
                (ours.get(pos)? - theirs)?
                    .abs()?
                    .max(0)?
                    .to_scalar::<f32>()?,
            );
        }
        let max_diff = diffs.iter().copied().fold(0.0, f32::max);
        let mut a = Agreement {
            max_diff,
            argmax_equal: 0,
            decisive: 0,
            decisive_equal: 0,
        };
        for (pos, theirs) in reference.iter().enumerate() {
            let equal = ours.get(pos)?.argmax(0)?.to_scalar::<u32>()?
                == theirs.argmax(0)?.to_scalar::<u32>()?;
            let mut sorted = theirs.to_vec1::<f32>()?;
            sorted.sort_by(|x, y| y.total_cmp(x));
            let decisive = sorted[0] - sorted[1] > 2.0 * max_diff;
            a.argmax_equal += usize::from(equal);
            a.decisive += usize::from(decisive);
            a.decisive_equal += usize::from(decisive && equal);
        }
        Ok(a)
    }

    /// Our model against candle's quantized implementation of the same file: exactly (within
    /// f32 rounding) when candle runs the same weights dense, closely when it runs them quantized
    /// (its quantized matmuls also quantize the activations to 8 bits).
    fn check_against_candle(path: &Path, tokens: &[u32]) -> Result<()> {
        let model = Decoder::load(path)?;
        let input = Tensor::new(tokens, &Device::Cpu)?.unsqueeze(0)?;
        let ours = model
            .logits(&model.forward(&input, &mut Mode::Eval)?)?
            .squeeze(0)?;
        drop(model);

        let mut dense = dense_copy(path)?;
        let content = gguf_file::Content::read(&mut dense)?;
        let exact = agreement(
            &ours,
            &Reference::load(content, &mut dense)?.logits(tokens)?,
        )?;
        drop(dense);
        let (content, mut file) = open_gguf(path)?;
        let quantized = agreement(&ours, &Reference::load(content, &mut file)?.logits(tokens)?)?;
        eprintln!(
            "{}: same weights dense: max |Δlogit| {:.2e}, argmax equal {}/{}; quantized matmuls: \
             max |Δlogit| {:.3}, argmax equal {}/{} ({}/{} where the top two are > 2·Δ apart)",
            path.display(),
            exact.max_diff,
            exact.argmax_equal,
            tokens.len(),
            quantized.max_diff,
            quantized.argmax_equal,
            tokens.len(),
            quantized.decisive_equal,
            quantized.decisive
        );
        assert!(exact.max_diff < 1e-3);
        assert_eq!(exact.argmax_equal, tokens.len());
        assert!(quantized.max_diff < 3.0);
        assert_eq!(quantized.decisive_equal, quantized.decisive);
        assert!(quantized.argmax_equal * 4 >= tokens.len() * 3);
        Ok(())
    }

    /// A short prompt's tokens ("The capital of France is Paris. 2 + 2 = 4"), in the file's
    /// own vocabulary.
    fn prompt_tokens(path: &Path) -> Result<Vec<u32>> {
        let (content, _) = open_gguf(path)?;
        let tokenizer = crucible_model::tokenizer_from_gguf(&content)?;
        let encoding = tokenizer
            .encode("The capital of France is Paris. 2 + 2 = 4", false)
            .map_err(|e| TrainError::Tokenizer(e.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    #[test]
    fn smollm2_logits_match_candle() -> Result<()> {
        let Some(path) = test_model() else {
            return Ok(());
        };
        assert_eq!(
            Decoder::load(&path)?.spec().rope_style,
            RopeStyle::Interleaved
        );
        check_against_candle(&path, &prompt_tokens(&path)?)
    }

    /// The default model (Qwen2.5-Coder-0.5B: biases, 14 query heads over 2 key/value heads).
    /// Needs several GB of memory: run with `--ignored`.
    #[test]
    #[ignore]
    fn qwen2_logits_match_candle() -> Result<()> {
        let dir = crucible_model::default_models_dir();
        let Ok(path) = crucible_model::resolve_model(crucible_model::DEFAULT_MODEL, &dir) else {
            eprintln!(
                "skipping: {} is not downloaded",
                crucible_model::DEFAULT_MODEL
            );
            return Ok(());
        };
        check_against_candle(&path, &prompt_tokens(&path)?)
    }
}
