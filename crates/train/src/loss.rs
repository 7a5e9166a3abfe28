//! The completion-only loss: the summed negative log-likelihood of the scored positions of a
//! [`Batch`]. Logits are computed only for scored positions, a chunk at a time: the backward
//! pass first takes the gradient of each chunk's loss with respect to the final hidden states
//! (so no full `[tokens, vocab]` logits tensor, nor its graph, is ever alive), then pushes
//! those gradients through the network in one pass.

use crate::data::Batch;
use crate::lora::Mode;
use crate::model::Transformer;
use crate::ops::log_softmax_last_dim;
use crate::rng::Rng;
use candle_core::backprop::GradStore;
use candle_core::{Device, Result, Tensor, Var};

/// Scored positions whose logits are computed together.
const CHUNK: usize = 128;

/// Final hidden states of the scored positions `[n, hidden]`, and their targets `[n]`.
fn scored_hidden(model: &Transformer, batch: &Batch, mode: &mut Mode) -> Result<(Tensor, Tensor)> {
    let device = Device::Cpu;
    let inputs = Tensor::from_slice(&batch.inputs, (batch.rows, batch.len), &device)?;
    let hidden = model.forward(&inputs, mode)?;
    let hidden = hidden.reshape((batch.rows * batch.len, hidden.dim(2)?))?;
    let (positions, targets): (Vec<u32>, Vec<u32>) = (0..batch.scored.len())
        .filter(|&i| batch.scored[i])
        .map(|i| (i as u32, batch.targets[i]))
        .unzip();
    let n = positions.len();
    let rows = hidden.index_select(&Tensor::from_vec(positions, n, &device)?, 0)?;
    Ok((rows, Tensor::from_vec(targets, n, &device)?))
}

/// `-Σ log p(target)` over rows of hidden states (a scalar tensor).
fn nll(model: &Transformer, hidden: &Tensor, targets: &Tensor) -> Result<Tensor> {
    let log_probs = log_softmax_last_dim(&model.logits(hidden)?)?;
    log_probs
        .gather(&targets.unsqueeze(1)?, 1)?
        .sum_all()?
        .neg()
}

/// The summed negative log-likelihood of the batch's scored tokens, without gradients.
pub fn eval_nll(model: &Transformer, batch: &Batch) -> Result<f64> {
    let (hidden, targets) = scored_hidden(model, batch, &mut Mode::Eval)?;
    let mut total = 0.0;
    for start in (0..targets.dim(0)?).step_by(CHUNK) {
        let len = CHUNK.min(targets.dim(0)? - start);
        let chunk = nll(
            model,
            &hidden.narrow(0, start, len)?,
            &targets.narrow(0, start, len)?,
        )?;
        total += chunk.to_scalar::<f32>()? as f64;
    }
    Ok(total)
}

/// The summed negative log-likelihood of the batch's scored tokens (dropout drawn from `rng`),
/// and the gradients of `weight ×` that sum.
pub fn train_nll(
    model: &Transformer,
    batch: &Batch,
    rng: &mut Rng,
    weight: f64,
) -> Result<(f64, GradStore)> {
    let (hidden, targets) = scored_hidden(model, batch, &mut Mode::Train(rng))?;
    let mut total = 0.0;
    let mut hidden_grads = Vec::new();
    for start in (0..targets.dim(0)?).step_by(CHUNK) {
        let len = CHUNK.min(targets.dim(0)? - start);
        let leaf = Var::from_tensor(&hidden.narrow(0, start, len)?.detach())?;
        let chunk = nll(model, leaf.as_tensor(), &targets.narrow(0, start, len)?)?;
        total += chunk.to_scalar::<f32>()? as f64;
        let grads = (chunk * weight)?.backward()?;
        match grads.get(&leaf) {
            Some(g) => hidden_grads.push(g.clone()),
            None => candle_core::bail!("the loss does not depend on the hidden states"),
        }
    }
    let surrogate = (hidden * Tensor::cat(&hidden_grads, 0)?)?.sum_all()?;
    Ok((total, surrogate.backward()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TrainError;
    use crate::data::Example;
    use crate::lora::LoraConfig;
    use crate::testutil::test_model;

    fn model() -> crate::Result<Option<Transformer>> {
        let Some(path) = test_model() else {
            return Ok(None);
        };
        Ok(Some(Transformer::load(&path)?))
    }

    fn batch() -> Batch {
        let a = Example {
            tokens: vec![1, 504, 3458, 282, 4649, 314, 253, 1345, 28, 2],
            prompt_len: 6,
        };
        let b = Example {
            tokens: vec![1, 30, 216, 16, 2366, 2],
            prompt_len: 3,
        };
        Batch::new(&[&a, &b], 2)
    }

    /// The loss is the mean over exactly the completion positions, computed from full logits.
    #[test]
    fn loss_scores_only_completion_positions() -> crate::Result<()> {
        let Some(model) = model()? else { return Ok(()) };
        let batch = batch();
        let ours = eval_nll(&model, &batch)?;
        let inputs = Tensor::from_slice(&batch.inputs, (batch.rows, batch.len), &Device::Cpu)?;
        let log_probs =
            log_softmax_last_dim(&model.logits(&model.forward(&inputs, &mut Mode::Eval)?)?)?
                .reshape((batch.rows * batch.len, ()))?
                .to_vec2::<f32>()?;
        let expected: f64 = (0..batch.scored.len())
            .filter(|&i| batch.scored[i])
            .map(|i| -log_probs[i][batch.targets[i] as usize] as f64)
            .sum();
        assert!(
            (ours - expected).abs() < 1e-3 * expected,
            "{ours} vs {expected}"
        );

        // Labels at prompt (and padding) positions do not matter…
        let mut relabelled = batch.clone();
        for i in 0..relabelled.targets.len() {
            if !relabelled.scored[i] {
                relabelled.targets[i] = (relabelled.targets[i] + 1000 + i as u32) % 49_152;
            }
        }
        assert_eq!(eval_nll(&model, &relabelled)?, ours);
        let mut rng = Rng::new(0);
        let (train_loss, _) = train_nll(&model, &relabelled, &mut rng, 1.0)?;
        assert_eq!(train_loss, ours);
        // …labels at completion positions do.
        let first = relabelled
            .scored
            .iter()
            .position(|s| *s)
            .ok_or(TrainError::Config("no scored position".into()))?;
        relabelled.targets[first] += 1;
        assert_ne!(eval_nll(&model, &relabelled)?, ours);
        Ok(())
    }

    /// The chunked backward pass gives the gradients of a plain one.
    #[test]
    fn chunked_gradients_match_direct_backprop() -> crate::Result<()> {
        let Some(mut model) = model()? else {
            return Ok(());
        };
        let config = LoraConfig {
            dropout: 0.0,
            ..LoraConfig::default()
        };
        model.add_adapters(&config, &mut Rng::new(1))?;
        for var in model.trainable_vars() {
            var.set(&Tensor::randn(0f32, 0.02, var.shape(), &Device::Cpu)?)?;
        }
        let batch = batch();
        let (_, chunked) = train_nll(&model, &batch, &mut Rng::new(0), 0.5)?;
        let (hidden, targets) = scored_hidden(&model, &batch, &mut Mode::Train(&mut Rng::new(0)))?;
        let direct = (nll(&model, &hidden, &targets)? * 0.5)?.backward()?;
        for var in model.trainable_vars() {
            let (a, b) = (chunked.get(&var), direct.get(&var));
            let (Some(a), Some(b)) = (a, b) else {
                panic!("missing gradient")
            };
            let diff = (a - b)?.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>()?;
            let scale = b.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>()?;
            assert!(diff <= 1e-4 * scale.max(1e-3), "{diff} vs {scale}");
        }
        Ok(())
    }
}
