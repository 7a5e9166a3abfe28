//! The server under test and its client: a sandbox, `crucible serve` started on 127.0.0.1:0
//! (stopped when dropped), and JSON posts.

use crucible_sandbox::{Sandbox, SandboxConfig};
use crucible_serve::{AppState, ServeConfig};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::oneshot;

/// A running server: its base URL; dropping it shuts the server down.
pub(crate) struct Server {
    pub(crate) url: String,
    _stop: oneshot::Sender<()>,
}

pub(crate) fn sandbox(workers: usize) -> Sandbox {
    let mut config = SandboxConfig::default();
    config.toolchain.timeout = Duration::from_secs(15);
    config.workers = workers;
    Sandbox::new(config).expect("sandbox")
}

pub(crate) async fn start(sandbox: Sandbox, config: ServeConfig) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = oneshot::channel::<()>();
    let state = AppState::new(sandbox, config);
    tokio::spawn(crucible_serve::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    Server { url, _stop: stop }
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .expect("client")
}

/// Posts raw bytes; returns the status and the body as JSON (`Value::Null` when not JSON).
pub(crate) async fn post_raw(url: &str, body: Vec<u8>) -> (u16, Value) {
    let response = client()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub(crate) async fn post(url: &str, body: &Value) -> (u16, Value) {
    post_raw(url, serde_json::to_vec(body).expect("json")).await
}
