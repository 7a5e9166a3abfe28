//! AdamW with fp32 moments that a checkpoint can save and restore (candle-nn's keeps them
//! private), global gradient-norm clipping, and the learning-rate schedule.

use candle_core::{Result, Tensor, Var};
use serde::{Deserialize, Serialize};

/// AdamW hyper-parameters (PyTorch's defaults but for the weight decay).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdamWConfig {
    /// First-moment decay.
    pub beta1: f64,
    /// Second-moment decay.
    pub beta2: f64,
    /// Added to the second moment's square root.
    pub eps: f64,
    /// Decoupled weight decay (applied as `θ ← θ (1 − lr · decay)`).
    pub weight_decay: f64,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        AdamWConfig {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
        }
    }
}

/// The optimizer's moments for one variable.
#[derive(Debug, Clone)]
pub struct Moments {
    /// Running mean of the gradient.
    pub first: Tensor,
    /// Running mean of the squared gradient.
    pub second: Tensor,
}

/// AdamW (Loshchilov & Hutter), as `torch.optim.AdamW` computes it.
pub struct AdamW {
    vars: Vec<Var>,
    moments: Vec<Moments>,
    steps: usize,
    config: AdamWConfig,
}

impl AdamW {
    /// An optimizer for `vars`, moments at zero.
    pub fn new(vars: Vec<Var>, config: AdamWConfig) -> Result<Self> {
        let moments = vars
            .iter()
            .map(|v| {
                Ok(Moments {
                    first: v.as_tensor().zeros_like()?,
                    second: v.as_tensor().zeros_like()?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(AdamW {
            vars,
            moments,
            steps: 0,
            config,
        })
    }

    /// Updates every variable with its gradient (`grads[i]` belongs to the `i`-th variable).
    pub fn step(&mut self, grads: &[Tensor], lr: f64) -> Result<()> {
        if grads.len() != self.vars.len() {
            candle_core::bail!(
                "{} gradients for {} variables",
                grads.len(),
                self.vars.len()
            )
        }
        self.steps += 1;
        let c = &self.config;
        let bias1 = 1.0 - c.beta1.powi(self.steps as i32);
        let bias2 = 1.0 - c.beta2.powi(self.steps as i32);
        for ((var, moments), grad) in self.vars.iter().zip(&mut self.moments).zip(grads) {
            let first = ((&moments.first * c.beta1)? + (grad * (1.0 - c.beta1))?)?;
            let second = ((&moments.second * c.beta2)? + (grad.sqr()? * (1.0 - c.beta2))?)?;
            let denom = ((&second / bias2)?.sqrt()? + c.eps)?;
            let update = ((&first / bias1)? / denom)?;
            let decayed = (var.as_tensor() * (1.0 - lr * c.weight_decay))?;
            var.set(&(decayed - (update * lr)?)?)?;
            *moments = Moments { first, second };
        }
        Ok(())
    }

    /// Updates taken so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The moments, in variable order.
    pub fn moments(&self) -> &[Moments] {
        &self.moments
    }

    /// Restores a saved state (the moments must match the variables' shapes).
    pub fn restore(&mut self, steps: usize, moments: Vec<Moments>) -> Result<()> {
        if moments.len() != self.vars.len() {
            candle_core::bail!(
                "{} saved moments for {} variables",
                moments.len(),
                self.vars.len()
            )
        }
        for (var, m) in self.vars.iter().zip(&moments) {
            if m.first.shape() != var.shape() || m.second.shape() != var.shape() {
                candle_core::bail!(
                    "saved moments {:?} for a variable {:?}",
                    m.first.shape(),
                    var.shape()
                )
            }
        }
        self.steps = steps;
        self.moments = moments;
        Ok(())
    }
}

/// Scales `grads` so that their global L2 norm is at most `max_norm` (when `max_norm` > 0);
/// returns the norm before clipping.
pub fn clip_grad_norm(grads: &mut [Tensor], max_norm: f64) -> Result<f64> {
    let mut sum_sq = 0.0;
    for g in grads.iter() {
        sum_sq += g.sqr()?.sum_all()?.to_scalar::<f32>()? as f64;
    }
    let norm = sum_sq.sqrt();
    if max_norm > 0.0 && norm > max_norm {
        let scale = max_norm / (norm + 1e-6);
        for g in grads.iter_mut() {
            *g = (&*g * scale)?;
        }
    }
    Ok(norm)
}

/// Linear warm-up to the peak rate, then cosine decay to `final_fraction × peak` at the last
/// step.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Peak learning rate.
    pub peak: f64,
    /// Steps of linear warm-up.
    pub warmup: usize,
    /// All optimizer steps.
    pub total: usize,
    /// The final rate as a fraction of the peak.
    pub final_fraction: f64,
}

impl Schedule {
    /// The rate of update number `step` (0-based).
    pub fn at(&self, step: usize) -> f64 {
        if step < self.warmup {
            return self.peak * (step + 1) as f64 / self.warmup as f64;
        }
        let decay_steps = self
            .total
            .saturating_sub(self.warmup)
            .saturating_sub(1)
            .max(1);
        let progress = ((step - self.warmup) as f64 / decay_steps as f64).min(1.0);
        let cosine = 0.5 * (1.0 + (std::f64::consts::PI * progress).cos());
        self.peak * (self.final_fraction + (1.0 - self.final_fraction) * cosine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn adamw_matches_a_hand_computed_step() -> Result<()> {
        let var = Var::new(&[1.0f32, -2.0], &Device::Cpu)?;
        let config = AdamWConfig {
            weight_decay: 0.1,
            ..AdamWConfig::default()
        };
        let mut opt = AdamW::new(vec![var.clone()], config)?;
        let grad = Tensor::new(&[0.5f32, 0.25], &Device::Cpu)?;
        opt.step(&[grad], 0.01)?;
        // First step: m̂ = g, v̂ = g², update = g / (|g| + eps) ≈ sign(g).
        let got = var.as_tensor().to_vec1::<f32>()?;
        let expected = [1.0 * (1.0 - 0.001) - 0.01, -2.0 * (1.0 - 0.001) - 0.01];
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-6, "{g} vs {e}");
        }
        assert_eq!(opt.steps(), 1);
        let m = opt.moments()[0].first.to_vec1::<f32>()?;
        assert!((m[0] - 0.05).abs() < 1e-7);
        Ok(())
    }

    #[test]
    fn clipping_bounds_the_global_norm() -> Result<()> {
        let mut grads = vec![
            Tensor::new(&[3.0f32], &Device::Cpu)?,
            Tensor::new(&[4.0f32], &Device::Cpu)?,
        ];
        assert!((clip_grad_norm(&mut grads, 1.0)? - 5.0).abs() < 1e-9);
        let after = clip_grad_norm(&mut grads, 0.0)?;
        assert!((after - 1.0).abs() < 1e-5, "{after}");
        Ok(())
    }

    #[test]
    fn schedule_warms_up_then_decays_to_the_floor() {
        let s = Schedule {
            peak: 1.0,
            warmup: 4,
            total: 14,
            final_fraction: 0.1,
        };
        assert_eq!(s.at(0), 0.25);
        assert_eq!(s.at(3), 1.0);
        assert_eq!(s.at(4), 1.0);
        assert!((s.at(13) - 0.1).abs() < 1e-12);
        assert!(s.at(8) < s.at(6) && s.at(6) < 1.0);
        let flat = Schedule {
            warmup: 0,
            total: 1,
            ..s
        };
        assert_eq!(flat.at(0), 1.0);
    }
}
