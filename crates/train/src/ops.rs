//! Differentiable building blocks as fused custom ops. candle's own RMSNorm, RoPE and softmax
//! kernels have no backward pass, and the same layers written with plain tensor ops keep many
//! intermediate tensors alive for the backward pass and compute gradients for every constant
//! operand (a frozen weight, the RoPE tables, a dropout mask, the attention mask). Each op here
//! keeps its constants inside itself, so only its input gets a gradient; a plain
//! `x.matmul(w.t())` would also compute the unused gradient of the frozen weight, a third more
//! work per layer.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp1, D, Layout, Result, Shape, Storage, Tensor, bail};
use rayon::prelude::*;

/// `x @ weightᵀ` for a weight that takes no gradient: only `x` gets one.
struct FrozenMatmul {
    /// `[out, in]`, contiguous.
    weight: Tensor,
}

impl CustomOp1 for FrozenMatmul {
    fn name(&self) -> &'static str {
        "frozen-matmul"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let Some((start, _)) = layout.contiguous_offsets() else {
            bail!("frozen-matmul: the input must be contiguous")
        };
        let (out_dim, in_dim) = self.weight.dims2()?;
        let dims = layout.dims();
        if dims.last() != Some(&in_dim) {
            bail!("frozen-matmul: input {dims:?} does not end in {in_dim}")
        }
        let rows = layout.shape().elem_count() / in_dim;
        let (weight_storage, weight_layout) = self.weight.storage_and_layout();
        let Storage::Cpu(weight) = &*weight_storage else {
            bail!("frozen-matmul: the weight is not on the CPU")
        };
        let lhs = Layout::contiguous_with_offset((rows, in_dim), start);
        let rhs = weight_layout.transpose(0, 1)?;
        let out = storage.matmul(weight, (1, rows, out_dim, in_dim), &lhs, &rhs)?;
        let mut out_dims = dims.to_vec();
        if let Some(last) = out_dims.last_mut() {
            *last = out_dim;
        }
        Ok((out, Shape::from(out_dims)))
    }

    fn bwd(&self, arg: &Tensor, _res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        let out_dim = self.weight.dim(0)?;
        let grad = grad_res
            .reshape(((), out_dim))?
            .matmul(&self.weight)?
            .reshape(arg.shape())?;
        Ok(Some(grad))
    }
}

/// `x @ weightᵀ` (`x`: `[.., in]`, `weight`: `[out, in]`), differentiable in `x` only.
pub fn frozen_linear(x: &Tensor, weight: &Tensor) -> Result<Tensor> {
    let weight = weight.contiguous()?;
    x.contiguous()?.apply_op1(FrozenMatmul { weight })
}

/// The f32 data of a contiguous CPU tensor.
fn f32_slice<'a>(storage: &'a CpuStorage, layout: &Layout) -> Result<&'a [f32]> {
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(&storage.as_slice::<f32>()?[start..end]),
        None => bail!("expected a contiguous tensor"),
    }
}

/// Applies `row_fn(row_index, input_row, output_row)` to each row of the last dimension.
fn map_rows(
    storage: &CpuStorage,
    layout: &Layout,
    row_fn: impl Fn(usize, &[f32], &mut [f32]) + Sync,
) -> Result<(CpuStorage, Shape)> {
    let x = f32_slice(storage, layout)?;
    let width = layout.dims().last().copied().unwrap_or(1).max(1);
    let mut out = vec![0f32; x.len()];
    out.par_chunks_mut(width)
        .zip(x.par_chunks(width))
        .enumerate()
        .for_each(|(row, (y, x))| row_fn(row, x, y));
    Ok((CpuStorage::F32(out), layout.shape().clone()))
}

/// RMSNorm with a frozen weight.
struct RmsNorm {
    weight: Tensor,
    eps: f64,
}

impl CustomOp1 for RmsNorm {
    fn name(&self) -> &'static str {
        "rms-norm"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let (weight_storage, weight_layout) = self.weight.storage_and_layout();
        let Storage::Cpu(weight) = &*weight_storage else {
            bail!("rms-norm: the weight is not on the CPU")
        };
        let w = f32_slice(weight, weight_layout)?;
        let eps = self.eps as f32;
        map_rows(storage, layout, |_, x, y| {
            let mean_square = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
            let r = 1.0 / (mean_square + eps).sqrt();
            for ((y, x), w) in y.iter_mut().zip(x).zip(w) {
                *y = x * r * w;
            }
        })
    }

    /// With `r = 1/√(mean(x²)+eps)` and `h = g ⊙ w`: `dx = r h − x r³ mean(h ⊙ x)`.
    fn bwd(&self, x: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let r = (x.sqr()?.mean_keepdim(D::Minus1)? + self.eps)?
            .sqrt()?
            .recip()?;
        let h = grad.broadcast_mul(&self.weight)?;
        let dot = (&h * x)?.mean_keepdim(D::Minus1)?;
        let dx = (h.broadcast_mul(&r)? - x.broadcast_mul(&(dot * r.powf(3.0)?)?)?)?;
        Ok(Some(dx))
    }
}

/// RMSNorm over the last dimension: `x / sqrt(mean(x²) + eps) * weight` (`weight` frozen).
pub fn rms_norm(x: &Tensor, weight: &Tensor, eps: f64) -> Result<Tensor> {
    let weight = weight.contiguous()?;
    x.contiguous()?.apply_op1(RmsNorm { weight, eps })
}

/// Rotary embedding of `[b, heads, t, d]` rows (position = row index mod `t`).
struct Rope {
    /// `[t, d/2]`, contiguous.
    cos: Tensor,
    sin: Tensor,
    /// Rotate backwards (the transpose, used for the gradient).
    inverse: bool,
}

impl CustomOp1 for Rope {
    fn name(&self) -> &'static str {
        "rope"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let (cos_storage, cos_layout) = self.cos.storage_and_layout();
        let (sin_storage, sin_layout) = self.sin.storage_and_layout();
        let (Storage::Cpu(cos), Storage::Cpu(sin)) = (&*cos_storage, &*sin_storage) else {
            bail!("rope: tables are not on the CPU")
        };
        let (cos, sin) = (f32_slice(cos, cos_layout)?, f32_slice(sin, sin_layout)?);
        let (t, half) = self.cos.dims2()?;
        let sign = if self.inverse { -1.0 } else { 1.0 };
        map_rows(storage, layout, |row, x, y| {
            let pos = row % t;
            let (c, s) = (&cos[pos * half..][..half], &sin[pos * half..][..half]);
            let (x1, x2) = x.split_at(half);
            let (y1, y2) = y.split_at_mut(half);
            for i in 0..half {
                let s = sign * s[i];
                y1[i] = x1[i] * c[i] - x2[i] * s;
                y2[i] = x2[i] * c[i] + x1[i] * s;
            }
        })
    }

    fn bwd(&self, _x: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let inverse = Rope {
            cos: self.cos.clone(),
            sin: self.sin.clone(),
            inverse: !self.inverse,
        };
        Ok(Some(grad.contiguous()?.apply_op1_no_bwd(&inverse)?))
    }
}

/// Rotary position embedding, the "rotate half" (GPT-NeoX / Hugging Face) layout: dimension
/// `i` pairs with `i + d/2`. `x`: `[b, heads, t, d]`; `cos`, `sin`: `[t, d/2]`.
pub fn rope(x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
    let (_, _, t, d) = x.dims4()?;
    if cos.dims() != [t, d / 2] || sin.dims() != [t, d / 2] {
        bail!("rope: tables {:?} for input {:?}", cos.dims(), x.dims())
    }
    x.contiguous()?.apply_op1(Rope {
        cos: cos.contiguous()?,
        sin: sin.contiguous()?,
        inverse: false,
    })
}

/// Causal softmax of attention scores: row `r` of the last two dimensions is query position
/// `r mod t` (`t` = the last dimension), which sees keys `0..=r mod t`.
struct CausalSoftmax {
    scale: f32,
}

impl CustomOp1 for CausalSoftmax {
    fn name(&self) -> &'static str {
        "causal-softmax"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let scale = self.scale;
        map_rows(storage, layout, |row, x, y| {
            let visible = &x[..=row % x.len()];
            let max = visible.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for (y, x) in y.iter_mut().zip(visible) {
                *y = ((x - max) * scale).exp();
                sum += *y;
            }
            for y in &mut y[..visible.len()] {
                *y /= sum;
            }
        })
    }

    /// `dx = scale · y ⊙ (g − Σ g ⊙ y)`.
    fn bwd(&self, _x: &Tensor, y: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let dot = (grad * y)?.sum_keepdim(D::Minus1)?;
        Ok(Some(
            (grad.broadcast_sub(&dot)? * y)?.affine(self.scale as f64, 0.0)?,
        ))
    }
}

/// `softmax(scores · scale)` with future keys masked out (see [`CausalSoftmax`]); `scores` is
/// `[.., rows, t]` with rows in blocks of `t` query positions.
pub fn causal_softmax(scores: &Tensor, scale: f64) -> Result<Tensor> {
    scores.contiguous()?.apply_op1(CausalSoftmax {
        scale: scale as f32,
    })
}

/// `x ⊙ mask` for a constant mask (dropout): only `x` gets a gradient.
struct MaskMul {
    mask: Tensor,
}

impl CustomOp1 for MaskMul {
    fn name(&self) -> &'static str {
        "mask-mul"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let (mask_storage, mask_layout) = self.mask.storage_and_layout();
        let Storage::Cpu(mask) = &*mask_storage else {
            bail!("mask-mul: the mask is not on the CPU")
        };
        let (x, mask) = (f32_slice(storage, layout)?, f32_slice(mask, mask_layout)?);
        if x.len() != mask.len() {
            bail!("mask-mul: {} values, {} mask entries", x.len(), mask.len())
        }
        let out = x.iter().zip(mask).map(|(x, m)| x * m).collect();
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }

    fn bwd(&self, _x: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some((grad * &self.mask)?))
    }
}

/// `x ⊙ mask` (same shapes), differentiable in `x` only.
pub fn mask_mul(x: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let mask = mask.contiguous()?;
    x.contiguous()?.apply_op1(MaskMul { mask })
}

/// Log-softmax over the last dimension.
pub fn log_softmax_last_dim(x: &Tensor) -> Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?.detach();
    let shifted = x.broadcast_sub(&max)?;
    let log_sum = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    shifted.broadcast_sub(&log_sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .and_then(|d| d.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>())
            .expect("difference")
    }

    #[test]
    fn frozen_linear_matches_matmul_forward_and_input_gradient() -> Result<()> {
        let dev = Device::Cpu;
        let x = Var::from_tensor(&Tensor::randn(0f32, 1., (2, 3, 5), &dev)?)?;
        let w = Tensor::randn(0f32, 1., (4, 5), &dev)?;
        let ours = frozen_linear(x.as_tensor(), &w)?;
        let reference = x.as_tensor().broadcast_matmul(&w.t()?)?;
        assert!(max_abs_diff(&ours, &reference) < 1e-5);
        let g_ours = ours.sqr()?.sum_all()?.backward()?;
        let g_ref = reference.sqr()?.sum_all()?.backward()?;
        let (a, b) = (g_ours.get(&x).expect("grad"), g_ref.get(&x).expect("grad"));
        assert!(max_abs_diff(a, b) < 1e-4);
        Ok(())
    }

    /// `f` and `reference` agree in value and in the gradient of a random projection of
    /// their output with respect to `x`.
    fn check(
        x: &Tensor,
        f: impl Fn(&Tensor) -> Result<Tensor>,
        reference: impl Fn(&Tensor) -> Result<Tensor>,
    ) -> Result<()> {
        let x = Var::from_tensor(x)?;
        let (ours, theirs) = (f(x.as_tensor())?, reference(x.as_tensor())?);
        assert!(
            max_abs_diff(&ours, &theirs) < 1e-5,
            "values differ by {}",
            max_abs_diff(&ours, &theirs)
        );
        let probe = Tensor::randn(0f32, 1., ours.shape(), x.device())?;
        let g_ours = (ours * &probe)?.sum_all()?.backward()?;
        let g_ref = (theirs * &probe)?.sum_all()?.backward()?;
        let (a, b) = (g_ours.get(&x).expect("grad"), g_ref.get(&x).expect("grad"));
        assert!(
            max_abs_diff(a, b) < 1e-4,
            "gradients differ by {}",
            max_abs_diff(a, b)
        );
        Ok(())
    }

    #[test]
    fn rms_norm_matches_its_definition() -> Result<()> {
        let x = Tensor::randn(0f32, 1., (2, 3, 8), &Device::Cpu)?;
        let w = Tensor::randn(0f32, 1., 8, &Device::Cpu)?;
        let reference = |x: &Tensor| {
            let mean_square = x.sqr()?.mean_keepdim(D::Minus1)?;
            x.broadcast_div(&(mean_square + 1e-6)?.sqrt()?)?
                .broadcast_mul(&w)
        };
        check(&x, |x| rms_norm(x, &w, 1e-6), reference)?;
        let candle = candle_nn::ops::rms_norm(&x, &w, 1e-6)?;
        assert!(max_abs_diff(&rms_norm(&x, &w, 1e-6)?, &candle) < 1e-5);
        Ok(())
    }

    #[test]
    fn rope_matches_candle_and_rotating_half() -> Result<()> {
        let dev = Device::Cpu;
        let x = Tensor::randn(0f32, 1., (2, 3, 4, 8), &dev)?;
        let angles = Tensor::randn(0f32, 1., (4, 4), &dev)?;
        let (cos, sin) = (angles.cos()?, angles.sin()?);
        let reference = |x: &Tensor| {
            let x1 = x.narrow(D::Minus1, 0, 4)?;
            let x2 = x.narrow(D::Minus1, 4, 4)?;
            let first = (x1.broadcast_mul(&cos)? - x2.broadcast_mul(&sin)?)?;
            let second = (x2.broadcast_mul(&cos)? + x1.broadcast_mul(&sin)?)?;
            Tensor::cat(&[first, second], D::Minus1)
        };
        check(&x, |x| rope(x, &cos, &sin), reference)?;
        let candle = candle_nn::rotary_emb::rope(&x, &cos, &sin)?;
        assert!(max_abs_diff(&rope(&x, &cos, &sin)?, &candle) < 1e-5);
        Ok(())
    }

    #[test]
    fn causal_softmax_matches_a_masked_softmax() -> Result<()> {
        let dev = Device::Cpu;
        // [b, kv heads, group × t, t] with t = 4, two query heads per key/value head.
        let x = Tensor::randn(0f32, 1., (2, 1, 8, 4), &dev)?;
        let mask: Vec<f32> = (0..4)
            .flat_map(|i| (0..4).map(move |j| if j > i { f32::NEG_INFINITY } else { 0.0 }))
            .collect();
        let mask = Tensor::from_vec(mask, (4, 4), &dev)?;
        let reference = |x: &Tensor| {
            let masked = (x * 0.5)?.reshape((2, 1, 2, 4, 4))?.broadcast_add(&mask)?;
            candle_nn::ops::softmax(&masked, D::Minus1)?.reshape((2, 1, 8, 4))
        };
        check(&x, |x| causal_softmax(x, 0.5), reference)
    }

    #[test]
    fn mask_mul_multiplies() -> Result<()> {
        let x = Tensor::randn(0f32, 1., (3, 5), &Device::Cpu)?;
        let mask = Tensor::randn(0f32, 1., (3, 5), &Device::Cpu)?;
        check(&x, |x| mask_mul(x, &mask), |x| x * &mask)
    }
}
