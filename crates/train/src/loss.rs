//! The completion-only loss: the summed negative log-likelihood of the scored positions of a
//! [`Batch`]. Logits are computed only for scored positions, a chunk at a time: the backward
//! pass first takes the gradient of each chunk's loss with respect to the final hidden states
//! (so no full `[tokens, vocab]` logits tensor, nor its graph, is ever alive), then pushes
//! those gradients through the network in one pass.

use crate::data::Batch;
use crate::decoder::Decoder;
use crate::lora::Mode;
use crate::ops::log_softmax_last_dim;
use crate::rng::Rng;
use candle_core::backprop::GradStore;
use candle_core::{Device, Result, Tensor, Var};

/// Scored positions whose logits are computed together.
const CHUNK: usize = 128;

/// Sums of gradients over several backward passes, for a fixed list of variables.
pub struct GradSum {
    vars: Vec<Var>,
    sums: Vec<Option<Tensor>>,
}

impl GradSum {
    /// Empty sums for `vars`.
    pub fn new(vars: Vec<Var>) -> Self {
        let sums = vec![None; vars.len()];
        GradSum { vars, sums }
    }

    /// Adds the gradients `store` holds for the variables.
    pub fn add(&mut self, store: &GradStore) -> Result<()> {
        for (sum, var) in self.sums.iter_mut().zip(&self.vars) {
            if let Some(g) = store.get(var) {
                *sum = Some(match sum.take() {
                    Some(s) => (s + g)?,
                    None => g.clone(),
                });
            }
        }
        Ok(())
    }

    /// The sums in variable order (zero for a variable no pass reached).
    pub fn into_tensors(self) -> Result<Vec<Tensor>> {
        self.sums
            .into_iter()
            .zip(&self.vars)
            .map(|(g, v)| g.map_or_else(|| v.as_tensor().zeros_like(), Ok))
            .collect()
    }
}

/// The batch's input tokens `[rows, len]`.
fn inputs(batch: &Batch) -> Result<Tensor> {
    Tensor::from_slice(&batch.inputs, (batch.rows, batch.len), &Device::Cpu)
}

/// The scored positions: their flat indices `[n]`, targets `[n]` and loss weights `[n]`.
fn scored_positions(batch: &Batch) -> Result<(Tensor, Targets)> {
    let scored: Vec<usize> = (0..batch.scored.len())
        .filter(|&i| batch.scored[i])
        .collect();
    let n = scored.len();
    let positions = scored.iter().map(|&i| i as u32).collect();
    let targets = scored.iter().map(|&i| batch.targets[i]).collect();
    let weights = scored.iter().map(|&i| batch.weights[i]).collect();
    Ok((
        Tensor::from_vec(positions, n, &Device::Cpu)?,
        Targets {
            ids: Tensor::from_vec(targets, n, &Device::Cpu)?,
            weights: Tensor::from_vec(weights, n, &Device::Cpu)?,
        },
    ))
}

/// Next-token targets `[n]` and the weight of each in the loss `[n]`.
#[derive(Clone)]
struct Targets {
    ids: Tensor,
    weights: Tensor,
}

impl Targets {
    fn len(&self) -> Result<usize> {
        self.ids.dim(0)
    }

    fn narrow(&self, start: usize, len: usize) -> Result<Targets> {
        Ok(Targets {
            ids: self.ids.narrow(0, start, len)?,
            weights: self.weights.narrow(0, start, len)?,
        })
    }
}

/// The rows of `hidden` `[b, t, h]` at flat `positions`: `[n, h]`.
fn rows_at(hidden: &Tensor, positions: &Tensor) -> Result<Tensor> {
    let (b, t, h) = hidden.dims3()?;
    hidden.reshape((b * t, h))?.index_select(positions, 0)
}

/// `-Σ weight × log p(target)` over rows of final hidden states (a scalar tensor).
fn nll(model: &Decoder, hidden: &Tensor, targets: &Targets) -> Result<Tensor> {
    let log_probs = log_softmax_last_dim(&model.logits(hidden)?)?;
    log_probs
        .gather(&targets.ids.unsqueeze(1)?, 1)?
        .squeeze(1)?
        .mul(&targets.weights)?
        .sum_all()?
        .neg()
}

/// Calls `f(rows, targets)` on successive chunks of at most [`CHUNK`] rows.
fn for_chunks(
    rows: &Tensor,
    targets: &Targets,
    mut f: impl FnMut(Tensor, Targets) -> Result<()>,
) -> Result<()> {
    let n = targets.len()?;
    for start in (0..n).step_by(CHUNK) {
        let len = CHUNK.min(n - start);
        f(rows.narrow(0, start, len)?, targets.narrow(start, len)?)?;
    }
    Ok(())
}

/// The summed negative log-likelihood of the batch's scored tokens, without gradients.
pub fn eval_nll(model: &Decoder, batch: &Batch) -> Result<f64> {
    let (positions, targets) = scored_positions(batch)?;
    let rows = rows_at(
        &model.forward(&inputs(batch)?, &mut Mode::Eval)?,
        &positions,
    )?;
    let mut total = 0.0;
    for_chunks(&rows, &targets, |rows, targets| {
        total += nll(model, &rows, &targets)?.to_scalar::<f32>()? as f64;
        Ok(())
    })?;
    Ok(total)
}

/// The NLL of final hidden `rows` and the gradient of `weight × NLL` with respect to them,
/// computed a chunk at a time so that only one chunk's logits exist at once.
fn head_gradient(
    model: &Decoder,
    rows: &Tensor,
    targets: &Targets,
    weight: f64,
) -> Result<(f64, Tensor)> {
    let mut total = 0.0;
    let mut grads = Vec::new();
    for_chunks(rows, targets, |rows, targets| {
        let leaf = Var::from_tensor(&rows.detach())?;
        let chunk = nll(model, leaf.as_tensor(), &targets)?;
        total += chunk.to_scalar::<f32>()? as f64;
        match (chunk * weight)?.backward()?.get(&leaf) {
            Some(g) => grads.push(g.clone()),
            None => candle_core::bail!("the loss does not depend on the hidden states"),
        }
        Ok(())
    })?;
    Ok((total, Tensor::cat(&grads, 0)?))
}

/// Backpropagates the gradient `grad` of `output` (`∂L/∂output`) through `output`'s graph.
fn backward_from(output: &Tensor, grad: &Tensor) -> Result<GradStore> {
    (output * grad)?.sum_all()?.backward()
}

/// The summed negative log-likelihood of the batch's scored tokens (dropout drawn from `rng`);
/// adds the gradients of `weight ×` that sum to `grads`.
///
/// With `recompute`, the forward pass keeps only each block's input; the backward pass then
/// runs block by block from the last, recomputing the block's activations (with the same
/// dropout masks) just before differentiating it. Memory then holds one block's activations
/// instead of all of them, for about a third more compute.
pub fn train_nll(
    model: &Decoder,
    batch: &Batch,
    rng: &mut Rng,
    weight: f64,
    recompute: bool,
    grads: &mut GradSum,
) -> Result<f64> {
    let (positions, targets) = scored_positions(batch)?;
    if !recompute {
        let rows = rows_at(
            &model.forward(&inputs(batch)?, &mut Mode::Train(rng))?,
            &positions,
        )?;
        let (total, rows_grad) = head_gradient(model, &rows, &targets, weight)?;
        grads.add(&backward_from(&rows, &rows_grad)?)?;
        return Ok(total);
    }
    let mut block_inputs = Vec::with_capacity(model.spec().layers);
    let mut x = model.embed(&inputs(batch)?)?;
    for layer in 0..model.spec().layers {
        block_inputs.push((x.clone(), *rng));
        x = model
            .block_forward(layer, &x, &mut Mode::Train(rng))?
            .detach();
    }
    let last = Var::from_tensor(&x)?;
    let rows = rows_at(&model.final_norm(last.as_tensor())?, &positions)?;
    let (total, rows_grad) = head_gradient(model, &rows, &targets, weight)?;
    let mut grad = gradient_of(&backward_from(&rows, &rows_grad)?, &last)?;
    for (layer, (input, mut block_rng)) in block_inputs.into_iter().enumerate().rev() {
        // The embeddings are constant: the first block needs no input gradient.
        let leaf = if layer > 0 {
            Some(Var::from_tensor(&input)?)
        } else {
            None
        };
        let input = leaf.as_ref().map_or(&input, |v| v.as_tensor());
        let output = model.block_forward(layer, input, &mut Mode::Train(&mut block_rng))?;
        let store = backward_from(&output, &grad)?;
        grads.add(&store)?;
        if let Some(leaf) = &leaf {
            grad = gradient_of(&store, leaf)?;
        }
    }
    Ok(total)
}

fn gradient_of(store: &GradStore, var: &Var) -> Result<Tensor> {
    match store.get(var) {
        Some(g) => Ok(g.clone()),
        None => candle_core::bail!("the loss does not depend on a block input"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TrainError;
    use crate::data::TrainingExample;
    use crate::lora::LoraConfig;
    use crate::testutil::test_model;

    fn model() -> crate::Result<Option<Decoder>> {
        let Some(path) = test_model() else {
            return Ok(None);
        };
        Ok(Some(Decoder::load(&path)?))
    }

    fn batch() -> Batch {
        let a = TrainingExample {
            tokens: vec![1, 504, 3458, 282, 4649, 314, 253, 1345, 28, 2],
            prompt_len: 6,
            weight: 1.0,
        };
        let b = TrainingExample {
            tokens: vec![1, 30, 216, 16, 2366, 2],
            prompt_len: 3,
            weight: 1.0,
        };
        Batch::new(&[&a, &b], 2)
    }

    /// The loss is the mean over exactly the completion positions, computed from full logits.
    #[test]
    fn loss_scores_only_completion_positions() -> crate::Result<()> {
        let Some(model) = model()? else { return Ok(()) };
        let batch = batch();
        let ours = eval_nll(&model, &batch)?;
        let hidden = model.forward(&inputs(&batch)?, &mut Mode::Eval)?;
        let log_probs = log_softmax_last_dim(&model.logits(&hidden)?)?
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
        let mut grads = GradSum::new(model.trainable_vars());
        let train_loss = train_nll(&model, &relabelled, &mut Rng::new(0), 1.0, true, &mut grads)?;
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

    /// Each example's completion tokens count by its weight, in evaluation and training.
    #[test]
    fn example_weights_scale_their_tokens() -> crate::Result<()> {
        let Some(model) = model()? else { return Ok(()) };
        let plain = batch();
        let ours = eval_nll(&model, &plain)?;
        let weighted = |first: f32, second: f32| {
            let mut b = plain.clone();
            for i in 0..b.weights.len() {
                if b.scored[i] {
                    b.weights[i] = if i < b.len { first } else { second };
                }
            }
            b
        };
        let first = eval_nll(&model, &weighted(1.0, 0.0))?;
        let second = eval_nll(&model, &weighted(0.0, 1.0))?;
        assert!(first > 0.0 && second > 0.0);
        assert!(
            (first + second - ours).abs() < 1e-4 * ours,
            "{first} + {second} vs {ours}"
        );
        let doubled = eval_nll(&model, &weighted(2.0, 0.0))?;
        assert!((doubled - 2.0 * first).abs() < 1e-4 * doubled);
        let mut grads = GradSum::new(model.trainable_vars());
        let trained = train_nll(
            &model,
            &weighted(2.0, 0.0),
            &mut Rng::new(0),
            1.0,
            true,
            &mut grads,
        )?;
        assert!((trained - doubled).abs() < 1e-4 * doubled);
        Ok(())
    }

    /// The chunked backward pass, with or without recomputation, gives the gradients of a
    /// plain one.
    #[test]
    fn chunked_and_recomputed_gradients_match_direct_backprop() -> crate::Result<()> {
        let Some(mut model) = model()? else {
            return Ok(());
        };
        model.add_adapters(&LoraConfig::default(), &mut Rng::new(1))?;
        for var in model.trainable_vars() {
            var.set(&Tensor::randn(0f32, 0.02, var.shape(), &Device::Cpu)?)?;
        }
        let batch = batch();
        let vars = model.trainable_vars();
        let hidden = model.forward(&inputs(&batch)?, &mut Mode::Train(&mut Rng::new(0)))?;
        let (positions, targets) = scored_positions(&batch)?;
        let direct_loss = nll(&model, &rows_at(&hidden, &positions)?, &targets)?;
        let mut direct = GradSum::new(vars.clone());
        direct.add(&(&direct_loss * 0.5)?.backward()?)?;
        let direct = direct.into_tensors()?;
        for recompute in [false, true] {
            let mut grads = GradSum::new(vars.clone());
            let mut rng = Rng::new(0);
            let loss = train_nll(&model, &batch, &mut rng, 0.5, recompute, &mut grads)?;
            assert_eq!(loss, direct_loss.to_scalar::<f32>()? as f64);
            for (a, b) in grads.into_tensors()?.iter().zip(&direct) {
                let diff = (a - b)?.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>()?;
                let scale = b.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>()?;
                assert!(
                    diff <= 1e-4 * scale.max(1e-3),
                    "recompute {recompute}: {diff} vs {scale}"
                );
            }
        }
        Ok(())
    }
}
