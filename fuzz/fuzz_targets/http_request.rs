//! `crucible serve`'s request decoding: any method, path, headers and body bytes sent through the
//! real router (token check, queue slot, body limit, JSON decoding, limit validation, file
//! decoding, problem loading) must be answered — never a panic, never a 5xx for a bad request,
//! and every error a JSON `{"error", "message"}` body. Requests that decode run for real in a
//! sandbox whose time limit is clamped to 0.2 s, so the fuzzer stays fast.
//!
//! Input layout: byte 0 picks the path, byte 1 the method, content type and token, the rest is
//! the body.

#![no_main]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use crucible_sandbox::{Sandbox, SandboxConfig};
use crucible_serve::{AppState, ServeConfig, router};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::time::Duration;
use tower::ServiceExt;

const PATHS: [&str; 9] = [
    "/run_code",
    "/judge",
    "/submit",
    "/judge_problem",
    "/health",
    "/v1/ping",
    "/metrics",
    "/run_code/",
    "/nope",
];
const TOKEN: &str = "fuzz-token";

struct World {
    runtime: tokio::runtime::Runtime,
    open: AppState,
    guarded: AppState,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let mut sandbox = SandboxConfig::default();
        sandbox.workers = 1;
        let sandbox = Sandbox::new(sandbox).expect("sandbox");
        let config = ServeConfig {
            max_body_bytes: 2048,
            max_time_limit: Duration::from_millis(200),
            max_memory_bytes: 64 << 20,
            max_compile_timeout: Duration::from_secs(10),
            max_output_bytes: 4096,
            max_tests: 8,
            ..ServeConfig::default()
        };
        let guarded = ServeConfig {
            token: Some(TOKEN.to_string()),
            ..config.clone()
        };
        World {
            runtime,
            open: AppState::new(sandbox.clone(), config),
            guarded: AppState::new(sandbox, guarded),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let [path, flags, body @ ..] = data else {
        return;
    };
    let path = PATHS[*path as usize % PATHS.len()];
    let method = ["POST", "GET", "PUT"][(flags & 3) as usize % 3];
    let world = world();
    let state = if flags & 4 != 0 {
        world.guarded.clone()
    } else {
        world.open.clone()
    };
    let mut request = Request::builder().method(method).uri(path);
    if flags & 8 != 0 {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    if flags & 16 != 0 {
        request = request.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    }
    if flags & 32 != 0 {
        request = request.header(header::AUTHORIZATION, "Bearer wrong");
    }
    let request = request
        .body(Body::from(body.to_vec()))
        .expect("a request from valid parts");
    world.runtime.block_on(async {
        let response = router(state)
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        assert!(
            !status.is_server_error(),
            "{method} {path} answered {status}"
        );
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .expect("the response body is readable");
        if is_json {
            let value: serde_json::Value =
                serde_json::from_slice(&bytes).expect("a JSON response parses");
            if status.is_client_error() && status != StatusCode::NOT_FOUND {
                assert!(
                    value["error"].is_string() && value["message"].is_string(),
                    "{status} without error and message: {value}"
                );
            }
        }
    });
});
