//! A model's weights read in full: a `.gguf` file or a Hugging Face folder, served under GGUF
//! names in GGUF row order, with what a Hugging Face folder needs besides the weights. The
//! trainer loads its base model through this, so a merged model (a folder) trains like a
//! downloaded GGUF one.

use crate::ModelError;
use crate::hf::{HfFolder, HfParts, SafetensorsSource, parts_of};
use crate::transformer::{GgufSource, Hyperparams, TensorSource};
use candle_core::quantized::{QTensor, gguf_file};
use std::fs::File;
use std::path::{Path, PathBuf};

/// An open model: its hyper-parameters, configuration, tokenizer and chat template, and its
/// tensors by GGUF name.
pub struct WeightFiles {
    params: Hyperparams,
    parts: HfParts,
    source: Source,
}

/// Where the tensors are read from.
enum Source {
    Gguf {
        content: gguf_file::Content,
        file: File,
        path: PathBuf,
    },
    Hf(SafetensorsSource),
}

impl WeightFiles {
    /// Opens `path`: a `qwen2` or `llama` `.gguf` file, or a folder with `config.json`,
    /// `tokenizer.json` and `*.safetensors` (what `crucible train merge` writes).
    pub fn open(path: &Path) -> Result<Self, ModelError> {
        if path.is_dir() {
            let folder = HfFolder::open(path)?;
            let source = Source::Hf(folder.weights(path, false)?);
            return Ok(WeightFiles {
                params: folder.params,
                parts: HfParts {
                    config: folder.config,
                    tokenizer: folder.tokenizer,
                    chat_template: folder.chat_template,
                },
                source,
            });
        }
        let mut file = File::open(path).map_err(|e| ModelError::io(path, e))?;
        let content = gguf_file::Content::read(&mut file)
            .map_err(|e| ModelError::format(path, e.to_string()))?;
        Ok(WeightFiles {
            params: Hyperparams::from_gguf(&content, path)?,
            parts: parts_of(&content, path)?,
            source: Source::Gguf {
                content,
                file,
                path: path.to_path_buf(),
            },
        })
    }

    /// The forward pass's hyper-parameters.
    pub fn params(&self) -> &Hyperparams {
        &self.params
    }

    /// The configuration, tokenizer and chat template.
    pub fn parts(&self) -> &HfParts {
        &self.parts
    }

    /// The tensor with the GGUF name `name` (`blk.0.attn_q.weight`) in GGUF row order, as
    /// stored (a GGUF file's quantized types) or as f32 (a folder); `None` if there is none,
    /// as `output.weight` of a model whose output reuses the embedding.
    pub fn tensor(&mut self, name: &str) -> Result<Option<QTensor>, ModelError> {
        match &mut self.source {
            Source::Gguf {
                content,
                file,
                path,
            } => GgufSource::new(content, file, path).tensor(name),
            Source::Hf(source) => source.tensor(name),
        }
    }
}

/// The [`HfParts`] of a model file or folder (see [`WeightFiles::open`]).
pub fn hf_parts(path: &Path) -> Result<HfParts, ModelError> {
    Ok(WeightFiles::open(path)?.parts)
}
