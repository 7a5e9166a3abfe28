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
    /// Threads for the model's kernels (overrides `RAYON_NUM_THREADS`). Default: every core;
    /// in `eval` and `campaign` the model's pool takes only the cores the sandbox leaves idle.
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

/// The model's threads: `--threads` wins; else `RAYON_NUM_THREADS` when set; else every core.
/// The model's kernels split their work over a pool of that size that takes from the sandbox
/// only the cores it leaves idle (a worker that is not running takes no work, idle workers
/// park), so `eval` and `campaign` use every core for the model too. candle's own barrier
/// pool, whose caller spins until every worker has checked in (decoding collapsed when the
/// sandbox held a core), is kept to the calling thread (`CANDLE_NUM_THREADS=1`) unless that
/// variable is set or the command is `train`.
fn choose_thread_count(cli: &Cli) {
    // `train` alone keeps candle's pool at full size: its element-wise work (the backward
    // pass) runs there, with no sandbox beside it.
    if std::env::var_os("CANDLE_NUM_THREADS").is_none() && !matches!(cli.command, Command::Train(_))
    {
        // SAFETY: called first thing in main, before any other thread exists.
        unsafe { std::env::set_var("CANDLE_NUM_THREADS", "1") };
    }
    let threads = match cli.threads {
        Some(n) => usize::from(n),
        None if std::env::var_os("RAYON_NUM_THREADS").is_some() => return,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
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
