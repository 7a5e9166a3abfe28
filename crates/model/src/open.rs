//! One way to open a model from what a user typed: a URL, a known name or a file.

use crate::remote::is_url;
use crate::{
    Generator, LocalModel, LocalModelConfig, ModelError, RemoteModel, RemoteModelConfig,
    resolve_model,
};
use std::path::Path;

/// Settings that apply to one kind of model only.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Local models: see [`LocalModelConfig::requantize`] (default on).
    pub requantize: bool,
    /// Remote models: the served model's name (default: the first one `/v1/models` lists).
    pub served_model: Option<String>,
    /// Remote models: ask for the sampled tokens' log-probabilities (default off: nothing but
    /// `crucible generate`'s token count reads them, and llama-cpp-python's server computes
    /// them over the whole vocabulary in Python, several times the generation's own cost).
    pub logprobs: bool,
    /// Remote models: see [`RemoteModelConfig::extra_body`].
    pub server_params: serde_json::Map<String, serde_json::Value>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            requantize: true,
            served_model: None,
            logprobs: false,
            server_params: serde_json::Map::new(),
        }
    }
}

/// Opens the model `spec` names: an `http://` or `https://` URL is an OpenAI-compatible server
/// ([`RemoteModel`], see [`RemoteModelConfig::new`] for the URL forms); anything else is a known
/// model name (its file under `models_dir`) or a `.gguf` path, loaded as a [`LocalModel`].
pub fn open_generator(
    spec: &str,
    models_dir: &Path,
    options: &OpenOptions,
) -> Result<Box<dyn Generator>, ModelError> {
    if is_url(spec) {
        let config = RemoteModelConfig {
            model: options.served_model.clone(),
            logprobs: options.logprobs,
            extra_body: options.server_params.clone(),
            ..RemoteModelConfig::new(spec)?
        };
        return Ok(Box::new(RemoteModel::connect(config)?));
    }
    let config = LocalModelConfig {
        requantize: options.requantize,
        ..LocalModelConfig::new(resolve_model(spec, models_dir)?)
    };
    Ok(Box::new(LocalModel::load(&config)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_told_apart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = OpenOptions::default();
        let err = |spec: &str| match open_generator(spec, dir.path(), &options) {
            Ok(model) => panic!("{spec} opened as {}", model.describe()),
            Err(e) => e,
        };
        assert!(matches!(err("no-such-model"), ModelError::UnknownModel(_)));
        assert!(matches!(
            err(crate::TEST_MODEL),
            ModelError::NotFetched { .. }
        ));
        assert!(matches!(err("http://"), ModelError::Remote(_)));
    }
}
