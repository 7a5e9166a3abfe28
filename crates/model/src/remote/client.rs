//! [`RemoteModel`]: connecting, the private tokio runtime its calls wait on, and its
//! [`Generator`] impl.

use super::config::{Api, RemoteModelConfig};
use super::http::Shared;
use crate::ModelError;
use crate::generator::{Completion, GenerationRequest, Generator};
use std::sync::{Arc, mpsc};
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;

/// A model served over HTTP by an OpenAI-compatible server (see the `remote` module's
/// documentation).
pub struct RemoteModel {
    shared: Arc<Shared>,
    /// Runs the HTTP requests; taken (and shut down without blocking) on drop.
    runtime: Option<Runtime>,
}

impl RemoteModel {
    /// Prepares the client and, when `config.model` is `None`, asks `/v1/models` for the served
    /// model's name (so an unreachable server is reported here, not at the first generation).
    pub fn connect(mut config: RemoteModelConfig) -> Result<Self, ModelError> {
        if config.concurrency == 0 {
            return Err(ModelError::Remote("concurrency must be at least 1".into()));
        }
        config.api_key = config.api_key.or_else(api_key_from_env);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("crucible-http")
            .enable_all()
            .build()
            .map_err(|e| ModelError::Remote(format!("starting the HTTP runtime: {e}")))?;
        let client = {
            let _context = runtime.enter();
            reqwest::Client::builder()
                .timeout(config.request_timeout)
                .connect_timeout(config.connect_timeout)
                .build()
                .map_err(|e| ModelError::Remote(format!("building the HTTP client: {e}")))?
        };
        let mut shared = Shared { client, config };
        if shared.config.model.is_none() {
            let probe = shared.clone();
            let name = wait(&runtime, async move { probe.first_model().await })?;
            shared.config.model = Some(name);
        }
        Ok(RemoteModel {
            shared: Arc::new(shared),
            runtime: Some(runtime),
        })
    }

    /// The served model's name.
    pub fn model_name(&self) -> &str {
        self.shared.model()
    }

    fn runtime(&self) -> Result<&Runtime, ModelError> {
        self.runtime.as_ref().ok_or_else(runtime_stopped)
    }
}

impl Drop for RemoteModel {
    fn drop(&mut self) {
        // A plain drop blocks until tasks finish, which panics inside an async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Generator for RemoteModel {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let shared = Arc::clone(&self.shared);
        let request = request.clone();
        let completions = wait(
            self.runtime()?,
            async move { shared.complete(&request).await },
        )?;
        if let Some(first) = completions.first() {
            on_token(&first.text);
        }
        Ok(completions)
    }

    /// Sends up to [`RemoteModelConfig::concurrency`] conversations at once.
    fn generate_batch(
        &mut self,
        requests: &[GenerationRequest],
        on_done: &mut dyn FnMut(usize),
    ) -> Vec<Result<Vec<Completion>, ModelError>> {
        let runtime = match self.runtime() {
            Ok(runtime) => runtime,
            Err(_) => return requests.iter().map(|_| Err(runtime_stopped())).collect(),
        };
        let slots = Arc::new(Semaphore::new(self.shared.config.concurrency));
        let (done, finished) = mpsc::channel();
        for (i, request) in requests.iter().enumerate() {
            let (shared, slots, done) =
                (Arc::clone(&self.shared), Arc::clone(&slots), done.clone());
            let request = request.clone();
            runtime.spawn(async move {
                let _slot = slots.acquire_owned().await;
                let _ = done.send((i, shared.complete(&request).await));
            });
        }
        drop(done);
        let mut results: Vec<Option<Result<Vec<Completion>, ModelError>>> =
            requests.iter().map(|_| None).collect();
        for (i, result) in finished {
            results[i] = Some(result);
            on_done(i);
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(runtime_stopped())))
            .collect()
    }

    fn describe(&self) -> String {
        let api = match self.shared.config.api {
            Api::Chat => "chat",
            Api::Completions { .. } => "completions",
        };
        format!(
            "{} at {} (OpenAI-compatible, {api})",
            self.shared.model(),
            self.shared.config.base_url
        )
    }
}

/// Runs `future` on `runtime` and waits for it on this thread. Unlike `block_on`, this works
/// inside another runtime's context too.
fn wait<T: Send + 'static>(
    runtime: &Runtime,
    future: impl Future<Output = Result<T, ModelError>> + Send + 'static,
) -> Result<T, ModelError> {
    let (tx, rx) = mpsc::channel();
    runtime.spawn(async move {
        let _ = tx.send(future.await);
    });
    rx.recv().map_err(|_| runtime_stopped())?
}

fn runtime_stopped() -> ModelError {
    ModelError::Remote("the HTTP runtime stopped before the request finished".into())
}

/// `$CRUCIBLE_API_KEY`, else `$OPENAI_API_KEY` (empty values are skipped).
fn api_key_from_env() -> Option<String> {
    ["CRUCIBLE_API_KEY", "OPENAI_API_KEY"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|key| !key.trim().is_empty())
}
