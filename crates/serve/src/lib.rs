//! `crucible serve`: Crucible's sandbox as a stateless HTTP service.
//!
//! - `POST /run_code`: SandboxFusion's endpoint, field for field ([`fusion`]).
//! - `POST /judge`: a submission against tests with a checker → a [`crucible_sandbox::JudgeReport`]
//!   ([`judge`]).
//! - `POST /judge_problem`: samples on a problem in any format `crucible eval` reads
//!   ([`problem`]).
//! - `POST /submit`: SandboxFusion's judging endpoint for a problem given inline
//!   ([`submit`]).
//! - `GET /health` (also SandboxFusion's `GET /v1/ping`), `GET /metrics` (Prometheus text).
//!
//! Every replica is independent (one sandbox, its compile cache shared by all requests), so
//! scaling out is running more of them behind any load balancer. Requests past the queue get
//! 429 with `Retry-After`; per-request limits are clamped to the server's maxima; with a token
//! configured, everything but `/health` needs `Authorization: Bearer TOKEN`.

mod config;
mod error;
pub mod files;
pub mod fusion;
pub mod judge;
pub mod metrics;
#[cfg(feature = "problems")]
pub mod problem;
pub mod submit;

pub use config::ServeConfig;
pub use error::{ApiError, ApiJson};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use crucible_sandbox::Sandbox;
use metrics::Metrics;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What every request shares: the sandbox, the settings, the queue and the counters.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    sandbox: Sandbox,
    config: ServeConfig,
    queue: Arc<Semaphore>,
    metrics: Metrics,
}

impl AppState {
    /// State over `sandbox` with `config`.
    pub fn new(sandbox: Sandbox, config: ServeConfig) -> Self {
        let queue = Arc::new(Semaphore::new(config.queue.max(1)));
        AppState {
            inner: Arc::new(Inner {
                sandbox,
                config,
                queue,
                metrics: Metrics::default(),
            }),
        }
    }

    /// The sandbox every request runs in.
    pub fn sandbox(&self) -> &Sandbox {
        &self.inner.sandbox
    }

    /// The server's settings.
    pub fn config(&self) -> &ServeConfig {
        &self.inner.config
    }

    /// The server's counters.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// A queue slot for one request, held until it is answered; [`ApiError::Busy`] when none
    /// is free.
    pub fn admit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.inner.queue)
            .try_acquire_owned()
            .map_err(|_| ApiError::Busy(self.queue_depth()))
    }

    /// Requests admitted now.
    pub fn queue_depth(&self) -> usize {
        self.inner.config.queue.max(1) - self.inner.queue.available_permits()
    }
}

/// The router: every endpoint with the body limit, the token check and the metrics layer.
pub fn router(state: AppState) -> Router {
    // The queue slot is taken before the body is read, so that at most `queue` bodies are
    // held at once; a request that fails validation gives its slot back at once.
    let work = Router::new()
        .route("/run_code", post(fusion::run_code))
        .route("/judge", post(judge::judge))
        .route("/submit", post(submit::submit));
    #[cfg(feature = "problems")]
    let work = work.route("/judge_problem", post(problem::judge_problem));
    let work = work.route_layer(middleware::from_fn_with_state(state.clone(), queue_slot));
    let protected = Router::new()
        .merge(work)
        .route("/metrics", get(metrics_text))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .merge(protected)
        .route("/health", get(health))
        .route("/v1/ping", get(ping))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(state.config().max_body_bytes))
        .with_state(state)
}

/// Serves `router(state)` on `listener` until `shutdown` completes, then stops accepting and
/// returns once every in-flight request has been answered.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGTERM or ctrl-c (SIGINT).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for ctrl-c: {e}");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => tracing::info!("ctrl-c: finishing in-flight requests"),
        () = term => tracing::info!("SIGTERM: finishing in-flight requests"),
    }
}

/// `GET /health`: 200 while the server runs, with the queue's state.
async fn health(State(state): State<AppState>) -> Response {
    let body = serde_json::json!({
        "status": "ok",
        "queue_depth": state.queue_depth(),
        "queue_capacity": state.config().queue,
        "workers": state.sandbox().workers(),
    });
    axum::Json(body).into_response()
}

/// SandboxFusion's `GET /v1/ping` (FastAPI answers the JSON string `"pong"`).
async fn ping() -> axum::Json<&'static str> {
    axum::Json("pong")
}

/// `GET /metrics`: Prometheus text exposition.
async fn metrics_text(State(state): State<AppState>) -> Response {
    let text = state.metrics().render(
        (state.queue_depth(), state.config().queue),
        state.sandbox().cache_stats(),
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// Holds a queue slot while the request is served; 429 when none is free.
async fn queue_slot(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match state.admit() {
        Ok(_permit) => next.run(req).await,
        Err(busy) => busy.into_response(),
    }
}

/// Rejects requests without the configured bearer token.
async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = &state.config().token else {
        return next.run(req).await;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(given.as_bytes(), token.as_bytes()) {
        next.run(req).await
    } else {
        ApiError::Unauthorized.into_response()
    }
}

/// Compares without returning early on the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Logs and counts every request with its status and latency.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let endpoint = metrics::endpoint_label(req.uri().path());
    let method = req.method().clone();
    let response = next.run(req).await;
    let status = response.status();
    let elapsed = started.elapsed();
    state.metrics().request(endpoint, status.as_u16(), elapsed);
    let (code, micros) = (status.as_u16(), elapsed.as_micros() as u64);
    if status.is_server_error() {
        tracing::error!(%method, endpoint, status = code, micros, "request");
    } else if status == StatusCode::OK {
        tracing::info!(%method, endpoint, status = code, micros, "request");
    } else {
        tracing::warn!(%method, endpoint, status = code, micros, "request");
    }
    response
}
