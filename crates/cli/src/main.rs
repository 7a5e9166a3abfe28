//! `crucible`: the command line. Thin wiring over the library crates.

mod campaign_cmd;
mod eval_cmd;
mod model_cmd;
mod sandbox_cmd;
mod serve_cmd;
mod train_cmd;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Language models teaching themselves to program, verified in a WebAssembly sandbox.
#[derive(Parser)]
#[command(name = "crucible", version, about)]
struct Cli {
    /// Threads for the model's kernels (candle's pool; overrides `RAYON_NUM_THREADS`). Default:
    /// every core for `generate` and `train`, all but one for `eval` and `campaign`, where the
    /// sandbox judges beside the model.
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run or judge a program in the WebAssembly sandbox.
    #[command(subcommand)]
    Sandbox(sandbox_cmd::SandboxCommand),
    /// Score solutions (from files, or the set's own references) on a problem set: pass@k.
    Eval(eval_cmd::EvalArgs),
    /// List or fetch the known models.
    #[command(subcommand)]
    Model(model_cmd::ModelCommand),
    /// Generate completions with a model and print them with tokens/s.
    Generate(model_cmd::GenerateArgs),
    /// Self-play campaigns: propose puzzles, validate, solve, judge, keep verified pairs.
    #[command(subcommand)]
    Campaign(campaign_cmd::CampaignCommand),
    /// Fine-tune a model with LoRA on JSONL conversations; writes a PEFT adapter.
    Train(train_cmd::TrainCommand),
    /// Serve the sandbox over HTTP (SandboxFusion-compatible /run_code, /judge, /metrics).
    Serve(serve_cmd::ServeArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    choose_thread_count(&cli);
    // A server logs each request (`info`); the other commands only warnings.
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    init_logging(default_level);
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Logs to stderr, filtered by `$CRUCIBLE_LOG` (default `default_level`); one JSON object per
/// line when `$CRUCIBLE_LOG_FORMAT` is `json` (for log collectors), else plain text.
fn init_logging(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CRUCIBLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("CRUCIBLE_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
}

/// candle's CPU kernels use rayon's global pool, whose threads busy-wait: more threads than
/// idle cores is far slower. `--threads` wins; else `RAYON_NUM_THREADS` when set; else
/// `generate` uses every core, and `eval` and `campaign` (which judge in the sandbox while the
/// model writes) leave one core to the sandbox.
fn choose_thread_count(cli: &Cli) {
    let threads = match cli.threads {
        Some(n) => usize::from(n),
        None if std::env::var_os("RAYON_NUM_THREADS").is_some() => return,
        None => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            match cli.command {
                Command::Eval(_) | Command::Campaign(_) => cores.saturating_sub(1).max(1),
                _ => cores,
            }
        }
    };
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe { std::env::set_var("RAYON_NUM_THREADS", threads.to_string()) };
}

/// The model's thread count as chosen at start-up (for progress lines).
pub(crate) fn model_threads() -> String {
    std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "?".into())
}

fn run(cli: Cli) -> Result<std::process::ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Sandbox(cmd) => runtime.block_on(sandbox_cmd::execute(cmd)),
        Command::Eval(args) => runtime.block_on(eval_cmd::execute(args)),
        Command::Model(cmd) => model_cmd::model(cmd),
        Command::Generate(args) => model_cmd::generate(args),
        Command::Campaign(cmd) => campaign_cmd::execute(cmd),
        Command::Train(args) => train_cmd::execute(args),
        Command::Serve(args) => runtime.block_on(serve_cmd::execute(args)),
    }
}
