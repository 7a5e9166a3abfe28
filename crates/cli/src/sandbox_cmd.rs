//! `crucible sandbox run|judge`.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use crucible_sandbox::{
    Checker, JudgeOptions, JudgeReport, Language, Limits, Program, RunReport, Sandbox,
    SandboxConfig, TestCase, Verdict,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Sandbox subcommands.
#[derive(Subcommand)]
pub enum SandboxCommand {
    /// Compile FILE and run it once; its stdout is printed, a summary goes to stderr.
    Run(RunArgs),
    /// Compile FILE and judge it on every `*.in` / `*.ans` pair under DIR.
    Judge(JudgeArgs),
}

/// Options shared by `run` and `judge`.
#[derive(Args)]
pub struct Common {
    /// The source file (.c, .cpp, .py, .wasm, .wat).
    file: PathBuf,
    /// Language, when the extension does not say (c, cpp, python, wasm).
    #[arg(long)]
    lang: Option<Language>,
    /// CPU time limit in seconds (calibrated fuel clock).
    #[arg(long, default_value_t = 2.0)]
    time_limit: f64,
    /// Memory limit in MiB.
    #[arg(long, default_value_t = 256)]
    memory_limit: u64,
    /// Output limit in MiB.
    #[arg(long, default_value_t = 64)]
    output_limit: u64,
    /// Print a JSON report instead of text.
    #[arg(long)]
    json: bool,
}

/// `crucible sandbox run`.
#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    common: Common,
    /// File to feed on stdin (default: nothing).
    #[arg(long)]
    stdin: Option<PathBuf>,
}

/// `crucible sandbox judge`.
#[derive(Args)]
pub struct JudgeArgs {
    #[command(flatten)]
    common: Common,
    /// Directory holding `*.in` and matching `*.ans` files (searched recursively).
    #[arg(long)]
    tests: PathBuf,
    /// Output comparison: tokens (default, case-insensitive), tokens-case, exact, float:TOL,
    /// or a checker source file (Kattis output-validator protocol).
    #[arg(long, default_value = "tokens")]
    checker: String,
    /// Stop after the first failing test.
    #[arg(long)]
    stop_on_failure: bool,
}

/// Runs a sandbox subcommand.
pub async fn execute(cmd: SandboxCommand) -> Result<ExitCode> {
    match cmd {
        SandboxCommand::Run(args) => run(args).await,
        SandboxCommand::Judge(args) => judge(args).await,
    }
}

impl Common {
    fn limits(&self) -> Result<Limits> {
        if !(self.time_limit.is_finite() && self.time_limit > 0.0) {
            bail!("--time-limit must be a positive number of seconds");
        }
        Ok(Limits {
            time: Duration::from_secs_f64(self.time_limit),
            memory_bytes: self.memory_limit << 20,
            output_bytes: self.output_limit << 20,
            ..Limits::default()
        })
    }

    fn language(&self) -> Result<Language> {
        match self.lang {
            Some(lang) => Ok(lang),
            None => Language::from_path(&self.file).with_context(|| {
                format!(
                    "cannot tell the language of {} from its extension; pass --lang",
                    self.file.display()
                )
            }),
        }
    }
}

fn open_sandbox() -> Result<Sandbox> {
    Sandbox::new(SandboxConfig::default()).context("starting the sandbox")
}

/// Compiles `file`; a compile error is printed and turned into `Err(exit code)`.
async fn compile(
    sandbox: &Sandbox,
    common: &Common,
) -> Result<std::result::Result<Program, ExitCode>> {
    let lang = common.language()?;
    let source = std::fs::read(&common.file)
        .with_context(|| format!("reading {}", common.file.display()))?;
    match sandbox.compile_async(lang, source).await {
        Ok(program) => Ok(Ok(program)),
        Err(crucible_sandbox::CompileError::Sandbox(e)) => Err(e).context("compiling"),
        Err(err) => {
            if common.json {
                let value =
                    serde_json::json!({"verdict": err.verdict(), "message": err.message(8 << 10)});
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                eprintln!("{}", err.message(8 << 10));
                eprintln!("verdict: {}", err.verdict().code());
            }
            Ok(Err(ExitCode::from(1)))
        }
    }
}

async fn run(args: RunArgs) -> Result<ExitCode> {
    let limits = args.common.limits()?;
    let stdin = match &args.stdin {
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        None => Vec::new(),
    };
    let sandbox = open_sandbox()?;
    let program = match compile(&sandbox, &args.common).await? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let report = sandbox.run_async(&program, &stdin, &limits).await?;
    let verdict = report.termination.verdict();
    if args.common.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        std::io::stdout().write_all(&report.stdout)?;
        std::io::stdout().flush()?;
        std::io::stderr().write_all(&report.stderr)?;
        eprintln!("{}", summarize_run(&report));
    }
    Ok(if verdict.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn summarize_run(report: &RunReport) -> String {
    let verdict = report
        .termination
        .verdict()
        .map_or("OK".to_string(), |v| v.code().to_string());
    format!(
        "[{verdict}] {} · cpu {:.3} s (fuel {}) · wall {:.1} ms · peak memory {:.1} MiB",
        report.termination.describe(),
        report.cpu_seconds,
        report.fuel,
        report.wall.as_secs_f64() * 1000.0,
        report.peak_memory as f64 / (1 << 20) as f64
    )
}

async fn judge(args: JudgeArgs) -> Result<ExitCode> {
    let limits = args.common.limits()?;
    let tests = load_tests(&args.tests)?;
    let sandbox = open_sandbox()?;
    let (checker, checker_program) = parse_checker(&sandbox, &args.checker).await?;
    let program = match compile(&sandbox, &args.common).await? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let options = JudgeOptions {
        limits,
        checker,
        checker_program,
        stop_at_first_failure: args.stop_on_failure,
        keep_output_bytes: 0,
    };
    let report = sandbox.judge(&program, &tests, &options).await;
    if args.common.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_judge_report(&report);
    }
    Ok(if report.verdict == Verdict::Accepted {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_judge_report(report: &JudgeReport) {
    let width = report
        .tests
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    println!("{:width$}  verdict  cpu (s)  memory (MiB)  note", "test");
    for t in &report.tests {
        println!(
            "{:width$}  {:7}  {:7.3}  {:12.1}  {}",
            t.name,
            t.verdict.code(),
            t.cpu_seconds,
            t.peak_memory as f64 / (1 << 20) as f64,
            crucible_sandbox::truncate(&t.message.replace('\n', " "), 100)
        );
    }
    println!(
        "{} — {}/{} tests passed · max cpu {:.3} s · max memory {:.1} MiB · {:.0} ms",
        report.verdict.code(),
        report.passed,
        report.tests.len(),
        report.max_cpu_seconds,
        report.max_memory as f64 / (1 << 20) as f64,
        report.wall_ms
    );
}

/// Parses `--checker`.
async fn parse_checker(sandbox: &Sandbox, spec: &str) -> Result<(Checker, Option<Program>)> {
    match spec {
        "tokens" => Ok((Checker::default(), None)),
        "tokens-case" => Ok((
            Checker::Tokens {
                case_sensitive: true,
            },
            None,
        )),
        "exact" => Ok((Checker::Exact, None)),
        s if s.starts_with("float:") => {
            let tol: f64 = s["float:".len()..]
                .parse()
                .with_context(|| format!("bad tolerance in --checker {s}"))?;
            Ok((Checker::float(tol), None))
        }
        path => {
            let path = Path::new(path);
            let lang = Language::from_path(path).with_context(|| {
                format!(
                    "--checker {}: not a known checker kind or source file",
                    path.display()
                )
            })?;
            let source =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let program = sandbox
                .compile_async(lang, source)
                .await
                .with_context(|| format!("compiling checker {}", path.display()))?;
            Ok((Checker::Custom, Some(program)))
        }
    }
}

/// Collects `*.in` files under `dir` (recursively, sorted) with their `.ans` (or `.out`).
pub fn load_tests(dir: &Path) -> Result<Vec<TestCase>> {
    let mut inputs = Vec::new();
    collect_inputs(dir, &mut inputs)?;
    inputs.sort();
    if inputs.is_empty() {
        bail!("no *.in files under {}", dir.display());
    }
    inputs
        .into_iter()
        .map(|input| {
            let answer = ["ans", "out"]
                .iter()
                .map(|ext| input.with_extension(ext))
                .find(|p| p.exists())
                .with_context(|| format!("{} has no matching .ans file", input.display()))?;
            let name = input
                .strip_prefix(dir)
                .unwrap_or(&input)
                .with_extension("")
                .display()
                .to_string();
            Ok(TestCase::new(
                name,
                std::fs::read(&input).with_context(|| format!("reading {}", input.display()))?,
                std::fs::read(&answer).with_context(|| format!("reading {}", answer.display()))?,
            ))
        })
        .collect()
}

fn collect_inputs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_inputs(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "in") {
            out.push(path);
        }
    }
    Ok(())
}
