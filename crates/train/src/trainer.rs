//! The training loop: epochs of shuffled length-bucketed batches, gradient accumulation,
//! clipping, AdamW on a warm-up + cosine schedule, held-out loss after each epoch, checkpoints
//! that resume bit-for-bit.

use crate::checkpoint::{self, Checkpoint};
use crate::data::{Batch, ChatFormat, TrainingExample, bucket, read_jsonl};
use crate::decoder::Decoder;
use crate::error::{Result, TrainError};
use crate::lora::LoraConfig;
use crate::loss::{GradSum, eval_nll, train_nll};
use crate::optim::{AdamW, AdamWConfig, Moments, Schedule, clip_grad_norm};
use crate::peft::{self, adapter_tensors};
use crate::rng::Rng;
use crucible_model::HeapReuse;
use crucible_model::WeightFiles;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Everything that shapes a run (all fields have defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Adapter shape and targets.
    pub lora: LoraConfig,
    /// AdamW moments and weight decay.
    pub optimizer: AdamWConfig,
    /// Passes over the training examples.
    pub epochs: usize,
    /// Peak learning rate.
    pub learning_rate: f64,
    /// Share of all steps spent warming up linearly.
    pub warmup_fraction: f64,
    /// The learning rate at the last step, as a fraction of the peak (cosine decay).
    pub final_lr_fraction: f64,
    /// Clip the global gradient norm to this (0: no clipping).
    pub max_grad_norm: f64,
    /// Padded tokens per micro-batch (sequences × longest).
    pub batch_tokens: usize,
    /// Most sequences per micro-batch.
    pub batch_size: usize,
    /// Micro-batches per optimizer step.
    pub grad_accum: usize,
    /// Longer conversations (in tokens) are left out.
    pub max_seq_len: usize,
    /// Share of the examples held out for the per-epoch loss (when no held-out file is given).
    pub eval_fraction: f64,
    /// Seed of the adapter initialisation, the split, the data order and the dropout masks.
    pub seed: u64,
    /// Optimizer steps between checkpoints (one is also written after each epoch).
    pub checkpoint_every: usize,
    /// Recompute each block's activations in the backward pass instead of keeping them all:
    /// memory for one block's activations rather than every block's, for about half again the
    /// compute. Results agree up to rounding either way.
    pub recompute: bool,
    /// Start from this PEFT adapter (same shape and targets as `lora`) instead of fresh
    /// adapters: continues an earlier run on new data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_adapter: Option<std::path::PathBuf>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            lora: LoraConfig::default(),
            optimizer: AdamWConfig::default(),
            epochs: 2,
            learning_rate: 2e-4,
            warmup_fraction: 0.05,
            final_lr_fraction: 0.0,
            max_grad_norm: 1.0,
            batch_tokens: 4096,
            batch_size: 16,
            grad_accum: 4,
            max_seq_len: 2048,
            eval_fraction: 0.05,
            seed: 0,
            checkpoint_every: 50,
            recompute: true,
            init_adapter: None,
        }
    }
}

impl TrainConfig {
    /// Checks the values are usable.
    pub fn validate(&self) -> Result<()> {
        let checks = [
            (self.lora.rank > 0, "lora.rank must be positive"),
            (
                (0.0..1.0).contains(&self.lora.dropout),
                "lora.dropout must be in [0, 1)",
            ),
            (
                !self.lora.targets.is_empty(),
                "lora.targets must not be empty",
            ),
            (self.epochs > 0, "epochs must be positive"),
            (self.learning_rate > 0.0, "learning_rate must be positive"),
            (
                (0.0..1.0).contains(&self.warmup_fraction),
                "warmup_fraction must be in [0, 1)",
            ),
            (
                (0.0..=1.0).contains(&self.final_lr_fraction),
                "final_lr_fraction must be in [0, 1]",
            ),
            (
                self.batch_tokens > 0 && self.batch_size > 0,
                "batch_tokens and batch_size must be positive",
            ),
            (self.grad_accum > 0, "grad_accum must be positive"),
            (self.max_seq_len > 1, "max_seq_len must exceed 1"),
            (
                (0.0..1.0).contains(&self.eval_fraction),
                "eval_fraction must be in [0, 1)",
            ),
            (
                self.checkpoint_every > 0,
                "checkpoint_every must be positive",
            ),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, message)) => Err(TrainError::Config(message.to_string())),
            None => Ok(()),
        }
    }
}

/// The configuration error of a run with nothing to train on.
pub const NO_EXAMPLES: &str = "no training examples";

/// Random stream (derived from the seed) of the adapters' initial values.
const INIT_STREAM: u64 = 1;
/// Random stream of the held-out split.
const SPLIT_STREAM: u64 = 2;
/// Random stream of the dropout masks.
const DROPOUT_STREAM: u64 = 3;
/// Random stream of epoch `e`'s batch order: `ORDER_STREAM + e`.
const ORDER_STREAM: u64 = 1000;

/// Where a run stands; saved in checkpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepProgress {
    /// Optimizer steps taken.
    pub step: usize,
    /// The dropout generator.
    pub rng: Rng,
    /// Mean loss per completion token of each step.
    pub train_losses: Vec<f64>,
    /// Held-out loss per completion token after each epoch.
    pub eval_losses: Vec<f64>,
}

/// What a checkpoint stores besides tensors.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedState {
    fingerprint: String,
    optimizer_steps: usize,
    progress: StepProgress,
}

/// One optimizer step's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    /// Steps done, this one included.
    pub step: usize,
    /// Steps in the whole run.
    pub total: usize,
    /// 0-based epoch of this step.
    pub epoch: usize,
    /// Mean loss per completion token.
    pub loss: f64,
    /// Learning rate used.
    pub lr: f64,
    /// Gradient norm before clipping.
    pub grad_norm: f64,
    /// Input tokens processed (padding excluded).
    pub tokens: usize,
}

/// What [`Trainer::run`] reports as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainEvent {
    /// A step finished.
    Step(StepReport),
    /// An epoch finished; its held-out loss per completion token.
    Eval {
        /// 0-based epoch.
        epoch: usize,
        /// Held-out loss.
        loss: f64,
    },
    /// A checkpoint was written after this many steps.
    Checkpoint(usize),
}

/// A LoRA training run over tokenized examples.
pub struct Trainer {
    model: Decoder,
    config: TrainConfig,
    train: Vec<TrainingExample>,
    eval: Vec<TrainingExample>,
    batches: Vec<Vec<usize>>,
    pad: u32,
    optimizer: AdamW,
    schedule: Schedule,
    progress: StepProgress,
    fingerprint: String,
}

impl Trainer {
    /// Prepares a run: adds fresh adapters to `model` (which must have none) — or the ones in
    /// `config.init_adapter` — holds out
    /// `eval` (or, when `None`, `config.eval_fraction` of `examples`), buckets the batches.
    /// `pad` fills batches; it is never scored.
    pub fn new(
        mut model: Decoder,
        examples: Vec<TrainingExample>,
        eval: Option<Vec<TrainingExample>>,
        pad: u32,
        config: TrainConfig,
    ) -> Result<Self> {
        config.validate()?;
        let (train, eval) = match eval {
            Some(eval) => (examples, eval),
            None => split(examples, config.eval_fraction, config.seed),
        };
        if train.is_empty() {
            return Err(TrainError::Config(NO_EXAMPLES.into()));
        }
        match &config.init_adapter {
            Some(dir) => {
                let saved = peft::load_adapter(&mut model, dir)?;
                let targets = |l: &LoraConfig| {
                    let mut t: Vec<_> = l.targets.iter().map(|p| *p as usize).collect();
                    t.sort_unstable();
                    t
                };
                if saved.rank != config.lora.rank
                    || (saved.alpha - config.lora.alpha).abs() > 1e-9
                    || targets(&saved) != targets(&config.lora)
                {
                    return Err(TrainError::Config(format!(
                        "the adapter in {} has another shape or targets than this run's `lora`",
                        dir.display()
                    )));
                }
            }
            None => {
                model.add_adapters(&config.lora, &mut Rng::derived(config.seed, INIT_STREAM))?
            }
        }
        let batches = bucket(&train, config.batch_tokens, config.batch_size);
        let optimizer = AdamW::new(model.trainable_vars(), config.optimizer.clone())?;
        let total = config.epochs * batches.len().div_ceil(config.grad_accum);
        let schedule = Schedule {
            peak: config.learning_rate,
            warmup: (config.warmup_fraction * total as f64).ceil() as usize,
            total,
            final_fraction: config.final_lr_fraction,
        };
        let fingerprint = fingerprint(&config, &model, &train, &eval);
        Ok(Trainer {
            progress: StepProgress {
                step: 0,
                rng: Rng::derived(config.seed, DROPOUT_STREAM),
                train_losses: Vec::new(),
                eval_losses: Vec::new(),
            },
            model,
            config,
            train,
            eval,
            batches,
            pad,
            optimizer,
            schedule,
            fingerprint,
        })
    }

    /// The model with its adapters.
    pub fn model(&self) -> &Decoder {
        &self.model
    }

    /// The configuration.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Where the run stands.
    pub fn progress(&self) -> &StepProgress {
        &self.progress
    }

    /// Training and held-out example counts.
    pub fn example_counts(&self) -> (usize, usize) {
        (self.train.len(), self.eval.len())
    }

    /// Optimizer steps per epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.batches.len().div_ceil(self.config.grad_accum)
    }

    /// Optimizer steps in the whole run.
    pub fn total_steps(&self) -> usize {
        self.schedule.total
    }

    /// The order of the batches in `epoch` (a fixed function of the seed and the epoch).
    fn epoch_order(&self, epoch: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.batches.len()).collect();
        Rng::derived(self.config.seed, ORDER_STREAM + epoch as u64).shuffle(&mut order);
        order
    }

    fn batch(&self, examples: &[TrainingExample], indices: &[usize]) -> Batch {
        let refs: Vec<&TrainingExample> = indices.iter().map(|&i| &examples[i]).collect();
        Batch::new(&refs, self.pad)
    }

    /// Takes one optimizer step (`grad_accum` micro-batches).
    pub fn step(&mut self) -> Result<StepReport> {
        let step = self.progress.step;
        if step >= self.total_steps() {
            return Err(TrainError::Config(format!(
                "the run is complete ({step} steps)"
            )));
        }
        let per_epoch = self.steps_per_epoch();
        let (epoch, index) = (step / per_epoch, step % per_epoch);
        let order = self.epoch_order(epoch);
        let accum = self.config.grad_accum;
        let group = &order[index * accum..((index + 1) * accum).min(order.len())];
        let batches: Vec<Batch> = group
            .iter()
            .map(|&b| self.batch(&self.train, &self.batches[b]))
            .collect();
        let scored: usize = batches.iter().map(Batch::scored_tokens).sum();
        let mut grads = GradSum::new(self.model.trainable_vars());
        let mut loss_sum = 0.0;
        for batch in &batches {
            let weight = 1.0 / scored as f64;
            let rng = &mut self.progress.rng;
            loss_sum += train_nll(
                &self.model,
                batch,
                rng,
                weight,
                self.config.recompute,
                &mut grads,
            )?;
        }
        let mut grads = grads.into_tensors()?;
        let grad_norm = clip_grad_norm(&mut grads, self.config.max_grad_norm)?;
        let lr = self.schedule.at(step);
        self.optimizer.step(&grads, lr)?;
        let loss = loss_sum / scored as f64;
        self.progress.step += 1;
        self.progress.train_losses.push(loss);
        Ok(StepReport {
            step: self.progress.step,
            total: self.total_steps(),
            epoch,
            loss,
            lr,
            grad_norm,
            tokens: batches.iter().map(|b| b.real_tokens).sum(),
        })
    }

    /// The held-out loss per completion token (`None` without held-out examples).
    pub fn evaluate(&self) -> Result<Option<f64>> {
        if self.eval.is_empty() {
            return Ok(None);
        }
        let (mut nll, mut scored) = (0.0, 0);
        for indices in bucket(&self.eval, self.config.batch_tokens, self.config.batch_size) {
            let batch = self.batch(&self.eval, &indices);
            nll += eval_nll(&self.model, &batch)?;
            scored += batch.scored_tokens();
        }
        Ok(Some(nll / scored.max(1) as f64))
    }

    /// Trains to the end, reporting each step, held-out loss after each epoch, and writing a
    /// checkpoint to `checkpoint_dir` (when given) every `checkpoint_every` steps and after each
    /// epoch. Freed memory stays in the heap meanwhile ([`HeapReuse`]).
    pub fn run(
        &mut self,
        checkpoint_dir: Option<&Path>,
        on_event: &mut dyn FnMut(&TrainEvent),
    ) -> Result<()> {
        let _heap = HeapReuse::begin();
        while self.progress.step < self.total_steps() {
            let report = self.step()?;
            on_event(&TrainEvent::Step(report.clone()));
            let epoch_end = report.step % self.steps_per_epoch() == 0;
            if epoch_end && let Some(loss) = self.evaluate()? {
                self.progress.eval_losses.push(loss);
                on_event(&TrainEvent::Eval {
                    epoch: report.epoch,
                    loss,
                });
            }
            if let Some(dir) = checkpoint_dir
                && (epoch_end || report.step % self.config.checkpoint_every == 0)
            {
                self.save_checkpoint(dir)?;
                on_event(&TrainEvent::Checkpoint(report.step));
            }
        }
        Ok(())
    }

    /// Writes a checkpoint (atomically) to `dir`.
    pub fn save_checkpoint(&self, dir: &Path) -> Result<()> {
        let keys = adapter_keys(&self.model);
        let moments: HashMap<String, Moments> = keys
            .into_iter()
            .zip(self.optimizer.moments().iter().cloned())
            .collect();
        checkpoint::save(
            dir,
            &Checkpoint {
                adapter: adapter_tensors(&self.model),
                moments,
                state: SavedState {
                    fingerprint: self.fingerprint.clone(),
                    optimizer_steps: self.optimizer.steps(),
                    progress: self.progress.clone(),
                },
            },
        )
    }

    /// Continues from the checkpoint in `dir`, if there is one; returns the steps it had done.
    /// A checkpoint of a different run (configuration, data or model) is an error.
    pub fn resume(&mut self, dir: &Path) -> Result<Option<usize>> {
        let Some(mut saved) = checkpoint::load::<SavedState>(dir)? else {
            return Ok(None);
        };
        let mismatch = |message: String| TrainError::Mismatch {
            path: dir.to_path_buf(),
            message,
        };
        if saved.state.fingerprint != self.fingerprint {
            return Err(mismatch("the checkpoint belongs to a different run (configuration, data or base model changed); use another output directory or delete it".into()));
        }
        let mut moments = Vec::new();
        for (key, var) in adapter_keys(&self.model)
            .iter()
            .zip(self.model.trainable_vars())
        {
            let value = saved
                .adapter
                .remove(key)
                .ok_or_else(|| mismatch(format!("no {key}")))?;
            var.set(&value)?;
            moments.push(
                saved
                    .moments
                    .remove(key)
                    .ok_or_else(|| mismatch(format!("no moments for {key}")))?,
            );
        }
        self.optimizer
            .restore(saved.state.optimizer_steps, moments)?;
        self.progress = saved.state.progress;
        Ok(Some(self.progress.step))
    }

    /// Saves the adapters in the PEFT layout into `dir`, with `training_log.json` (the
    /// configuration and the losses).
    pub fn save_adapter(&self, dir: &Path, base_model: &str) -> Result<()> {
        peft::save_adapter(&self.model, &self.config.lora, base_model, dir)?;
        let log = serde_json::json!({
            "base_model": base_model,
            "config": self.config,
            "train_examples": self.train.len(),
            "eval_examples": self.eval.len(),
            "steps": self.progress.step,
            "train_losses": self.progress.train_losses,
            "eval_losses": self.progress.eval_losses,
        });
        let path = dir.join("training_log.json");
        let text = serde_json::to_string_pretty(&log).map_err(|e| TrainError::json(&path, e))?;
        peft::write_atomically(&path, |tmp| {
            std::fs::write(tmp, &text).map_err(|e| TrainError::io(tmp, e))
        })
    }
}

/// The PEFT keys of every trainable variable, in [`Decoder::trainable_vars`] order.
fn adapter_keys(model: &Decoder) -> Vec<String> {
    model
        .adapters()
        .into_iter()
        .flat_map(|(module, _)| {
            ['A', 'B'].map(|w| format!("base_model.model.{module}.lora_{w}.weight"))
        })
        .collect()
}

/// Splits off `fraction` of the examples (at least one when the fraction is positive and
/// there are two or more), chosen by the seed; returns (train, held out).
fn split(
    mut examples: Vec<TrainingExample>,
    fraction: f64,
    seed: u64,
) -> (Vec<TrainingExample>, Vec<TrainingExample>) {
    let n = examples.len();
    let held = if fraction > 0.0 && n >= 2 {
        ((n as f64 * fraction).round() as usize).clamp(1, n - 1)
    } else {
        0
    };
    Rng::derived(seed, SPLIT_STREAM).shuffle(&mut examples);
    let eval = examples.split_off(n - held);
    (examples, eval)
}

/// A hash (FNV-1a, hex) of everything a resumed run must share with the one that saved.
fn fingerprint(
    config: &TrainConfig,
    model: &Decoder,
    train: &[TrainingExample],
    eval: &[TrainingExample],
) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(
        serde_json::to_string(&config)
            .unwrap_or_default()
            .as_bytes(),
    );
    feed(format!("{:?}", model.spec()).as_bytes());
    for (set, examples) in [(0u8, train), (1, eval)] {
        for e in examples {
            feed(&[set]);
            feed(&(e.prompt_len as u64).to_le_bytes());
            for t in &e.tokens {
                feed(&t.to_le_bytes());
            }
        }
    }
    format!("{hash:016x}")
}

/// A run read from files: the base model, its chat format, the data.
pub struct Loaded {
    /// The trainer, ready to run (or resume).
    pub trainer: Trainer,
    /// Conversations left out for exceeding `max_seq_len`.
    pub too_long: usize,
}

/// Loads the base model (a `.gguf` file or a Hugging Face folder), reads and tokenizes `data` (and `eval`, if given) with its
/// chat template, and prepares the trainer.
pub fn load_run(
    base: &Path,
    data: &Path,
    eval: Option<&Path>,
    config: TrainConfig,
) -> Result<Loaded> {
    config.validate()?;
    let mut files = WeightFiles::open(base)?;
    let format = ChatFormat::from_parts(files.parts())?;
    let train = read_jsonl(data, &format, config.max_seq_len)?;
    let held_out = eval
        .map(|p| read_jsonl(p, &format, config.max_seq_len))
        .transpose()?;
    let too_long = train.too_long + held_out.as_ref().map_or(0, |d| d.too_long);
    let model = Decoder::from_files(&mut files, base)?;
    let trainer = Trainer::new(
        model,
        train.examples,
        held_out.map(|d| d.examples),
        format.end_of_turn(),
        config,
    )?;
    Ok(Loaded { trainer, too_long })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::test_model;
    use crucible_model::{ChatMessage, Role};

    /// SmolLM2 and a few tiny conversations, or `None` when the model is not downloaded.
    fn setup() -> Result<Option<(Decoder, Vec<TrainingExample>, u32)>> {
        let Some(path) = test_model() else {
            return Ok(None);
        };
        let mut files = WeightFiles::open(&path)?;
        let format = ChatFormat::from_parts(files.parts())?;
        let pairs = [
            ("2+2?", "4"),
            ("Capital of France?", "Paris"),
            ("Say hi.", "hi"),
            ("3*3?", "9"),
        ];
        let examples = pairs
            .iter()
            .map(|(q, a)| {
                let messages = [
                    ChatMessage::system("Answer briefly."),
                    ChatMessage::user(*q),
                    ChatMessage {
                        role: Role::Assistant,
                        content: a.to_string(),
                    },
                ];
                format.example(&messages).map_err(TrainError::Config)
            })
            .collect::<Result<Vec<_>>>()?;
        let model = Decoder::from_files(&mut files, &path)?;
        Ok(Some((model, examples, format.end_of_turn())))
    }

    fn tiny_config() -> TrainConfig {
        TrainConfig {
            lora: LoraConfig {
                dropout: 0.1,
                ..LoraConfig::default()
            },
            epochs: 2,
            learning_rate: 1e-3,
            batch_size: 2,
            grad_accum: 1,
            checkpoint_every: 1,
            seed: 11,
            ..TrainConfig::default()
        }
    }

    #[test]
    fn a_few_steps_reduce_the_loss() -> Result<()> {
        let Some((model, examples, pad)) = setup()? else {
            return Ok(());
        };
        let config = TrainConfig {
            lora: LoraConfig {
                dropout: 0.0,
                ..LoraConfig::default()
            },
            ..tiny_config()
        };
        let mut trainer = Trainer::new(model, examples.clone(), Some(examples), pad, config)?;
        assert_eq!((trainer.steps_per_epoch(), trainer.total_steps()), (2, 4));
        let before = trainer.evaluate()?.unwrap_or_default();
        let mut events = Vec::new();
        trainer.run(None, &mut |e| events.push(e.clone()))?;
        let after = trainer.evaluate()?.unwrap_or_default();
        eprintln!(
            "held-out loss {before:.3} → {after:.3}; steps {:?}",
            trainer.progress().train_losses
        );
        assert!(after < 0.9 * before, "{before} → {after}");
        let evals = events
            .iter()
            .filter(|e| matches!(e, TrainEvent::Eval { .. }))
            .count();
        assert_eq!((trainer.progress().train_losses.len(), evals), (4, 2));
        Ok(())
    }

    /// Copies a checkpoint directory, as a kill right after it was written would leave it.
    fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
        Ok(())
    }

    /// N steps straight equal k steps, a checkpoint, a fresh trainer's resume and N − k more
    /// (with dropout on, so the generator's state must be restored too).
    #[test]
    fn resumed_run_repeats_the_straight_run_exactly() -> Result<()> {
        let Some((model, examples, pad)) = setup()? else {
            return Ok(());
        };
        let dir = tempfile::tempdir().map_err(|e| TrainError::io("tempdir", e))?;
        let (checkpoint, killed) = (dir.path().join("checkpoint"), dir.path().join("killed"));
        let new = || Trainer::new(model.clone(), examples.clone(), None, pad, tiny_config());

        let mut straight = new()?;
        assert_eq!(straight.example_counts(), (3, 1));
        let mut copied = Ok(());
        straight.run(Some(&checkpoint), &mut |e| {
            if *e == TrainEvent::Checkpoint(2) {
                copied = copy_dir(&checkpoint, &killed);
            }
        })?;
        copied.map_err(|e| TrainError::io(&killed, e))?;

        let mut resumed = new()?;
        assert_eq!(resumed.resume(&killed)?, Some(2));
        assert_eq!(resumed.progress().eval_losses.len(), 1);
        resumed.run(Some(&killed), &mut |_| {})?;
        assert_eq!(resumed.progress(), straight.progress());
        let (a, b) = (
            adapter_tensors(straight.model()),
            adapter_tensors(resumed.model()),
        );
        for (key, t) in &a {
            assert_eq!(
                t.flatten_all()?.to_vec1::<f32>()?,
                b[key].flatten_all()?.to_vec1::<f32>()?,
                "{key}"
            );
        }

        let other = TrainConfig {
            seed: 12,
            ..tiny_config()
        };
        let mut different = Trainer::new(model.clone(), examples.clone(), None, pad, other)?;
        assert!(matches!(
            different.resume(&checkpoint),
            Err(TrainError::Mismatch { .. })
        ));
        Ok(())
    }
}
