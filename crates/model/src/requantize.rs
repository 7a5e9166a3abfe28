//! Re-quantizing the tensors candle's CPU backend has no SIMD kernel for.
//!
//! Q4_1, Q5_0 and Q5_1 matmuls run scalar code in candle (measured: SmolLM2-135M Q4_1 at
//! ~11 tok/s on one thread; Qwen2.5-Coder-0.5B Q4_K_M keeps some Q5_0 tensors). Converting them
//! to Q8_0 — dequantize, quantize — gives the SIMD path at the cost of a larger file and a
//! rounding of already-quantized weights far below their own quantization error. The converted
//! file is written once beside the original (or in the temp dir if that is read-only).
//!
//! Q5_0 matrices stay as they are where our own SIMD kernel multiplies them (CPUs with
//! AVX-512 VNNI or AVX2, see `q8`): it reads 5.5 bits per weight where Q8_0 reads 8.5, and
//! decoding one sequence is bound by memory bandwidth.

use crate::ModelError;
use crate::q8;
use candle_core::Device;
use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use std::path::{Path, PathBuf};

/// Whether a tensor has no SIMD matmul kernel, neither candle's nor ours (see [`crate::q8`]).
fn is_slow(info: &gguf_file::TensorInfo) -> bool {
    match info.ggml_dtype {
        GgmlDType::Q4_1 | GgmlDType::Q5_1 => true,
        GgmlDType::Q5_0 => !keeps_q5_0(info),
        _ => false,
    }
}

/// Whether a Q5_0 tensor is multiplied as it is: a matrix our SIMD kernel takes.
fn keeps_q5_0(info: &gguf_file::TensorInfo) -> bool {
    info.ggml_dtype == GgmlDType::Q5_0
        && q8::has_simd_kernel()
        && matches!(info.shape.dims(), &[features, inputs] if q8::packable(GgmlDType::Q5_0, features, inputs))
}

/// The file to load for `path`: itself when every tensor has a fast kernel, else a converted
/// copy with the slow tensors in Q8_0 (created on first use).
pub fn fast_variant(path: &Path) -> Result<PathBuf, ModelError> {
    let mut file = std::fs::File::open(path).map_err(|e| ModelError::io(path, e))?;
    let content = gguf_file::Content::read(&mut file).map_err(|e| format_err(path, e))?;
    let convertible = |info: &gguf_file::TensorInfo| {
        is_slow(info) && info.shape.dims().last().is_some_and(|d| d % 32 == 0)
    };
    if !content.tensor_infos.values().any(convertible) {
        return Ok(path.to_path_buf());
    }
    let len = std::fs::metadata(path)
        .map_err(|e| ModelError::io(path, e))?
        .len();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Copies that keep Q5_0 matrices differ from those that do not.
    let kind = if content.tensor_infos.values().any(keeps_q5_0) {
        "q8q5"
    } else {
        "q8"
    };
    let name = format!("{stem}.{kind}-{len}.gguf");
    let dir = path
        .parent()
        .filter(|d| is_writable(d))
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    let target = dir.join(name);
    if target.is_file() {
        return Ok(target);
    }
    tracing::info!(
        "re-quantizing slow tensors of {} to Q8_0 (once)",
        path.display()
    );
    let mut names: Vec<&String> = content.tensor_infos.keys().collect();
    names.sort_by_key(|n| content.tensor_infos[*n].offset);
    let mut tensors: Vec<(String, QTensor)> = Vec::with_capacity(names.len());
    for name in names {
        let qt = content
            .tensor(&mut file, name, &Device::Cpu)
            .map_err(|e| format_err(path, e))?;
        let qt = if convertible(&content.tensor_infos[name]) {
            QTensor::quantize(&qt.dequantize(&Device::Cpu)?, GgmlDType::Q8_0)?
        } else {
            qt
        };
        tensors.push((name.clone(), qt));
    }
    let metadata: Vec<(&str, &gguf_file::Value)> = content
        .metadata
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| ModelError::io(&dir, e))?;
    gguf_file::write(tmp.as_file_mut(), &metadata, &tensor_refs)?;
    tmp.persist(&target)
        .map_err(|e| ModelError::io(&target, e.error))?;
    Ok(target)
}

fn is_writable(dir: &Path) -> bool {
    tempfile::NamedTempFile::new_in(dir).is_ok()
}

fn format_err(path: &Path, e: candle_core::Error) -> ModelError {
    ModelError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
