//! Prefill and decode throughput of the local forward pass at several batch sizes, and the
//! peak memory of each.
//!
//! ```text
//! cargo run --release -p crucible-model --example throughput -- [MODEL.gguf]
//!     [--batches 1,8,32] [--prompts 32] [--prompt-tokens 100] [--new-tokens 64]
//! ```
//!
//! The model defaults to the default model (Qwen2.5-Coder-0.5B) in the models directory. Each
//! batch size runs in its own process, so that its peak resident set (`VmHWM`) is its own. In
//! a run, the prompts go through in groups of the batch size: the group's prompts are
//! prefilled together, in forward calls of at most 1,024 tokens (as `LocalModel` does), then
//! every step decodes one greedy token for each of the group's sequences, with no early stop.
//! Threads: set `RAYON_NUM_THREADS`. With `THROUGHPUT_SHOW_TEXT` set, each group prints the
//! greedy text of its first sequence to stderr (to check that a change keeps the output). Freed
//! memory stays in the heap during the measurement, as in `LocalModel` (`HeapReuse`); with
//! `THROUGHPUT_NO_HEAP_REUSE` set it does not (glibc's defaults), for an A/B of that.

use crucible_model::{
    ChatMessage, DEFAULT_MODEL, HeapReuse, KvCache, LocalModel, LocalModelConfig, Step,
    Transformer, default_models_dir, resolve_model,
};
use std::error::Error;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Most prompt tokens per prefill call (the figure `LocalModel`'s scheduler uses).
const PREFILL_TOKENS: usize = 1024;

/// What to measure.
#[derive(Debug, Clone)]
struct Settings {
    model: PathBuf,
    batches: Vec<usize>,
    prompts: usize,
    prompt_tokens: usize,
    new_tokens: usize,
    /// Set in the child process that measures one batch size.
    only: Option<usize>,
}

/// One batch size's figures.
#[derive(Debug, Clone, Copy)]
struct Figures {
    batch: usize,
    prefill_tokens_per_s: f64,
    decode_tokens_per_s: f64,
    /// Decode tokens per second of CPU time used by the process (all threads): unlike wall
    /// time, it does not count time the process waited for a core on a busy machine.
    decode_tokens_per_cpu_s: f64,
    peak_rss_mib: f64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let settings = parse_args()?;
    match settings.only {
        Some(batch) => {
            let figures = measure(&settings, batch)?;
            println!(
                "RESULT {} {} {} {} {}",
                figures.batch,
                figures.prefill_tokens_per_s,
                figures.decode_tokens_per_s,
                figures.decode_tokens_per_cpu_s,
                figures.peak_rss_mib
            );
        }
        None => {
            let mut all = Vec::new();
            for &batch in &settings.batches {
                all.push(run_child(&settings, batch)?);
            }
            print_table(&settings, &all);
        }
    }
    Ok(())
}

fn parse_args() -> Result<Settings, Box<dyn Error>> {
    let mut settings = Settings {
        model: PathBuf::new(),
        batches: vec![1, 8, 32],
        prompts: 32,
        prompt_tokens: 100,
        new_tokens: 64,
        only: None,
    };
    let mut model = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--batches" => {
                settings.batches = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "--prompts" => settings.prompts = value()?.parse()?,
            "--prompt-tokens" => settings.prompt_tokens = value()?.parse()?,
            "--new-tokens" => settings.new_tokens = value()?.parse()?,
            "--only" => settings.only = Some(value()?.parse()?),
            other if other.starts_with("--") => return Err(format!("unknown flag {other}").into()),
            path => model = Some(PathBuf::from(path)),
        }
    }
    settings.model = match model {
        Some(path) => path,
        None => resolve_model(DEFAULT_MODEL, &default_models_dir())?,
    };
    if settings.prompt_tokens == 0 || settings.new_tokens == 0 || settings.prompts == 0 {
        return Err("prompts, prompt tokens and new tokens must be positive".into());
    }
    Ok(settings)
}

/// Runs one batch size in a child process and reads its figures.
fn run_child(settings: &Settings, batch: usize) -> Result<Figures, Box<dyn Error>> {
    let output = Command::new(std::env::current_exe()?)
        .arg(&settings.model)
        .args(["--only", &batch.to_string()])
        .args(["--prompts", &settings.prompts.to_string()])
        .args(["--prompt-tokens", &settings.prompt_tokens.to_string()])
        .args(["--new-tokens", &settings.new_tokens.to_string()])
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or_else(|| {
            format!(
                "batch {batch} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    let numbers: Vec<f64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    match numbers[..] {
        [_, prefill, decode, decode_cpu, rss] => Ok(Figures {
            batch,
            prefill_tokens_per_s: prefill,
            decode_tokens_per_s: decode,
            decode_tokens_per_cpu_s: decode_cpu,
            peak_rss_mib: rss,
        }),
        _ => Err(format!("unreadable result line: {line}").into()),
    }
}

/// Prefills and decodes every prompt in groups of `batch`.
fn measure(settings: &Settings, batch: usize) -> Result<Figures, Box<dyn Error>> {
    let model = LocalModel::load(&LocalModelConfig::new(&settings.model))?;
    let prompts = prompts(&model, settings.prompts, settings.prompt_tokens)?;
    let transformer = model.transformer();
    let _heap = std::env::var_os("THROUGHPUT_NO_HEAP_REUSE")
        .is_none()
        .then(HeapReuse::begin);
    let mut prefill_time = Duration::ZERO;
    let mut decode_time = Duration::ZERO;
    let mut decode_cpu = 0.0;
    for group in prompts.chunks(batch.max(1)) {
        let mut caches: Vec<KvCache> = group.iter().map(|_| transformer.new_cache()).collect();
        let start = Instant::now();
        let logits = prefill(transformer, &mut caches, group)?;
        prefill_time += start.elapsed();
        let mut next: Vec<Vec<u32>> = logits.iter().map(|l| vec![argmax(l)]).collect();
        let mut first = vec![next[0][0]];
        let start = Instant::now();
        let cpu_start = cpu_seconds()?;
        for _ in 1..settings.new_tokens {
            let logits = forward(transformer, &mut caches, &next)?;
            next = logits.iter().map(|l| vec![argmax(l)]).collect();
            first.push(next[0][0]);
        }
        decode_time += start.elapsed();
        decode_cpu += cpu_seconds()? - cpu_start;
        if std::env::var_os("THROUGHPUT_SHOW_TEXT").is_some() {
            eprintln!("greedy text: {:?}", model.decode(&first)?);
        }
    }
    let prompt_total = (settings.prompts * settings.prompt_tokens) as f64;
    // The first new token of each prompt comes from its prefill.
    let decoded_total = (settings.prompts * (settings.new_tokens - 1)) as f64;
    Ok(Figures {
        batch,
        prefill_tokens_per_s: prompt_total / prefill_time.as_secs_f64(),
        decode_tokens_per_s: decoded_total / decode_time.as_secs_f64(),
        decode_tokens_per_cpu_s: decoded_total / decode_cpu,
        peak_rss_mib: peak_rss_mib()?,
    })
}

/// Prefills `prompts[i]` into `caches[i]`, as many prompts per call as fit in
/// [`PREFILL_TOKENS`]; returns the logits after each prompt.
fn prefill(
    transformer: &Transformer,
    caches: &mut [KvCache],
    prompts: &[Vec<u32>],
) -> Result<Vec<Vec<f32>>, Box<dyn Error>> {
    let longest = prompts.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let per_call = (PREFILL_TOKENS / longest).max(1);
    let mut logits = Vec::with_capacity(prompts.len());
    for (caches, prompts) in caches.chunks_mut(per_call).zip(prompts.chunks(per_call)) {
        logits.extend(forward(transformer, caches, prompts)?);
    }
    Ok(logits)
}

/// One forward call feeding `tokens[i]` to `caches[i]`.
fn forward(
    transformer: &Transformer,
    caches: &mut [KvCache],
    tokens: &[Vec<u32>],
) -> Result<Vec<Vec<f32>>, Box<dyn Error>> {
    let mut steps: Vec<Step<'_>> = caches
        .iter_mut()
        .zip(tokens)
        .map(|(cache, tokens)| Step { cache, tokens })
        .collect();
    Ok(transformer.forward(&mut steps)?)
}

/// `count` different chat prompts of exactly `length` tokens.
fn prompts(
    model: &LocalModel,
    count: usize,
    length: usize,
) -> Result<Vec<Vec<u32>>, Box<dyn Error>> {
    let topics = [
        "reverses a linked list",
        "parses a date in ISO format",
        "counts the words in a file",
        "merges two sorted arrays",
        "checks whether a string is a palindrome",
        "computes the n-th Fibonacci number",
        "finds the shortest path in a grid",
        "validates an email address",
    ];
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let topic = topics[i % topics.len()];
        let mut message = format!("Task {i}: write a Python function that {topic}.");
        let mut ids = Vec::new();
        while ids.len() < length {
            message.push_str(" Explain each step, handle edge cases and add tests.");
            let text = model
                .template()
                .render(&[ChatMessage::user(message.clone())]);
            ids = model.encode(&text)?;
        }
        ids.truncate(length);
        out.push(ids);
    }
    Ok(out)
}

fn argmax(values: &[f32]) -> u32 {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best as u32
}

/// CPU time used so far by this process, all threads (user + system), in seconds.
fn cpu_seconds() -> Result<f64, Box<dyn Error>> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name (which may contain spaces) start at the state, field 3;
    // utime and stime are fields 14 and 15, in clock ticks of 1/100 s on Linux.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("unreadable /proc/self/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64, Box<dyn Error>> {
        Ok(fields
            .get(i)
            .ok_or("short /proc/self/stat")?
            .parse::<f64>()?)
    };
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

/// The peak resident set of this process (`VmHWM`), in MiB.
fn peak_rss_mib() -> Result<f64, Box<dyn Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(kib / 1024.0)
}

fn print_table(settings: &Settings, all: &[Figures]) {
    let Some(first) = all.first() else {
        return;
    };
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all cores".into());
    println!(
        "model {}, threads {threads}, {} prompts of {} tokens, {} new tokens each (greedy)",
        settings.model.display(),
        settings.prompts,
        settings.prompt_tokens,
        settings.new_tokens
    );
    println!(
        "| batch | prefill tok/s | decode tok/s | decode vs batch {} | decode tok per CPU-s | peak RSS (MiB) |",
        first.batch
    );
    println!("|---|---|---|---|---|---|");
    for f in all {
        println!(
            "| {} | {:.1} | {:.1} | {:.2}x | {:.1} | {:.0} |",
            f.batch,
            f.prefill_tokens_per_s,
            f.decode_tokens_per_s,
            f.decode_tokens_per_s / first.decode_tokens_per_s,
            f.decode_tokens_per_cpu_s,
            f.peak_rss_mib
        );
    }
}
