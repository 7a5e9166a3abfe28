//! LoRA (Hu et al., 2021) as PEFT implements it: a frozen projection `W` plus a trainable
//! low-rank update, `y = x Wᵀ + b + (alpha / r) · dropout(x) Aᵀ Bᵀ`, with `A` `[r, in]` drawn
//! like PyTorch's `kaiming_uniform_(a = √5)` and `B` `[out, r]` zero, so training starts from
//! the base model exactly.

use crate::ops::{frozen_linear, mask_mul};
use crate::rng::Rng;
use candle_core::{DType, Result, Tensor, Var};
use serde::{Deserialize, Serialize};

/// A projection inside a transformer block, by its Hugging Face name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Projection {
    /// Attention query.
    #[serde(rename = "q_proj")]
    Query,
    /// Attention key.
    #[serde(rename = "k_proj")]
    Key,
    /// Attention value.
    #[serde(rename = "v_proj")]
    Value,
    /// Attention output.
    #[serde(rename = "o_proj")]
    Output,
    /// MLP gate.
    #[serde(rename = "gate_proj")]
    Gate,
    /// MLP up.
    #[serde(rename = "up_proj")]
    Up,
    /// MLP down.
    #[serde(rename = "down_proj")]
    Down,
}

impl Projection {
    /// Every projection, in block order.
    pub const ALL: [Projection; 7] = [
        Projection::Query,
        Projection::Key,
        Projection::Value,
        Projection::Output,
        Projection::Gate,
        Projection::Up,
        Projection::Down,
    ];

    /// The Hugging Face module name (`q_proj`, …).
    pub fn hf_name(self) -> &'static str {
        match self {
            Projection::Query => "q_proj",
            Projection::Key => "k_proj",
            Projection::Value => "v_proj",
            Projection::Output => "o_proj",
            Projection::Gate => "gate_proj",
            Projection::Up => "up_proj",
            Projection::Down => "down_proj",
        }
    }

    /// The module path inside a Hugging Face decoder layer (`self_attn.q_proj`, `mlp.up_proj`).
    pub fn hf_path(self) -> String {
        let parent = match self {
            Projection::Query | Projection::Key | Projection::Value | Projection::Output => {
                "self_attn"
            }
            Projection::Gate | Projection::Up | Projection::Down => "mlp",
        };
        format!("{parent}.{}", self.hf_name())
    }

    /// The projection called `name` (`q_proj`, …).
    pub fn from_hf_name(name: &str) -> Option<Projection> {
        Projection::ALL.into_iter().find(|p| p.hf_name() == name)
    }
}

/// Which projections get adapters, and their shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoraConfig {
    /// Rank `r` of the update.
    pub rank: usize,
    /// Scale numerator: the update is multiplied by `alpha / rank`.
    pub alpha: f64,
    /// Dropout probability on the adapter's input during training.
    pub dropout: f32,
    /// Projections that get an adapter.
    pub targets: Vec<Projection>,
}

impl Default for LoraConfig {
    fn default() -> Self {
        LoraConfig {
            rank: 8,
            alpha: 16.0,
            dropout: 0.05,
            targets: Projection::ALL.to_vec(),
        }
    }
}

impl LoraConfig {
    /// `alpha / rank`.
    pub fn scale(&self) -> f64 {
        self.alpha / self.rank as f64
    }
}

/// Whether a forward pass trains (dropout on, graph kept) or only evaluates.
pub enum Mode<'a> {
    /// Training: dropout masks are drawn from this generator.
    Train(&'a mut Rng),
    /// Evaluation: no dropout, adapters detached from the graph.
    Eval,
}

/// The trainable low-rank update of one projection.
#[derive(Debug, Clone)]
pub struct Adapter {
    /// `[r, in]`.
    pub a: Var,
    /// `[out, r]`.
    pub b: Var,
    /// `alpha / r`.
    pub scale: f64,
    /// Dropout probability on the input.
    pub dropout: f32,
}

impl Adapter {
    /// A fresh adapter: `A` uniform in ±1/√in (PyTorch's `kaiming_uniform_(a=√5)`), `B` zero.
    pub fn init(in_dim: usize, out_dim: usize, config: &LoraConfig, rng: &mut Rng) -> Result<Self> {
        let bound = 1.0 / (in_dim as f32).sqrt();
        let values: Vec<f32> = (0..config.rank * in_dim)
            .map(|_| (rng.next_f32() * 2.0 - 1.0) * bound)
            .collect();
        let device = candle_core::Device::Cpu;
        let a = Tensor::from_vec(values, (config.rank, in_dim), &device)?;
        let b = Tensor::zeros((out_dim, config.rank), candle_core::DType::F32, &device)?;
        Adapter::from_tensors(a, b, config)
    }

    /// An adapter holding the given `A` `[r, in]` and `B` `[out, r]` (any float type; kept as f32).
    pub fn from_tensors(a: Tensor, b: Tensor, config: &LoraConfig) -> Result<Self> {
        Ok(Adapter {
            a: Var::from_tensor(&a.to_dtype(DType::F32)?)?,
            b: Var::from_tensor(&b.to_dtype(DType::F32)?)?,
            scale: config.scale(),
            dropout: config.dropout,
        })
    }

    /// `scale · dropout(x) Aᵀ Bᵀ` for `x` `[rows, in]`.
    fn forward(&self, x: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        let (x, a, b) = match mode {
            Mode::Train(rng) => (
                dropout(x, self.dropout, rng)?,
                self.a.as_tensor().clone(),
                self.b.as_tensor().clone(),
            ),
            Mode::Eval => (
                x.clone(),
                self.a.as_tensor().detach(),
                self.b.as_tensor().detach(),
            ),
        };
        (x.matmul(&a.t()?)? * self.scale)?.matmul(&b.t()?)
    }

    /// `scale · B A`, the update as a dense `[out, in]` matrix.
    pub fn delta(&self) -> Result<Tensor> {
        self.b.as_tensor().matmul(self.a.as_tensor())? * self.scale
    }
}

/// Inverted dropout: zero each element with probability `p`, scale the rest by `1/(1-p)`.
fn dropout(x: &Tensor, p: f32, rng: &mut Rng) -> Result<Tensor> {
    if p <= 0.0 {
        return Ok(x.clone());
    }
    let keep = 1.0 / (1.0 - p);
    let mask: Vec<f32> = (0..x.elem_count())
        .map(|_| if rng.next_f32() < p { 0.0 } else { keep })
        .collect();
    mask_mul(x, &Tensor::from_vec(mask, x.shape(), x.device())?)
}

/// A frozen projection (weight `[out, in]`, optional bias), optionally with an adapter.
#[derive(Debug, Clone)]
pub struct Linear {
    /// `[out, in]`.
    pub weight: Tensor,
    /// `[out]` (Qwen2's q/k/v projections).
    pub bias: Option<Tensor>,
    /// The trainable update, if this projection is a target.
    pub adapter: Option<Adapter>,
}

impl Linear {
    /// A projection without an adapter.
    pub fn new(weight: Tensor, bias: Option<Tensor>) -> Self {
        Linear {
            weight,
            bias,
            adapter: None,
        }
    }

    /// `(in, out)` sizes.
    pub fn dims(&self) -> Result<(usize, usize)> {
        let (out_dim, in_dim) = self.weight.dims2()?;
        Ok((in_dim, out_dim))
    }

    /// Applies the projection to `x` `[.., in]`.
    pub fn forward(&self, x: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        let mut y = frozen_linear(x, &self.weight)?;
        if let Some(bias) = &self.bias {
            y = y.broadcast_add(bias)?;
        }
        if let Some(adapter) = &self.adapter {
            let in_dim = x.dim(candle_core::D::Minus1)?;
            let update = adapter.forward(&x.reshape(((), in_dim))?, mode)?;
            let update = update.reshape(y.shape())?;
            y = (y + update)?;
        }
        Ok(y)
    }

    /// The weight with the adapter's update folded in (`W + scale · B A`).
    pub fn merged_weight(&self) -> Result<Tensor> {
        match &self.adapter {
            Some(adapter) => self.weight.add(&adapter.delta()?),
            None => Ok(self.weight.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn projection_names_round_trip() {
        for p in Projection::ALL {
            assert_eq!(Projection::from_hf_name(p.hf_name()), Some(p));
            let json = serde_json::to_string(&p).expect("json");
            assert_eq!(json, format!("\"{}\"", p.hf_name()));
        }
        assert_eq!(Projection::Up.hf_path(), "mlp.up_proj");
        assert_eq!(Projection::Key.hf_path(), "self_attn.k_proj");
    }

    #[test]
    fn fresh_adapter_is_a_no_op_and_merging_matches_the_forward() -> Result<()> {
        let dev = Device::Cpu;
        let config = LoraConfig {
            rank: 2,
            ..LoraConfig::default()
        };
        let mut rng = Rng::new(3);
        let weight = Tensor::randn(0f32, 1., (4, 6), &dev)?;
        let x = Tensor::randn(0f32, 1., (2, 3, 6), &dev)?;
        let mut linear = Linear::new(weight, None);
        let base = linear.forward(&x, &mut Mode::Eval)?;
        linear.adapter = Some(Adapter::init(6, 4, &config, &mut rng)?);
        let a_max = match &linear.adapter {
            Some(adapter) => adapter
                .a
                .as_tensor()
                .abs()?
                .flatten_all()?
                .max(0)?
                .to_scalar::<f32>()?,
            None => panic!("no adapter"),
        };
        assert!(a_max > 0.0 && a_max <= 1.0 / 6f32.sqrt());
        let with_adapter = linear.forward(&x, &mut Mode::Eval)?;
        assert_eq!(base.to_vec3::<f32>()?, with_adapter.to_vec3::<f32>()?);

        if let Some(adapter) = &linear.adapter {
            adapter.b.set(&Tensor::randn(0f32, 1., (4, 2), &dev)?)?;
        }
        let lora = linear.forward(&x, &mut Mode::Eval)?;
        let merged = Linear::new(linear.merged_weight()?, None).forward(&x, &mut Mode::Eval)?;
        let diff = (lora - merged)?
            .abs()?
            .flatten_all()?
            .max(0)?
            .to_scalar::<f32>()?;
        assert!(diff < 1e-4, "merged weight differs by {diff}");
        Ok(())
    }

    #[test]
    fn dropout_zeroes_about_p_and_keeps_the_mean() -> Result<()> {
        let x = Tensor::ones(10_000, candle_core::DType::F32, &Device::Cpu)?;
        let y = dropout(&x, 0.25, &mut Rng::new(5))?.to_vec1::<f32>()?;
        let zeros = y.iter().filter(|v| **v == 0.0).count() as f64 / y.len() as f64;
        let mean = y.iter().sum::<f32>() / y.len() as f32;
        assert!((zeros - 0.25).abs() < 0.02, "{zeros}");
        assert!((mean - 1.0).abs() < 0.03, "{mean}");
        Ok(())
    }
}
