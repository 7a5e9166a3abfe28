//! `crucible train`: LoRA fine-tuning of a base model on a JSONL dataset of conversations.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use crucible_model::{default_models_dir, resolve_model};
use crucible_train::{
    LoraConfig, Projection, StepReport, TrainConfig, TrainEvent, WeightType, load_run, merge_to_hf,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// `crucible train`: train an adapter (the flags), or `crucible train merge`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TrainCommand {
    #[command(subcommand)]
    command: Option<TrainSubcommand>,
    #[command(flatten)]
    train: TrainArgs,
}

/// What `crucible train` does besides training.
#[derive(Subcommand)]
enum TrainSubcommand {
    /// Fold a trained adapter into its base model and write a Hugging Face folder
    /// (config.json, tokenizer.json, model.safetensors) that `generate`, `eval` and campaigns
    /// load (re-quantized to Q8_0) like any model.
    Merge(MergeArgs),
}

/// `crucible train merge` arguments.
#[derive(Args)]
struct MergeArgs {
    /// Base model the adapter was trained on: a known name, a .gguf file or a model folder
    /// (default: the base its `adapter_config.json` records; a different one is refused).
    #[arg(long)]
    base: Option<String>,
    /// The adapter folder (`crucible train --out`).
    #[arg(long)]
    adapter: PathBuf,
    /// Where to write the merged model (replaced if it exists).
    #[arg(long)]
    out: PathBuf,
    /// Weight type: bf16 (half the disk) or f32 (exact).
    #[arg(long, default_value = "bf16")]
    dtype: String,
    /// Models directory.
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// `crucible train` arguments (defaults are the library's).
#[derive(Args)]
pub struct TrainArgs {
    /// Training data: JSONL, one `{"messages": [...]}` conversation per line (the layout
    /// `crucible campaign export` writes); the last message is the assistant's reply.
    #[arg(long, required = true)]
    data: Option<PathBuf>,
    /// Held-out data in the same layout (default: --eval-fraction of --data).
    #[arg(long)]
    eval_data: Option<PathBuf>,
    /// Base model: a known name, a .gguf file, or a model folder (a merged model, to train
    /// it further).
    #[arg(long, default_value = crucible_model::DEFAULT_MODEL)]
    base: String,
    /// Output directory: the adapter (PEFT layout), training_log.json, and checkpoint/ (a run
    /// started again with the same settings resumes from it).
    #[arg(long, required = true)]
    out: Option<PathBuf>,
    /// Models directory.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Passes over the data.
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    epochs: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = TrainConfig::default().learning_rate)]
    lr: f64,
    /// LoRA rank.
    #[arg(long, default_value_t = LoraConfig::default().rank)]
    rank: usize,
    /// LoRA alpha (the update is scaled by alpha / rank).
    #[arg(long, default_value_t = LoraConfig::default().alpha)]
    alpha: f64,
    /// Dropout on the adapters' inputs.
    #[arg(long, default_value_t = LoraConfig::default().dropout)]
    dropout: f32,
    /// Projections with adapters, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj"
    )]
    targets: Vec<String>,
    /// Padded tokens per micro-batch.
    #[arg(long, default_value_t = TrainConfig::default().batch_tokens)]
    batch_tokens: usize,
    /// Most sequences per micro-batch.
    #[arg(long, default_value_t = TrainConfig::default().batch_size)]
    batch_size: usize,
    /// Micro-batches per optimizer step.
    #[arg(long, default_value_t = TrainConfig::default().grad_accum)]
    grad_accum: usize,
    /// Conversations longer than this many tokens are left out.
    #[arg(long, default_value_t = TrainConfig::default().max_seq_len)]
    max_seq_len: usize,
    /// Share of --data held out when --eval-data is not given.
    #[arg(long, default_value_t = TrainConfig::default().eval_fraction)]
    eval_fraction: f64,
    /// Seed (initialisation, split, order, dropout).
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    /// Optimizer steps between checkpoints.
    #[arg(long, default_value_t = TrainConfig::default().checkpoint_every)]
    checkpoint_every: usize,
    /// Keep every block's activations for the backward pass instead of recomputing them: about
    /// a third faster, several times the memory.
    #[arg(long)]
    no_recompute: bool,
    /// Ignore and replace an existing checkpoint in --out.
    #[arg(long)]
    restart: bool,
}

impl TrainArgs {
    fn config(&self) -> Result<TrainConfig> {
        let targets = self
            .targets
            .iter()
            .map(|name| {
                Projection::from_hf_name(name.trim())
                    .with_context(|| format!("unknown target `{name}` (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)"))
            })
            .collect::<Result<Vec<_>>>()?;
        let config = TrainConfig {
            lora: LoraConfig {
                rank: self.rank,
                alpha: self.alpha,
                dropout: self.dropout,
                targets,
            },
            epochs: self.epochs,
            learning_rate: self.lr,
            batch_tokens: self.batch_tokens,
            batch_size: self.batch_size,
            grad_accum: self.grad_accum,
            max_seq_len: self.max_seq_len,
            eval_fraction: self.eval_fraction,
            seed: self.seed,
            checkpoint_every: self.checkpoint_every,
            recompute: !self.no_recompute,
            ..TrainConfig::default()
        };
        config.validate()?;
        Ok(config)
    }
}

/// Runs `crucible train` or `crucible train merge`.
pub fn execute(cmd: TrainCommand) -> Result<ExitCode> {
    match cmd.command {
        Some(TrainSubcommand::Merge(args)) => merge(&args),
        None => train(cmd.train),
    }
}

fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let weights = WeightType::parse(&args.dtype)
        .with_context(|| format!("unknown --dtype `{}` (bf16 or f32)", args.dtype))?;
    let models = args.dir.clone().unwrap_or_else(default_models_dir);
    let base = merge_base(&args.adapter, args.base.as_deref())?;
    let base = resolve_model(&base, &models)?;
    eprintln!(
        "merging {} into {} ...",
        args.adapter.display(),
        base.display()
    );
    merge_to_hf(&base, &args.adapter, &args.out, weights)
        .with_context(|| format!("merging {} into {}", args.adapter.display(), base.display()))?;
    println!("{}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The base to merge `adapter` into: the one its `adapter_config.json` records
/// (`base_model_name_or_path`), which `--base` may repeat but not contradict; the default model
/// when the adapter records none.
fn merge_base(adapter: &Path, given: Option<&str>) -> Result<String> {
    let path = adapter.join("adapter_config.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {} (is it an adapter folder?)", path.display()))?;
    let config: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let recorded = config["base_model_name_or_path"]
        .as_str()
        .filter(|b| !b.is_empty());
    match (recorded, given) {
        (Some(recorded), Some(given)) if recorded != given => bail!(
            "the adapter in {} was trained on `{recorded}`, but --base is `{given}`: merge it \
             into its own base (leave out --base)",
            adapter.display()
        ),
        (Some(base), _) | (None, Some(base)) => Ok(base.to_string()),
        (None, None) => Ok(crucible_model::DEFAULT_MODEL.to_string()),
    }
}

fn train(args: TrainArgs) -> Result<ExitCode> {
    let config = args.config()?;
    let (Some(data), Some(out)) = (args.data.clone(), args.out.clone()) else {
        bail!("--data and --out are required");
    };
    let models = args.dir.clone().unwrap_or_else(default_models_dir);
    let base = resolve_model(&args.base, &models)?;
    if !data.is_file() {
        bail!("no training data at {}", data.display());
    }
    eprintln!("loading {} and {} ...", base.display(), data.display());
    let loaded = load_run(&base, &data, args.eval_data.as_deref(), config)
        .with_context(|| format!("preparing training on {}", data.display()))?;
    let mut trainer = loaded.trainer;
    let (train, held_out) = trainer.example_counts();
    eprintln!(
        "{train} training and {held_out} held-out conversations ({} left out as longer than {} tokens); {} steps ({} per epoch); {} adapters of rank {}",
        loaded.too_long,
        trainer.config().max_seq_len,
        trainer.total_steps(),
        trainer.steps_per_epoch(),
        trainer.model().adapters().len(),
        trainer.config().lora.rank
    );
    let checkpoint = out.join("checkpoint");
    if args.restart && checkpoint.exists() {
        std::fs::remove_dir_all(&checkpoint)
            .with_context(|| format!("removing {}", checkpoint.display()))?;
    }
    if let Some(step) = trainer.resume(&checkpoint)? {
        eprintln!("resuming from {} after step {step}", checkpoint.display());
    }
    let mut progress = Progress::new(trainer.progress().step, trainer.total_steps());
    trainer.run(Some(&checkpoint), &mut |event| progress.show(event))?;
    progress.bar.finish_and_clear();
    trainer.save_adapter(&out, &args.base)?;
    let last = trainer
        .progress()
        .train_losses
        .last()
        .copied()
        .unwrap_or(f64::NAN);
    let eval = trainer
        .progress()
        .eval_losses
        .last()
        .map_or("-".to_string(), |l| format!("{l:.4}"));
    eprintln!("final training loss {last:.4}, held-out loss {eval}");
    println!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// A progress bar (a line per step when stderr is not a terminal) with loss, tokens/s (the
/// last step's and the mean since start), ETA.
struct Progress {
    bar: ProgressBar,
    lines: bool,
    started: Instant,
    /// When the previous step ended (or training started).
    last: Instant,
    first_step: usize,
    tokens: usize,
}

impl Progress {
    fn new(done: usize, total: usize) -> Self {
        let style = ProgressStyle::with_template(
            "train [{bar:30}] {pos}/{len} {msg} ({elapsed}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bar = ProgressBar::new(total as u64)
            .with_style(style)
            .with_position(done as u64);
        bar.reset_eta();
        Progress {
            bar,
            lines: !std::io::stderr().is_terminal(),
            started: Instant::now(),
            last: Instant::now(),
            first_step: done,
            tokens: 0,
        }
    }

    fn show(&mut self, event: &TrainEvent) {
        match event {
            TrainEvent::Step(report) => self.step(report),
            TrainEvent::Eval { epoch, loss } => {
                self.note(format!("epoch {}: held-out loss {loss:.4}", epoch + 1))
            }
            TrainEvent::Checkpoint(_) => {}
        }
    }

    /// A line above the bar (or on its own when there is no bar).
    fn note(&self, line: String) {
        if self.lines {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    fn step(&mut self, report: &StepReport) {
        self.tokens += report.tokens;
        let step_secs = self.last.elapsed().as_secs_f64().max(1e-9);
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let done = report.step - self.first_step;
        let eta = Duration::from_secs_f64(secs / done as f64 * (report.total - report.step) as f64);
        let message = format!(
            "loss {:.4} lr {:.2e} |g| {:.3} {} tok in {step_secs:.1}s, {:.0} tok/s (mean {:.0} tok/s)",
            report.loss,
            report.lr,
            report.grad_norm,
            report.tokens,
            report.tokens as f64 / step_secs,
            self.tokens as f64 / secs
        );
        if self.lines {
            eprintln!(
                "step {}/{} epoch {} {message} ETA {}s",
                report.step,
                report.total,
                report.epoch + 1,
                eta.as_secs()
            );
        }
        self.bar.set_message(message);
        self.bar.set_position(report.step as u64);
    }
}
