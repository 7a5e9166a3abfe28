//! `crucible`: the command line. Thin wiring over the library crates.

mod eval_cmd;
mod sandbox_cmd;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Language models teaching themselves to program, verified in a WebAssembly sandbox.
#[derive(Parser)]
#[command(name = "crucible", version, about)]
struct Cli {
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
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CRUCIBLE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<std::process::ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Sandbox(cmd) => runtime.block_on(sandbox_cmd::execute(cmd)),
        Command::Eval(args) => runtime.block_on(eval_cmd::execute(args)),
    }
}
