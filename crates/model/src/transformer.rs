//! The forward pass of quantized Qwen2 and Llama models, with key/value caches owned by the
//! caller, one per sequence.
//!
//! A call to [`Transformer::forward`] takes any number of sequences, each with its cache and the
//! tokens to append to it: one token when decoding, a whole prompt when prefilling. All their
//! rows go through each projection and MLP matrix as one matrix product, so the weights are read
//! once per step whatever the number of sequences; only attention runs per sequence, against
//! its own cache. Rows never mix: a sequence's logits do not depend on what else is in the
//! call. A prefilled cache is a plain value: clone it to start several samples from one prompt.
//!
//! Conventions (metadata keys, defaults, the rotary embedding variant of each architecture)
//! follow candle-transformers' `quantized_qwen2` and `quantized_llama`.

use crate::ModelError;
use crate::attention::{Heads, LayerCache, attend};
use crate::parallel;
use crate::q8::{self, PackedMatrix};
use candle_core::quantized::{GgmlDType, QMatMul, QTensor, gguf_file};
use candle_core::{DType, Device, Module, Tensor};
use std::path::Path;
use std::sync::Arc;

/// How rotary position embeddings pair up the dimensions of a head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopeStyle {
    /// Dimension `i` rotates with `i + head_dim / 2` (Qwen2, and Llama in Hugging Face layout).
    Half,
    /// Dimension `2i` rotates with `2i + 1` (Llama in GGUF files, whose query and key rows
    /// llama.cpp's converter permutes to match).
    Interleaved,
}

/// The shape of a model: everything the forward pass needs besides the weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Hyperparams {
    /// Transformer blocks.
    pub layers: usize,
    /// Width of the residual stream.
    pub hidden: usize,
    /// Query heads.
    pub heads: usize,
    /// Key/value heads (fewer than `heads` with grouped-query attention).
    pub kv_heads: usize,
    /// Width of one head.
    pub head_dim: usize,
    /// Epsilon of the RMS norms.
    pub rms_eps: f64,
    /// Base of the rotary embedding frequencies.
    pub rope_theta: f32,
    /// Which dimensions rotate together.
    pub rope_style: RopeStyle,
    /// Most positions a sequence may reach.
    pub max_positions: usize,
    /// Whether the query, key and value projections have biases (Qwen2).
    pub attention_bias: bool,
}

impl Hyperparams {
    /// Reads the hyperparameters of a `qwen2` or `llama` GGUF file, with the keys and defaults
    /// candle-transformers uses.
    pub fn from_gguf(content: &gguf_file::Content, path: &Path) -> Result<Self, ModelError> {
        let arch = metadata_string(content, "general.architecture").unwrap_or_default();
        let (rope_style, attention_bias, default_positions) = match arch.as_str() {
            "qwen2" => (RopeStyle::Half, true, None),
            "llama" => (RopeStyle::Interleaved, false, Some(4096)),
            other => {
                return Err(ModelError::format(
                    path,
                    format!("architecture `{other}` is not supported (qwen2, llama)"),
                ));
            }
        };
        let int = |key: &str| -> Result<usize, ModelError> {
            metadata_u32(content, &format!("{arch}.{key}"))
                .map(|v| v as usize)
                .ok_or_else(|| {
                    ModelError::format(path, format!("metadata `{arch}.{key}` is missing"))
                })
        };
        let hidden = int("embedding_length")?;
        let heads = int("attention.head_count")?;
        if heads == 0 || !hidden.is_multiple_of(heads) {
            return Err(ModelError::format(
                path,
                format!("{heads} heads do not divide the width {hidden}"),
            ));
        }
        let head_dim = hidden / heads;
        let rope_dims = int("rope.dimension_count").unwrap_or(head_dim);
        if rope_dims != head_dim {
            return Err(ModelError::format(
                path,
                format!("partial rotary embeddings ({rope_dims} of {head_dim}) are not supported"),
            ));
        }
        let max_positions = match (int("context_length"), default_positions) {
            (Ok(n), _) => n,
            (Err(_), Some(n)) => n,
            (Err(e), None) => return Err(e),
        };
        let rms_eps = content
            .metadata
            .get(&format!("{arch}.attention.layer_norm_rms_epsilon"))
            .and_then(|v| v.to_f32().ok())
            .ok_or_else(|| {
                ModelError::format(path, "metadata `layer_norm_rms_epsilon` is missing")
            })?;
        let rope_theta = content
            .metadata
            .get(&format!("{arch}.rope.freq_base"))
            .and_then(|v| v.to_f32().ok())
            .unwrap_or(10_000.0);
        let params = Hyperparams {
            layers: int("block_count")?,
            hidden,
            heads,
            kv_heads: int("attention.head_count_kv")?,
            head_dim,
            rms_eps: f64::from(rms_eps),
            rope_theta,
            rope_style,
            max_positions,
            attention_bias,
        };
        params.check(path)?;
        Ok(params)
    }

    /// Rejects shapes the forward pass cannot run.
    pub(crate) fn check(&self, path: &Path) -> Result<(), ModelError> {
        if self.kv_heads == 0 || !self.heads.is_multiple_of(self.kv_heads) {
            return Err(ModelError::format(
                path,
                format!(
                    "{} key/value heads do not divide {} heads",
                    self.kv_heads, self.heads
                ),
            ));
        }
        if !self.head_dim.is_multiple_of(2) || self.layers == 0 || self.max_positions == 0 {
            return Err(ModelError::format(
                path,
                "head width must be even, layers and context non-zero",
            ));
        }
        Ok(())
    }
}

/// Where the weights come from: tensors by their GGUF names (`blk.0.attn_q.weight`, …).
pub(crate) trait TensorSource {
    /// The tensor called `name`, or `None` if the model has none by that name.
    fn tensor(&mut self, name: &str) -> Result<Option<QTensor>, ModelError>;
}

/// The tensors of an open GGUF file.
pub(crate) struct GgufSource<'a, R> {
    content: &'a gguf_file::Content,
    reader: &'a mut R,
    path: &'a Path,
}

impl<'a, R: std::io::Read + std::io::Seek> GgufSource<'a, R> {
    /// Reads tensors of `content` from `reader` (the file at `path`).
    pub(crate) fn new(content: &'a gguf_file::Content, reader: &'a mut R, path: &'a Path) -> Self {
        GgufSource {
            content,
            reader,
            path,
        }
    }
}

impl<R: std::io::Read + std::io::Seek> TensorSource for GgufSource<'_, R> {
    fn tensor(&mut self, name: &str) -> Result<Option<QTensor>, ModelError> {
        if !self.content.tensor_infos.contains_key(name) {
            return Ok(None);
        }
        self.content
            .tensor(self.reader, name, &Device::Cpu)
            .map(Some)
            .map_err(|e| ModelError::format(self.path, format!("tensor `{name}`: {e}")))
    }
}

/// A weight matrix, applied to rows: `x · Wᵀ (+ b)`.
struct Linear {
    weight: Weight,
    bias: Option<Tensor>,
}

/// How a weight matrix is multiplied.
enum Weight {
    /// Q8_0 or Q5_0, and Q4_K or Q6_K where our SIMD kernel runs, repacked for batched
    /// products.
    Packed(PackedMatrix),
    /// Other types, through candle.
    Candle(QMatMul),
}

impl Linear {
    fn new(weight: QTensor, bias: Option<QTensor>) -> Result<Self, ModelError> {
        Linear::shared(Arc::new(weight), bias)
    }

    /// A matrix that may also serve elsewhere (tied embeddings).
    fn shared(weight: Arc<QTensor>, bias: Option<QTensor>) -> Result<Self, ModelError> {
        let packed = if q8::faster_than_candle(weight.dtype()) {
            PackedMatrix::from_qtensor(&weight)?
        } else {
            None
        };
        let weight = match packed {
            Some(m) => Weight::Packed(m),
            None => Weight::Candle(QMatMul::from_arc(weight)?),
        };
        Ok(Linear {
            weight,
            bias: bias.map(|b| b.dequantize(&Device::Cpu)).transpose()?,
        })
    }

    /// Applies the matrix to every row of `x` (rows × in) at once.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let y = match &self.weight {
            Weight::Packed(m) => {
                let rows = x.dim(0)?;
                let y = m.matmul(&x.flatten_all()?.to_vec1::<f32>()?, rows)?;
                Tensor::from_vec(y, (rows, m.features()), &Device::Cpu)?
            }
            Weight::Candle(m) => candle_rows(m, x)?,
        };
        match &self.bias {
            Some(b) => y.broadcast_add(b),
            None => Ok(y),
        }
    }
}

/// A product through candle, in panels of at most [`CANDLE_PANEL`] rows: candle's tiled kernels
/// re-read all activation rows for every 16 output features, which stops fitting in cache for
/// long prefills. Single rows are padded to two, except for Q4K: candle picks a different
/// kernel for one-row products of some quantized types (Q6K on x86), whose rounding differs
/// from the multi-row kernel, and a sequence's result must not depend on how many others share
/// its step. Q4K rows go through the same kernel whatever their number (a test checks it), and
/// padding would double the work of a one-row product, which is bound by arithmetic there.
/// (Q4K and Q6K matrices only come here on CPUs without AVX-512 VNNI: elsewhere they are
/// packed, see [`crate::q8`].)
fn candle_rows(weight: &QMatMul, x: &Tensor) -> candle_core::Result<Tensor> {
    let rows = x.dim(0)?;
    if rows > CANDLE_PANEL {
        let panels = (0..rows)
            .step_by(CANDLE_PANEL)
            .map(|start| {
                let len = CANDLE_PANEL.min(rows - start);
                candle_rows(weight, &x.narrow(0, start, len)?.contiguous()?)
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        Tensor::cat(&panels, 0)
    } else if rows == 1 && !same_kernel_for_one_row(weight) {
        let doubled = Tensor::cat(&[x, x], 0)?;
        weight.forward(&doubled)?.narrow(0, 0, 1)
    } else {
        weight.forward(x)
    }
}

/// Most rows per candle product (see [`candle_rows`]).
const CANDLE_PANEL: usize = 128;

/// Whether candle multiplies one row with the kernel (and rounding) it uses for several.
fn same_kernel_for_one_row(weight: &QMatMul) -> bool {
    matches!(weight, QMatMul::QTensor(t) if t.dtype() == GgmlDType::Q4K)
}

/// One transformer block.
struct Block {
    attn_norm: Tensor,
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    ffn_norm: Tensor,
    gate: Linear,
    up: Linear,
    down: Linear,
}

/// Cosines and sines of the rotary embedding for every position, `head_dim / 2` per position.
struct RopeTable {
    cos: Vec<f32>,
    sin: Vec<f32>,
    half: usize,
}

impl RopeTable {
    /// The table candle-transformers computes (same operations, so the same values).
    fn new(params: &Hyperparams) -> Self {
        let half = params.head_dim / 2;
        let freqs: Vec<f32> = (0..params.head_dim)
            .step_by(2)
            .map(|i| 1f32 / params.rope_theta.powf(i as f32 / params.head_dim as f32))
            .collect();
        let mut cos = Vec::with_capacity(params.max_positions * half);
        let mut sin = Vec::with_capacity(params.max_positions * half);
        for pos in 0..params.max_positions {
            for f in &freqs {
                let angle = pos as f32 * f;
                cos.push(angle.cos());
                sin.push(angle.sin());
            }
        }
        RopeTable { cos, sin, half }
    }

    /// Rotates every head of one row (`heads × head_dim` values) to position `pos`.
    fn apply(&self, row: &mut [f32], head_dim: usize, pos: usize, style: RopeStyle) {
        let cos = &self.cos[pos * self.half..(pos + 1) * self.half];
        let sin = &self.sin[pos * self.half..(pos + 1) * self.half];
        for head in row.chunks_exact_mut(head_dim) {
            for i in 0..self.half {
                let (a, b) = match style {
                    RopeStyle::Half => (i, i + self.half),
                    RopeStyle::Interleaved => (2 * i, 2 * i + 1),
                };
                let (x0, x1) = (head[a], head[b]);
                head[a] = x0 * cos[i] - x1 * sin[i];
                head[b] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}

/// The keys and values one sequence has seen, for every layer; positions `0..len()`.
///
/// Cloning copies the cached values, so the clone and the original continue independently.
#[derive(Debug, Clone)]
pub struct KvCache {
    layers: Vec<LayerCache>,
    len: usize,
}

impl KvCache {
    /// Positions cached.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is cached yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// One sequence's part of a forward call: its cache and the tokens that follow it.
pub struct Step<'a> {
    /// The sequence's cache; the tokens are appended to it.
    pub cache: &'a mut KvCache,
    /// The tokens to feed (at least one).
    pub tokens: &'a [u32],
}

/// A quantized Qwen2 or Llama model.
pub struct Transformer {
    params: Hyperparams,
    embeddings: Arc<QTensor>,
    blocks: Vec<Block>,
    norm: Tensor,
    output: Linear,
    rope: RopeTable,
}

impl Transformer {
    /// Loads a `qwen2` or `llama` GGUF model whose header has been read into `content`.
    pub fn from_gguf<R: std::io::Read + std::io::Seek>(
        content: &gguf_file::Content,
        reader: &mut R,
        path: &Path,
    ) -> Result<Self, ModelError> {
        let params = Hyperparams::from_gguf(content, path)?;
        Transformer::load(params, &mut GgufSource::new(content, reader, path), path)
    }

    /// Builds the model from tensors with GGUF names. The output matrix falls back to the
    /// token embeddings when the model ties them.
    pub(crate) fn load(
        params: Hyperparams,
        source: &mut dyn TensorSource,
        path: &Path,
    ) -> Result<Self, ModelError> {
        let mut take = |name: &str| -> Result<QTensor, ModelError> {
            source
                .tensor(name)?
                .ok_or_else(|| ModelError::format(path, format!("tensor `{name}` is missing")))
        };
        let embeddings = Arc::new(take("token_embd.weight")?);
        let norm = take("output_norm.weight")?.dequantize(&Device::Cpu)?;
        let mut blocks = Vec::with_capacity(params.layers);
        for i in 0..params.layers {
            blocks.push(load_block(&params, &mut take, i)?);
        }
        let output = match source.tensor("output.weight")? {
            Some(w) => Linear::new(w, None)?,
            None => Linear::shared(embeddings.clone(), None)?,
        };
        let rope = RopeTable::new(&params);
        Ok(Transformer {
            params,
            embeddings,
            blocks,
            norm,
            output,
            rope,
        })
    }

    /// The model's shape.
    pub fn params(&self) -> &Hyperparams {
        &self.params
    }

    /// An empty cache for a new sequence.
    pub fn new_cache(&self) -> KvCache {
        KvCache {
            layers: vec![LayerCache::new(self.params.kv_heads); self.params.layers],
            len: 0,
        }
    }

    /// Feeds each step's tokens to its sequence and returns, for each step in order, the
    /// logits of the token that follows its last one. Each cache grows by its step's tokens.
    /// After an error the caches involved are in an unspecified state.
    pub fn forward(&self, steps: &mut [Step<'_>]) -> Result<Vec<Vec<f32>>, ModelError> {
        if steps.is_empty() {
            return Ok(Vec::new());
        }
        for step in steps.iter() {
            self.check_step(step)?;
        }
        let ids: Vec<u32> = steps
            .iter()
            .flat_map(|s| s.tokens.iter().copied())
            .collect();
        let rows = ids.len();
        let mut x = self
            .embeddings
            .embedding(&Tensor::from_vec(ids, rows, &Device::Cpu)?)?;
        for (layer, block) in self.blocks.iter().enumerate() {
            x = self.block_forward(block, layer, x, steps)?;
        }
        for step in steps.iter_mut() {
            step.cache.len += step.tokens.len();
        }
        let mut last = Vec::with_capacity(steps.len());
        let mut end = 0u32;
        for step in steps.iter() {
            end += step.tokens.len() as u32;
            last.push(end - 1);
        }
        let x = x.index_select(&Tensor::new(last, &Device::Cpu)?, 0)?;
        let x = candle_nn::ops::rms_norm(&x, &self.norm, self.params.rms_eps as f32)?;
        Ok(self.output.forward(&x)?.to_dtype(DType::F32)?.to_vec2()?)
    }

    fn check_step(&self, step: &Step<'_>) -> Result<(), ModelError> {
        if step.tokens.is_empty() {
            return Err(ModelError::Candle(candle_core::Error::Msg(
                "a forward step needs at least one token".into(),
            )));
        }
        let positions = step.cache.len + step.tokens.len();
        if positions > self.params.max_positions {
            return Err(ModelError::ContextFull {
                positions,
                limit: self.params.max_positions,
            });
        }
        Ok(())
    }

    /// One transformer block over all rows.
    fn block_forward(
        &self,
        block: &Block,
        layer: usize,
        x: Tensor,
        steps: &mut [Step<'_>],
    ) -> candle_core::Result<Tensor> {
        let eps = self.params.rms_eps as f32;
        let h = candle_nn::ops::rms_norm(&x, &block.attn_norm, eps)?;
        let q = block.q.forward(&h)?;
        let k = block.k.forward(&h)?;
        let v = block.v.forward(&h)?;
        let attn = self.attention(layer, steps, &q, &k, &v)?;
        let x = (block.o.forward(&attn)? + x)?;
        let h = candle_nn::ops::rms_norm(&x, &block.ffn_norm, eps)?;
        let gated = (block.gate.forward(&h)?.silu()? * block.up.forward(&h)?)?;
        block.down.forward(&gated)? + x
    }

    /// Rotates the new queries and keys, appends keys and values to each sequence's cache
    /// and attends each row to its sequence's positions up to its own (causal).
    fn attention(
        &self,
        layer: usize,
        steps: &mut [Step<'_>],
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
    ) -> candle_core::Result<Tensor> {
        let p = &self.params;
        let (q_width, kv_width) = (p.heads * p.head_dim, p.kv_heads * p.head_dim);
        let mut q = q.flatten_all()?.to_vec1::<f32>()?;
        let mut k = k.flatten_all()?.to_vec1::<f32>()?;
        let v = v.flatten_all()?.to_vec1::<f32>()?;
        // For each row: its step and how many positions it sees.
        let mut visible = Vec::with_capacity(q.len() / q_width);
        for (index, step) in steps.iter_mut().enumerate() {
            let cache = &mut step.cache.layers[layer];
            for pos in step.cache.len..step.cache.len + step.tokens.len() {
                let r = visible.len();
                let q_row = &mut q[r * q_width..(r + 1) * q_width];
                self.rope.apply(q_row, p.head_dim, pos, p.rope_style);
                let k_row = &mut k[r * kv_width..(r + 1) * kv_width];
                self.rope.apply(k_row, p.head_dim, pos, p.rope_style);
                cache.push(k_row, &v[r * kv_width..(r + 1) * kv_width], p.head_dim);
                visible.push((index, pos + 1));
            }
        }
        let caches: Vec<&LayerCache> = steps.iter().map(|s| &s.cache.layers[layer]).collect();
        let heads = Heads {
            heads: p.heads,
            kv_heads: p.kv_heads,
            head_dim: p.head_dim,
        };
        let mut out = vec![0f32; visible.len() * q_width];
        let longest = visible.iter().map(|&(_, len)| len).max().unwrap_or(0);
        let work_per_row = 2 * longest * q_width;
        parallel::for_each_row(&mut out, q_width, work_per_row, |r, out_row| {
            let (index, len) = visible[r];
            let query = &q[r * q_width..(r + 1) * q_width];
            attend(query, caches[index], len, heads, out_row);
        });
        Tensor::from_vec(out, (visible.len(), q_width), &Device::Cpu)
    }
}

/// Loads block `i`'s tensors.
fn load_block(
    params: &Hyperparams,
    take: &mut dyn FnMut(&str) -> Result<QTensor, ModelError>,
    i: usize,
) -> Result<Block, ModelError> {
    let mut tensor = |name: &str| take(&format!("blk.{i}.{name}"));
    let mut projection = |name: &str| -> Result<Linear, ModelError> {
        let weight = tensor(&format!("{name}.weight"))?;
        let bias = if params.attention_bias {
            Some(tensor(&format!("{name}.bias"))?)
        } else {
            None
        };
        Linear::new(weight, bias)
    };
    let q = projection("attn_q")?;
    let k = projection("attn_k")?;
    let v = projection("attn_v")?;
    let mut plain = |name: &str| Linear::new(take(&format!("blk.{i}.{name}.weight"))?, None);
    Ok(Block {
        q,
        k,
        v,
        o: plain("attn_output")?,
        gate: plain("ffn_gate")?,
        up: plain("ffn_up")?,
        down: plain("ffn_down")?,
        attn_norm: take(&format!("blk.{i}.attn_norm.weight"))?.dequantize(&Device::Cpu)?,
        ffn_norm: take(&format!("blk.{i}.ffn_norm.weight"))?.dequantize(&Device::Cpu)?,
    })
}

fn metadata_u32(content: &gguf_file::Content, key: &str) -> Option<u32> {
    content.metadata.get(key).and_then(|v| v.to_u32().ok())
}

fn metadata_string(content: &gguf_file::Content, key: &str) -> Option<String> {
    content
        .metadata
        .get(key)
        .and_then(|v| v.to_string().ok())
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candle_products_of_a_row_do_not_depend_on_the_other_rows() {
        let (features, inputs) = (64, 512);
        let values: Vec<f32> = (0..features * inputs)
            .map(|i| ((i * 7919 % 1013) as f32 / 1013.0 - 0.5) * (1.0 + (i % 7) as f32))
            .collect();
        let dense = Tensor::from_vec(values, (features, inputs), &Device::Cpu).expect("tensor");
        let x: Vec<f32> = (0..3 * inputs)
            .map(|i| ((i * 104_729 % 997) as f32 / 997.0 - 0.5) * 3.0)
            .collect();
        let x = Tensor::from_vec(x, (3, inputs), &Device::Cpu).expect("tensor");
        for dtype in [GgmlDType::Q4K, GgmlDType::Q6K, GgmlDType::Q8_0] {
            let q = QTensor::quantize(&dense, dtype).expect("quantize");
            let weight = QMatMul::from_qtensor(q).expect("matmul");
            let all: Vec<Vec<f32>> = candle_rows(&weight, &x)
                .and_then(|y| y.to_vec2())
                .expect("rows");
            for (r, expected) in all.iter().enumerate() {
                let alone: Vec<Vec<f32>> = candle_rows(&weight, &x.narrow(0, r, 1).expect("row"))
                    .and_then(|y| y.to_vec2())
                    .expect("row");
                assert_eq!(&alone[0], expected, "{dtype:?} row {r}");
            }
        }
    }

    #[test]
    fn rope_styles_pair_different_dimensions() {
        let params = Hyperparams {
            layers: 1,
            hidden: 4,
            heads: 1,
            kv_heads: 1,
            head_dim: 4,
            rms_eps: 1e-5,
            rope_theta: 10_000.0,
            rope_style: RopeStyle::Half,
            max_positions: 4,
            attention_bias: false,
        };
        let table = RopeTable::new(&params);
        let mut half = [1.0, 0.0, 0.0, 0.0];
        table.apply(&mut half, 4, 1, RopeStyle::Half);
        // Dimension 0 rotates with dimension 2 by one radian.
        assert!((half[0] - 1f32.cos()).abs() < 1e-6 && (half[2] - 1f32.sin()).abs() < 1e-6);
        assert_eq!(half[1], 0.0);
        let mut interleaved = [1.0, 0.0, 0.0, 0.0];
        table.apply(&mut interleaved, 4, 1, RopeStyle::Interleaved);
        assert!((interleaved[1] - 1f32.sin()).abs() < 1e-6);
        assert_eq!(interleaved[2], 0.0);
        // Position 0 is the identity.
        let mut same = [0.3, -0.2, 0.5, 0.7];
        table.apply(&mut same, 4, 0, RopeStyle::Interleaved);
        assert_eq!(same, [0.3, -0.2, 0.5, 0.7]);
    }
}
