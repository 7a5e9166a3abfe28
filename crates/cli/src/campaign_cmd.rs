//! `crucible campaign`: write a configuration, run or resume a campaign, show its status,
//! write its report, export its datasets.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use crucible_cli::wiring::{Loader, TrainTuner};
use crucible_sandbox::{Sandbox, SandboxConfig};
use crucible_selfplay::{
    Campaign, CampaignConfig, CampaignEvent, DEFAULT_CONFIG_TOML, Store, TrainRole,
    TrainingSummary, heldout_label, render_text, summarize, verify, write_datasets, write_lines,
    write_report,
};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Self-play campaigns.
#[derive(Subcommand)]
pub enum CampaignCommand {
    /// Write a commented default configuration to edit.
    Init {
        /// Where to write it.
        #[arg(default_value = "campaign.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Start a campaign (or continue it, when the directory holds the same configuration; a
    /// different `--rounds` runs it to that many).
    Run(RunArgs),
    /// Continue a stopped or killed campaign with its stored configuration (`--rounds N`: run a
    /// finished one on to N rounds).
    Resume {
        /// The campaign directory.
        dir: PathBuf,
        /// Run to this many rounds (more than configured: a finished campaign goes on, its
        /// models trained after the last round sampling the next).
        #[arg(long)]
        rounds: Option<u32>,
    },
    /// Per-round counts: proposed, valid, rejections, solve rates, learnable, pairs, times.
    Status {
        /// The campaign directory.
        dir: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a Markdown report with charts (DIR/report/report.md).
    Report {
        /// The campaign directory.
        dir: PathBuf,
    },
    /// Check that the store, its scores and the exported datasets agree.
    Verify {
        /// The campaign directory.
        dir: PathBuf,
    },
    /// Write the datasets as JSONL (solver.jsonl, proposer.jsonl).
    Export {
        /// The campaign directory.
        dir: PathBuf,
        /// Output directory (default DIR/datasets).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write `solver-unverified.jsonl`: as many solver examples as `solver.jsonl` has,
        /// drawn from all attempts, accepted or not (the control for what verification adds).
        #[arg(long)]
        unverified_control: bool,
    },
}

/// `campaign run` options; flags override the configuration file.
#[derive(Args)]
pub struct RunArgs {
    /// The campaign directory (store, datasets, report).
    #[arg(long, default_value = "runs/campaign")]
    dir: PathBuf,
    /// Configuration file (default: the built-in defaults).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Model for both roles: a known name, a .gguf path, or an OpenAI-compatible URL.
    #[arg(long)]
    model: Option<String>,
    /// Rounds.
    #[arg(long)]
    rounds: Option<u32>,
    /// Puzzles proposed per round.
    #[arg(long)]
    puzzles: Option<u32>,
    /// Attempts per valid puzzle (k).
    #[arg(long)]
    attempts: Option<u32>,
    /// Master seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Do not fine-tune at all: no warm-up, no training between rounds (nor evaluation on the
    /// held-out split).
    #[arg(long)]
    no_train: bool,
    /// Held-out problems evaluated before training and after each round (0: all).
    #[arg(long)]
    heldout_problems: Option<usize>,
}

/// Runs a `campaign` subcommand.
pub fn execute(cmd: CampaignCommand) -> Result<std::process::ExitCode> {
    match cmd {
        CampaignCommand::Init { path, force } => init(&path, force)?,
        CampaignCommand::Run(args) => {
            let config = run_config(&args)?;
            run(&args.dir, Some(&config))?;
        }
        CampaignCommand::Resume { dir, rounds } => {
            let store = open_store(&dir)?;
            let mut config = store
                .stored_config()?
                .context("the store holds no configuration")?;
            drop(store);
            config.rounds = rounds.unwrap_or(config.rounds);
            config.validate()?;
            run(&dir, Some(&config))?;
        }
        CampaignCommand::Status { dir, json } => status(&dir, json)?,
        CampaignCommand::Report { dir } => {
            let store = open_store(&dir)?;
            let name = store.stored_config()?.map(|c| c.name).unwrap_or_default();
            let training = TrainingSummary::read(&store)?;
            let path = write_report(&summarize(&store)?, &training, &name, &dir.join("report"))?;
            println!("{}", path.display());
        }
        CampaignCommand::Verify { dir } => {
            open_store(&dir)?;
            let problems = verify(&dir)?;
            if !problems.is_empty() {
                for p in &problems {
                    eprintln!("{p}");
                }
                bail!("{} problems in {}", problems.len(), dir.display());
            }
            println!("{}: consistent", dir.display());
        }
        CampaignCommand::Export {
            dir,
            out,
            unverified_control,
        } => {
            let out = out.unwrap_or_else(|| dir.join("datasets"));
            let store = open_store(&dir)?;
            for path in write_datasets(&store, &out)? {
                println!("{}", path.display());
            }
            if unverified_control {
                let verified = store.dataset(TrainRole::Solver)?.len();
                drop(store);
                let sandbox =
                    Sandbox::new(SandboxConfig::default()).context("starting the sandbox")?;
                let campaign = Campaign::open(&dir, None, sandbox)
                    .with_context(|| format!("opening the campaign in {}", dir.display()))?;
                let lines = campaign.unverified_examples(verified)?;
                let path = out.join("solver-unverified.jsonl");
                write_lines(&path, &lines)?;
                println!(
                    "{} ({} examples, as many as solver.jsonl's {verified})",
                    path.display(),
                    lines.len()
                );
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn init(path: &Path, force: bool) -> Result<()> {
    if path.exists() && !force {
        bail!("{} exists (use --force to overwrite)", path.display());
    }
    std::fs::write(path, DEFAULT_CONFIG_TOML)
        .with_context(|| format!("writing {}", path.display()))?;
    println!(
        "wrote {}; edit it, then: crucible campaign run --config {} --dir runs/NAME",
        path.display(),
        path.display()
    );
    Ok(())
}

fn run_config(args: &RunArgs) -> Result<CampaignConfig> {
    let mut config = match &args.config {
        Some(path) => CampaignConfig::load(path)?,
        None => CampaignConfig::default(),
    };
    if let Some(model) = &args.model {
        config.proposer.model = model.clone();
        config.solver.model = model.clone();
    }
    config.rounds = args.rounds.unwrap_or(config.rounds);
    config.puzzles_per_round = args.puzzles.unwrap_or(config.puzzles_per_round);
    config.attempts = args.attempts.unwrap_or(config.attempts);
    config.seed = args.seed.unwrap_or(config.seed);
    if args.no_train {
        config.training.enabled = false;
        config.warmup.set.clear();
    }
    config.heldout.max_problems = args.heldout_problems.unwrap_or(config.heldout.max_problems);
    if let Some(name) = args.dir.file_name() {
        config.name = name.to_string_lossy().into_owned();
    }
    config.validate()?;
    Ok(config)
}

fn open_store(dir: &Path) -> Result<Store> {
    let path = Campaign::store_path(dir);
    if !path.exists() {
        bail!("{} holds no campaign (no campaign.db)", dir.display());
    }
    Ok(Store::open(&path)?)
}

fn status(dir: &Path, json: bool) -> Result<()> {
    let store = open_store(dir)?;
    let summaries = summarize(&store)?;
    let training = TrainingSummary::read(&store)?;
    if json {
        let value = serde_json::json!({"rounds": summaries, "training": training});
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else if summaries.is_empty() {
        println!("no round started yet");
    } else {
        print!("{}{}", render_text(&summaries), training.render_text());
    }
    Ok(())
}

fn sandbox(config: &CampaignConfig) -> Result<Sandbox> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = match config.sandbox_workers {
        0 => cores.saturating_sub(1).max(1),
        n => n,
    };
    Ok(Sandbox::new(SandboxConfig {
        workers,
        ..SandboxConfig::default()
    })?)
}

fn run(dir: &Path, config: Option<&CampaignConfig>) -> Result<()> {
    let stored = match config {
        Some(c) => c.clone(),
        None => open_store(dir)?
            .stored_config()?
            .context("the store holds no configuration")?,
    };
    let sandbox = sandbox(&stored)?;
    eprintln!(
        "threads: model {}, sandbox workers {}",
        crate::model_threads(),
        sandbox.workers()
    );
    let mut campaign = Campaign::open(dir, config, sandbox)
        .with_context(|| format!("opening the campaign in {}", dir.display()))?;
    let config = campaign.config().clone();
    let started = Instant::now();
    let mut progress = Progress::new();
    let mut tuner = TrainTuner::default();
    campaign.run(&mut Loader, Some(&mut tuner), &mut |event| {
        progress.show(event)
    })?;
    progress.finish();
    eprintln!(
        "finished in {:.0} s; store {}",
        started.elapsed().as_secs_f64(),
        Campaign::store_path(dir).display()
    );
    let summaries = summarize(campaign.store())?;
    let training = TrainingSummary::read(campaign.store())?;
    print!("{}{}", render_text(&summaries), training.render_text());
    let report = write_report(&summaries, &training, &config.name, &dir.join("report"))?;
    println!("datasets: {}", dir.join("datasets").display());
    println!("report: {}", report.display());
    Ok(())
}

/// Two progress bars: proposals validated, valid puzzles judged. When stderr is not a
/// terminal (a log file, CI) the bars are hidden and milestones are printed as lines instead.
struct Progress {
    bars: MultiProgress,
    lines: bool,
    proposed: ProgressBar,
    solved: ProgressBar,
    valid: u64,
    accepted: u64,
    /// Attempts judged this round.
    judged: u64,
    /// When the last periodic progress line was printed.
    last_line: Instant,
}

/// Seconds between progress lines during long steps (judging a round, held-out sampling).
const PROGRESS_EVERY: f64 = 30.0;

impl Progress {
    fn new() -> Self {
        let bars = MultiProgress::new();
        let style =
            ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        let proposed = bars.add(
            ProgressBar::new(0)
                .with_style(style.clone())
                .with_prefix("proposed"),
        );
        let solved = bars.add(ProgressBar::new(0).with_style(style).with_prefix("solved"));
        Progress {
            bars,
            lines: !std::io::stderr().is_terminal(),
            proposed,
            solved,
            valid: 0,
            accepted: 0,
            judged: 0,
            last_line: Instant::now(),
        }
    }

    /// A progress line, at most one every [`PROGRESS_EVERY`] seconds.
    fn periodic(&mut self, line: impl FnOnce() -> String) {
        if self.last_line.elapsed().as_secs_f64() >= PROGRESS_EVERY {
            self.last_line = Instant::now();
            self.note(line());
        }
    }

    /// A line above the bars, or on its own when there are none.
    fn note(&self, line: String) {
        if self.lines {
            eprintln!("{line}");
        } else {
            let _ = self.bars.println(line);
        }
    }

    fn show(&mut self, event: &CampaignEvent) {
        match event {
            CampaignEvent::RoundStarted {
                round,
                puzzles,
                committed,
            } => {
                self.note(format!(
                    "round {round}: {puzzles} puzzles ({committed} done before)"
                ));
                self.proposed.set_length(u64::from(*puzzles));
                self.proposed.set_position(u64::from(*committed));
                self.solved.set_length(0);
                self.solved.set_position(0);
                self.valid = 0;
                self.accepted = 0;
                self.judged = 0;
            }
            CampaignEvent::PuzzleCommitted {
                round,
                slot,
                rejection,
            } => {
                self.proposed.inc(1);
                if rejection.is_none() {
                    self.valid += 1;
                    self.solved.inc_length(1);
                }
                self.proposed.set_message(format!("{} valid", self.valid));
                if self.lines {
                    eprintln!(
                        "round {round} puzzle {slot}: {}",
                        rejection
                            .as_ref()
                            .map_or("valid".into(), |r| format!("rejected ({r})"))
                    );
                }
            }
            CampaignEvent::PuzzleSolved {
                round,
                accepted,
                attempts,
            } => {
                if self.solved.position() >= self.solved.length().unwrap_or(0) {
                    self.solved.inc_length(1);
                }
                self.solved.inc(1);
                self.accepted += u64::from(*accepted);
                self.judged += u64::from(*attempts);
                let message = format!("{} of {} attempts accepted", self.accepted, self.judged);
                self.solved.set_message(message.clone());
                let tasks = self.solved.position();
                self.periodic(|| format!("round {round}: {tasks} tasks judged, {message}"));
            }
            CampaignEvent::HeldoutProgress {
                round,
                set,
                done,
                total,
            } => {
                let label = heldout_label(*round);
                self.periodic(|| {
                    format!("held-out {label} on {set}: {done}/{total} problems sampled")
                });
            }
            CampaignEvent::RoundFinished {
                round,
                valid,
                accepted,
            } => {
                self.note(format!(
                    "round {round} finished: {valid} valid puzzles, {accepted} accepted attempts"
                ));
            }
            CampaignEvent::Training { round, role, line } => {
                let message = match round {
                    0 => format!("warming the {role} up: {line}"),
                    _ => format!("training the {role} on rounds ≤ {round}: {line}"),
                };
                self.proposed.set_message(message.clone());
                self.periodic(|| message);
            }
            CampaignEvent::Trained {
                round,
                role,
                examples,
                final_loss,
            } => {
                let line = match (round, examples, final_loss) {
                    (0, n, loss) => format!(
                        "{role}: warmed up on {n} examples (final loss {})",
                        loss.map_or("-".into(), |l| format!("{l:.4}"))
                    ),
                    (_, 0, _) => format!(
                        "{role}: no new training data after round {round}; its model carries over"
                    ),
                    (_, n, Some(loss)) => format!(
                        "{role}: trained on {n} examples after round {round} (final loss {loss:.4})"
                    ),
                    (_, n, None) => format!("{role}: trained on {n} examples after round {round}"),
                };
                self.note(line);
            }
            CampaignEvent::HeldoutStarted {
                round,
                set,
                problems,
            } => {
                self.note(format!(
                    "held-out evaluation {} on {set}: {problems} problems",
                    heldout_label(*round)
                ));
            }
            CampaignEvent::Heldout {
                round,
                set,
                scores,
                problems,
            } => {
                self.note(format!(
                    "held-out {} on {set}: {scores} on {problems} problems",
                    heldout_label(*round)
                ));
            }
            CampaignEvent::Replayed {
                round,
                role,
                own,
                replayed,
            } => {
                self.note(format!(
                    "{role}: trains after round {round} on {own} examples of its own and {replayed} replayed conversations"
                ));
            }
            CampaignEvent::Repeats { round, puzzles } => {
                self.note(format!(
                    "round {round}: {} learnable puzzles do not teach the proposer: each repeats one that already did",
                    puzzles.len()
                ));
            }
            CampaignEvent::Decontaminated { round, examples } => {
                let first = examples.first().map_or(String::new(), |(id, hit)| {
                    format!(" (first: task {id} overlaps {hit})")
                });
                self.note(format!(
                    "round {round}: {} training examples left out: they share a 13-gram with an evaluation set{first}",
                    examples.len()
                ));
            }
        }
    }

    fn finish(&self) {
        self.proposed.finish();
        self.solved.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// `campaign run`'s options on their own.
    #[derive(Parser)]
    struct Run {
        #[command(flatten)]
        args: RunArgs,
    }

    #[test]
    fn no_train_turns_off_the_warm_up_as_well_as_training_between_rounds() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("campaign.toml");
        std::fs::write(&path, "[warmup]\nset = \"puzzles/p3-train\"\n")?;
        let config = path.to_string_lossy().into_owned();
        let with = run_config(&Run::try_parse_from(["run", "--config", &config])?.args)?;
        assert!(with.warmup.enabled() && with.training.enabled);
        let without =
            run_config(&Run::try_parse_from(["run", "--config", &config, "--no-train"])?.args)?;
        assert!(!without.warmup.enabled() && !without.training.enabled);
        Ok(())
    }
}
