//! Load test: requests/s and p50/p99 latency of `POST /run_code` for a tiny Python and a tiny
//! C++ program at several client concurrencies, next to the same work done in-process (compile
//! from the warm cache + run), in one invocation.
//!
//! ```sh
//! cargo run --release -p crucible-serve --example loadtest -- [PY_REQUESTS] [CPP_REQUESTS] [WORKERS]
//! ```
//!
//! The server runs in this process on 127.0.0.1:0 (the same router `crucible serve` runs) and
//! is driven over real HTTP by `reqwest` clients.

use crucible_sandbox::{Language, Limits, Sandbox, SandboxConfig};
use crucible_serve::{AppState, ServeConfig};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const PYTHON: &str = "n = int(input())\nprint(n * 2)\n";
const CPP: &str = "#include <cstdio>\nint main(){long n; if(std::scanf(\"%ld\",&n)!=1) return 1; std::printf(\"%ld\\n\", n*2);}\n";
const CONCURRENCY: [usize; 3] = [1, 8, 64];

/// Latencies of one load run and its wall time.
struct Sample {
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Sample {
    fn line(&mut self, label: &str) -> String {
        self.latencies.sort();
        let pick = |q: f64| {
            let i =
                ((self.latencies.len() as f64 * q).ceil() as usize).clamp(1, self.latencies.len());
            self.latencies[i - 1].as_secs_f64() * 1e3
        };
        format!(
            "| {label} | {} | {:.1} | {:.1} | {:.1} |",
            self.latencies.len(),
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            pick(0.5),
            pick(0.99)
        )
    }
}

/// Runs `total` calls of `call`, `concurrency` at a time.
async fn load<F, Fut>(total: usize, concurrency: usize, call: F) -> Sample
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(Mutex::new(0usize));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (next, latencies, call) = (Arc::clone(&next), Arc::clone(&latencies), call.clone());
        tasks.spawn(async move {
            loop {
                let i = {
                    let mut n = next.lock().await;
                    if *n >= total {
                        break;
                    }
                    *n += 1;
                    *n
                };
                let t = Instant::now();
                call(i).await;
                latencies.lock().await.push(t.elapsed());
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    let latencies = std::mem::take(&mut *latencies.lock().await);
    Sample { latencies, elapsed }
}

async fn http_load(url: &str, lang: &str, code: &str, total: usize, concurrency: usize) -> Sample {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let (url, lang, code) = (url.to_string(), lang.to_string(), code.to_string());
    load(total, concurrency, move |i| {
        let (client, url, lang, code) = (client.clone(), url.clone(), lang.clone(), code.clone());
        async move {
            let body = json!({"code": code, "language": lang, "stdin": format!("{i}\n"), "run_timeout": 2});
            let response: serde_json::Value = client
                .post(&url)
                .json(&body)
                .send()
                .await
                .expect("request")
                .json()
                .await
                .expect("json");
            let stdout = response["run_result"]["stdout"].as_str().unwrap_or_default();
            assert_eq!(stdout.trim(), (2 * i).to_string(), "{response}");
        }
    })
    .await
}

async fn in_process_load(
    sandbox: &Sandbox,
    lang: Language,
    code: &str,
    total: usize,
    concurrency: usize,
) -> Sample {
    let (sandbox, code) = (sandbox.clone(), code.to_string());
    let limits = Limits {
        time: Duration::from_secs(2),
        ..Limits::default()
    };
    load(total, concurrency, move |i| {
        let (sandbox, code, limits) = (sandbox.clone(), code.clone(), limits.clone());
        async move {
            let program = sandbox
                .compile_async(lang, code.into_bytes())
                .await
                .expect("compiles");
            let report = sandbox
                .run_async(&program, format!("{i}\n").as_bytes(), &limits)
                .await
                .expect("runs");
            assert_eq!(
                String::from_utf8_lossy(&report.stdout).trim(),
                (2 * i).to_string()
            );
        }
    })
    .await
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let python_total: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(128);
    let cpp_total: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4096);
    let mut config = SandboxConfig::default();
    if let Some(workers) = args.next().and_then(|a| a.parse().ok()) {
        config.workers = workers;
    }
    let sandbox = Sandbox::new(config).expect("sandbox");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/run_code",
        listener.local_addr().expect("address")
    );
    let serve_config = ServeConfig {
        queue: 1024,
        ..ServeConfig::default()
    };
    let state = AppState::new(sandbox.clone(), serve_config);
    tokio::spawn(crucible_serve::serve(
        listener,
        state,
        std::future::pending(),
    ));
    println!(
        "{python_total} Python / {cpp_total} C++ requests per row, {} sandbox workers, {} cores",
        sandbox.workers(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("| program, path, clients | requests | req/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|");
    for (name, lang, code, total) in [
        ("python", Language::Python, PYTHON, python_total),
        ("cpp", Language::Cpp, CPP, cpp_total),
    ] {
        // Warm the compile cache (and the toolchain) once.
        http_load(&url, lang.name(), code, 1, 1).await;
        for c in CONCURRENCY {
            let mut http = http_load(&url, lang.name(), code, total, c).await;
            println!("{}", http.line(&format!("{name}, HTTP /run_code, {c}")));
            let mut local = in_process_load(&sandbox, lang, code, total, c).await;
            println!("{}", local.line(&format!("{name}, in-process, {c}")));
        }
    }
}
