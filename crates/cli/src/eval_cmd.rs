//! `crucible eval`.

use anyhow::{Context, Result, bail};
use clap::Args;
use crucible_cli::wiring::open_model;
use crucible_eval::{
    DirectorySource, EvalConfig, EvalReport, Evaluator, ModelSource, ReferenceSource, ResultStore,
    SampleSource, compare_results, read_results,
};
use crucible_model::{OpenOptions, SamplingParams, default_models_dir};
use crucible_problems::{Split, formats};
use crucible_sandbox::{Language, Sandbox, SandboxConfig};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// `crucible eval` arguments.
#[derive(Args)]
pub struct EvalArgs {
    /// The problem set: a Kattis package or folder of packages, our seed set (`puzzles/`), or a
    /// P3 / HumanEval / MBPP / CodeContests / LiveCodeBench file, or an APPS folder.
    #[arg(long, required_unless_present = "compare")]
    set: Option<PathBuf>,
    /// Compare two evaluations problem by problem instead (their `results.jsonl` files or output
    /// folders, before then after): mean difference with a 95 % interval, McNemar's test.
    #[arg(long, num_args = 2, value_names = ["BEFORE", "AFTER"], conflicts_with = "set")]
    compare: Option<Vec<PathBuf>>,
    /// Judge existing solutions instead of generating: a folder with `<id>.<ext>` or
    /// `<id>/*.<ext>` files, or `references` for the set's own reference solutions.
    #[arg(long)]
    solutions: Option<String>,
    /// Model to generate with: a known name, a .gguf file, or the URL of an OpenAI-compatible
    /// server (`http://host:port[/v1]`; end it in `/v1/completions` for that endpoint).
    #[arg(long)]
    model: Option<String>,
    /// With a server URL: the served model (default: the first one it lists).
    #[arg(long)]
    served_model: Option<String>,
    /// With a server URL: a field to add to every request, `KEY=VALUE` (VALUE as JSON, else a
    /// string); repeatable. For llama-cpp-python's server give `repeat_penalty=1.0`: it
    /// applies 1.1 unless asked otherwise, so its greedy decoding is not plain greedy.
    #[arg(long = "server-param", value_name = "KEY=VALUE", value_parser = crucible_cli::wiring::parse_server_param)]
    server_params: Vec<(String, serde_json::Value)>,
    /// Samples per problem (n).
    #[arg(long, default_value_t = 1)]
    samples: usize,
    /// The k values of pass@k to report.
    #[arg(long, value_delimiter = ',', default_value = "1")]
    k: Vec<usize>,
    /// Language to solve stdin/stdout problems in (for generation, and to pick references).
    #[arg(long)]
    lang: Option<Language>,
    /// Sampling temperature (generation only).
    #[arg(long, default_value_t = 0.8)]
    temperature: f64,
    /// Sampling seed (generation only; sample i uses seed + i).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Most new tokens per sample (generation only).
    #[arg(long, default_value_t = 768)]
    max_tokens: usize,
    /// Only problems of this split (train or heldout).
    #[arg(long)]
    split: Option<String>,
    /// Only the first N problems.
    #[arg(long)]
    limit: Option<usize>,
    /// Where results and reports go (default: runs/eval/<set>-<key>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Let the model write on after its first complete code block (by default generation stops
    /// there: the answer is complete, and the prose after it costs time).
    #[arg(long)]
    full_replies: bool,
    /// Problems whose prompts go to the model together (generation only): the model decodes
    /// them in one continuous batch while the problems before them are judged; 1 asks one
    /// problem at a time.
    #[arg(long, default_value_t = crucible_eval::MODEL_BATCH)]
    batch: usize,
    /// Judge every test even after a failure (slower; per-test counts become complete).
    #[arg(long)]
    all_tests: bool,
    /// Judge on a `crucible serve` fleet at this URL (a replica or a load balancer) instead of
    /// in this process; same verdicts. A bearer token is read from `$CRUCIBLE_JUDGE_TOKEN`.
    #[arg(long)]
    judge_url: Option<String>,
}

/// Runs `crucible eval`.
pub async fn execute(args: EvalArgs) -> Result<ExitCode> {
    if let Some(paths) = &args.compare {
        return compare(&paths[0], &paths[1]);
    }
    let Some(set) = args.set.clone() else {
        bail!("give --set (or --compare BEFORE AFTER)");
    };
    if args.samples == 0 {
        bail!("--samples must be at least 1");
    }
    let source = sample_source(&args)?;
    let loaded = formats::load_set(&set).with_context(|| format!("loading {}", set.display()))?;
    for notice in &loaded.notices {
        eprintln!("note: {notice}");
    }
    for err in loaded.errors.iter().take(10) {
        eprintln!("skipped: {err}");
    }
    if loaded.errors.len() > 10 {
        eprintln!("… and {} more problems skipped", loaded.errors.len() - 10);
    }
    let mut problems = loaded.problems;
    if let Some(split) = &args.split {
        let wanted = Split::parse(split)
            .with_context(|| format!("unknown split `{split}` (train or heldout)"))?;
        problems.retain(|p| p.split == Some(wanted));
    }
    if let Some(limit) = args.limit {
        problems.truncate(limit);
    }
    if problems.is_empty() {
        bail!("no problems to evaluate in {}", set.display());
    }
    let sandbox = Sandbox::new(SandboxConfig::default()).context("starting the sandbox")?;
    let config = EvalConfig {
        samples: args.samples,
        ks: args.k.clone(),
        stop_at_first_failure: !args.all_tests,
        remote: remote_judge(args.judge_url.as_deref())?,
        ..EvalConfig::default()
    };
    let workers = sandbox.workers();
    let evaluator = Evaluator::new(sandbox, config);
    let set_name = set_name(&set);
    let key = evaluator.key(
        &format!("{}:{:?}:{:?}", set.display(), args.split, args.limit),
        source.as_ref(),
    );
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs/eval").join(format!("{set_name}-{}", &key[..8])));
    let store = ResultStore::open(&out.join("results.jsonl"), &key)?;
    if !store.is_empty() {
        eprintln!(
            "resuming: {} of {} problems already judged ({})",
            store.len(),
            problems.len(),
            out.display()
        );
    }
    if args.model.is_some() {
        eprintln!(
            "threads: model {}, sandbox workers {workers}",
            crate::model_threads()
        );
    }
    let bar = progress_bar(problems.len());
    let started = Instant::now();
    // Outside a terminal (a log file, nohup, CI) the bar is hidden: a line every 30 s instead.
    let lines = (!std::io::stderr().is_terminal()).then(|| std::sync::Mutex::new(Instant::now()));
    let resumed = store.len();
    let results = evaluator
        .run(&problems, Arc::clone(&source), &store, &|p| {
            bar.set_position(p.done as u64);
            bar.set_message(p.id.clone());
            if let Some(last) = &lines {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed().as_secs() >= 30 || p.done == p.total {
                    *last = Instant::now();
                    eprintln!("{}", progress_line(p.done, p.total, resumed, started));
                }
            }
        })
        .await?;
    bar.finish_and_clear();
    let report = EvalReport::build(
        &set_name,
        &source.describe(),
        args.samples,
        &args.k,
        results,
        started.elapsed().as_secs_f64(),
    );
    write_reports(&report, &out)?;
    print!("{}", report.to_terminal());
    println!("reports: {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// `--compare BEFORE AFTER`: the paired comparison of two results files.
fn compare(before: &Path, after: &Path) -> Result<ExitCode> {
    let read = |path: &Path| {
        read_results(path).with_context(|| format!("reading results from {}", path.display()))
    };
    let (before_results, after_results) = (read(before)?, read(after)?);
    let (paired, unmatched) = compare_results(&before_results, &after_results);
    let Some(paired) = paired else {
        bail!(
            "{} and {} share no problem ids: nothing to compare",
            before.display(),
            after.display()
        );
    };
    println!("{}", paired.describe());
    if unmatched > 0 {
        println!("({unmatched} problems are in only one of the two and were left out)");
    }
    println!(
        "{}",
        if paired.gain() {
            "the whole 95 % interval is above zero: a gain"
        } else if paired.high < 0.0 {
            "the whole 95 % interval is below zero: a loss"
        } else {
            "the interval contains zero: the change is inside the noise"
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn sample_source(args: &EvalArgs) -> Result<Arc<dyn SampleSource>> {
    match (&args.solutions, &args.model) {
        (Some(_), Some(_)) => bail!("give either --solutions or --model, not both"),
        (Some(s), None) if s == "references" => Ok(Arc::new(ReferenceSource { lang: args.lang })),
        (Some(dir), None) => {
            let dir = PathBuf::from(dir);
            if !dir.is_dir() {
                bail!(
                    "--solutions {}: not a directory (or `references`)",
                    dir.display()
                );
            }
            Ok(Arc::new(DirectorySource::new(dir)))
        }
        (None, Some(model)) => {
            let options = OpenOptions {
                served_model: args.served_model.clone(),
                server_params: args.server_params.iter().cloned().collect(),
                ..OpenOptions::default()
            };
            let generator = open_model(model, &default_models_dir(), &options)
                .with_context(|| format!("opening model {model}"))?;
            let sampling = SamplingParams {
                temperature: args.temperature,
                seed: args.seed,
                max_new_tokens: args.max_tokens,
                stop_after_code_block: !args.full_replies,
                ..SamplingParams::default()
            };
            let lang = args.lang.unwrap_or(Language::Cpp);
            Ok(Arc::new(
                ModelSource::new(generator, sampling, lang).with_batch(args.batch),
            ))
        }
        (None, None) => {
            bail!(
                "give --model NAME (generate samples) or --solutions DIR|references (judge files)"
            )
        }
    }
}

fn set_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "set".into());
    let name = name
        .trim_end_matches(".gz")
        .trim_end_matches(".jsonl")
        .trim_end_matches(".json");
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `120/500 problems · 14.2/min · ETA 26 min` (the rate counts problems judged in this run).
fn progress_line(done: usize, total: usize, resumed: usize, started: Instant) -> String {
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let rate = done.saturating_sub(resumed) as f64 / minutes.max(1e-9);
    let eta = if rate > 0.0 {
        format!("{:.0} min", (total - done) as f64 / rate)
    } else {
        "-".into()
    };
    format!("{done}/{total} problems · {rate:.1}/min · ETA {eta}")
}

fn progress_bar(total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} problems · ETA {eta} · {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn write_reports(report: &EvalReport, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let write = |name: &str, text: String| {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    write("report.json", serde_json::to_string_pretty(report)?)?;
    write("chart.svg", report.to_svg())?;
    write("report.md", report.to_markdown("chart.svg"))?;
    Ok(())
}

/// The remote judge `--judge-url` names, if any.
fn remote_judge(url: Option<&str>) -> Result<Option<crucible_eval::RemoteJudge>> {
    let Some(url) = url else {
        return Ok(None);
    };
    crucible_eval::RemoteJudge::from_env(url)
        .map(Some)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("--judge-url {url}"))
}
