//! `crucible serve`: the sandbox as an HTTP service (see the `crucible-serve` crate).

use anyhow::{Context, Result, bail};
use clap::Args;
use crucible_sandbox::{Sandbox, SandboxConfig};
use crucible_serve::{AppState, ServeConfig};
use std::process::ExitCode;
use std::time::Duration;

/// `crucible serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (`127.0.0.1:8080`, `0.0.0.0:8080`; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Require `Authorization: Bearer TOKEN` on every endpoint but /health
    /// (default: `$CRUCIBLE_SERVE_TOKEN`, else none).
    #[arg(long, env = "CRUCIBLE_SERVE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Largest request body in bytes (larger: 413).
    #[arg(long, default_value_t = 16 << 20)]
    max_body: usize,
    /// Requests admitted at once, running or waiting (one more: 429 with Retry-After).
    #[arg(long, default_value_t = 64)]
    queue: usize,
    /// Programs run at once (default: the machine's cores).
    #[arg(long)]
    workers: Option<usize>,
    /// Largest CPU time limit a request may ask for, in seconds on the calibrated clock (larger
    /// asks are lowered). A looping Python program holds a worker about 13 s per second.
    #[arg(long, default_value_t = 10.0)]
    max_time_limit: f64,
    /// Largest memory limit a request may ask for, in MiB (larger asks are lowered).
    #[arg(long, default_value_t = 1024)]
    max_memory_mb: u64,
    /// Largest compile timeout a request may ask for, in seconds.
    #[arg(long, default_value_t = 30.0)]
    max_compile_timeout: f64,
}

impl ServeArgs {
    fn config(&self) -> Result<ServeConfig> {
        for (name, value) in [
            ("--max-time-limit", self.max_time_limit),
            ("--max-compile-timeout", self.max_compile_timeout),
        ] {
            if !(value.is_finite() && value > 0.0) {
                bail!("{name} must be a positive number of seconds");
            }
        }
        if self.queue == 0 || self.max_memory_mb == 0 || self.max_body == 0 {
            bail!("--queue, --max-memory-mb and --max-body must be positive");
        }
        Ok(ServeConfig {
            token: self.token.clone().filter(|t| !t.is_empty()),
            max_body_bytes: self.max_body,
            queue: self.queue,
            max_time_limit: Duration::from_secs_f64(self.max_time_limit),
            max_memory_bytes: self.max_memory_mb << 20,
            max_compile_timeout: Duration::from_secs_f64(self.max_compile_timeout),
            ..ServeConfig::default()
        })
    }

    fn sandbox(&self, config: &ServeConfig) -> Result<Sandbox> {
        let mut sandbox = SandboxConfig::default();
        if let Some(workers) = self.workers {
            if workers == 0 {
                bail!("--workers must be positive");
            }
            sandbox.workers = workers;
        }
        sandbox.max_memory_bytes = sandbox.max_memory_bytes.max(config.max_memory_bytes);
        Sandbox::new(sandbox).context("starting the sandbox")
    }
}

/// Runs the server until SIGTERM or ctrl-c, then finishes in-flight requests and exits 0.
pub async fn execute(args: ServeArgs) -> Result<ExitCode> {
    let config = args.config()?;
    let sandbox = args.sandbox(&config)?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr().context("reading the bound address")?;
    tracing::info!(%address, workers = sandbox.workers(), queue = config.queue, "serving");
    // The line scripts wait for (the address matters when the port was 0).
    eprintln!("crucible serve: listening on http://{address}");
    let state = AppState::new(sandbox, config);
    crucible_serve::serve(listener, state, crucible_serve::shutdown_signal())
        .await
        .context("serving")?;
    eprintln!("crucible serve: stopped");
    Ok(ExitCode::SUCCESS)
}
