//! Differentiable building blocks. candle's fused kernels for RMSNorm, RoPE and softmax have no
//! backward pass, so these are written with plain tensor ops (which do). The frozen linear layer
//! is a custom op: a plain `x.matmul(w.t())` would make candle's backward compute the (unused)
//! gradient of the frozen weight as well, a third more work per layer.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp1, D, Layout, Result, Shape, Storage, Tensor, bail};

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

/// RMSNorm over the last dimension: `x / sqrt(mean(x²) + eps) * weight`.
pub fn rms_norm(x: &Tensor, weight: &Tensor, eps: f64) -> Result<Tensor> {
    let mean_square = x.sqr()?.mean_keepdim(D::Minus1)?;
    x.broadcast_div(&(mean_square + eps)?.sqrt()?)?
        .broadcast_mul(weight)
}

/// Rotary position embedding, the "rotate half" (GPT-NeoX / Hugging Face) layout: dimension
/// `i` pairs with `i + d/2`. `x`: `[b, heads, t, d]`; `cos`, `sin`: `[t, d/2]`.
pub fn rope(x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
    let half = x.dim(D::Minus1)? / 2;
    let x1 = x.narrow(D::Minus1, 0, half)?;
    let x2 = x.narrow(D::Minus1, half, half)?;
    let first = (x1.broadcast_mul(cos)? - x2.broadcast_mul(sin)?)?;
    let second = (x2.broadcast_mul(cos)? + x1.broadcast_mul(sin)?)?;
    Tensor::cat(&[first, second], D::Minus1)
}

/// Softmax over the last dimension (the max is subtracted for stability, outside the graph).
pub fn softmax_last_dim(x: &Tensor) -> Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?.detach();
    let exp = x.broadcast_sub(&max)?.exp()?;
    exp.broadcast_div(&exp.sum_keepdim(D::Minus1)?)
}

/// Log-softmax over the last dimension.
pub fn log_softmax_last_dim(x: &Tensor) -> Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?.detach();
    let shifted = x.broadcast_sub(&max)?;
    let log_sum = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    shifted.broadcast_sub(&log_sum)
}

/// An additive causal mask `[t, t]`: 0 where a query may attend, -inf above the diagonal.
pub fn causal_mask(t: usize, device: &candle_core::Device) -> Result<Tensor> {
    let values: Vec<f32> = (0..t)
        .flat_map(|i| (0..t).map(move |j| if j > i { f32::NEG_INFINITY } else { 0.0 }))
        .collect();
    Tensor::from_vec(values, (t, t), device)
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

    #[test]
    fn composite_ops_match_candle_kernels() -> Result<()> {
        let dev = Device::Cpu;
        let x = Tensor::randn(0f32, 1., (2, 3, 4, 8), &dev)?;
        let w = Tensor::randn(0f32, 1., 8, &dev)?;
        let norm = candle_nn::ops::rms_norm(&x, &w, 1e-6)?;
        assert!(max_abs_diff(&rms_norm(&x, &w, 1e-6)?, &norm) < 1e-5);
        let soft = candle_nn::ops::softmax_last_dim(&x)?;
        assert!(max_abs_diff(&softmax_last_dim(&x)?, &soft) < 1e-6);
        assert!(max_abs_diff(&log_softmax_last_dim(&x)?, &soft.log()?) < 1e-5);
        let cos = Tensor::randn(0f32, 1., (4, 4), &dev)?;
        let sin = Tensor::randn(0f32, 1., (4, 4), &dev)?;
        let rotated = candle_nn::rotary_emb::rope(&x, &cos, &sin)?;
        assert!(max_abs_diff(&rope(&x, &cos, &sin)?, &rotated) < 1e-5);
        Ok(())
    }

    #[test]
    fn causal_mask_hides_the_future() -> Result<()> {
        let mask = causal_mask(3, &Device::Cpu)?.to_vec2::<f32>()?;
        assert_eq!(mask[0][0], 0.0);
        assert_eq!(mask[0][1], f32::NEG_INFINITY);
        assert_eq!(mask[2], vec![0.0, 0.0, 0.0]);
        Ok(())
    }
}
