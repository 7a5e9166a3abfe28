//! Our forward pass against candle-transformers' quantized models (the implementation it
//! replaced): with dequantized weights, the same logits (to 1e-3) and greedy tokens; with
//! quantized weights, logits within the noise of 8-bit activations and the same first token.
//!
//! Runs on the small test model; set `CRUCIBLE_FORWARD_MODEL` to a `.gguf` file to check
//! another (the default Qwen2.5-Coder model has attention biases, SmolLM2 has none). Skipped,
//! with a message, when the model file is absent. Run with `RAYON_NUM_THREADS=1`.

use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{Device, Tensor};
use candle_transformers::models::{quantized_llama, quantized_qwen2};
use crucible_model::{
    ChatMessage, LocalModel, LocalModelConfig, Step, TEST_MODEL, default_models_dir, fast_variant,
    resolve_model,
};
use std::path::{Path, PathBuf};

/// Tokens generated per prompt.
const STEPS: usize = 40;

fn model_path() -> Option<PathBuf> {
    let path = match std::env::var_os("CRUCIBLE_FORWARD_MODEL") {
        Some(p) => PathBuf::from(p),
        None => resolve_model(TEST_MODEL, &default_models_dir()).ok()?,
    };
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent (./setup.sh fetches it)",
            path.display()
        );
        None
    }
}

/// The model as candle-transformers loads it.
enum Reference {
    Qwen2(quantized_qwen2::ModelWeights),
    Llama(quantized_llama::ModelWeights),
}

impl Reference {
    fn load(path: &Path) -> Reference {
        let mut file = std::fs::File::open(path).expect("open");
        let content = gguf_file::Content::read(&mut file).expect("gguf");
        let arch = content.metadata["general.architecture"]
            .to_string()
            .expect("architecture")
            .clone();
        match arch.as_str() {
            "qwen2" => Reference::Qwen2(
                quantized_qwen2::ModelWeights::from_gguf(content, &mut file, &Device::Cpu)
                    .expect("load"),
            ),
            _ => Reference::Llama(
                quantized_llama::ModelWeights::from_gguf(content, &mut file, &Device::Cpu)
                    .expect("load"),
            ),
        }
    }

    /// Greedy tokens after `prompt` (no stop token), and the logits after the prompt.
    fn greedy(&mut self, prompt: &[u32], steps: usize) -> (Vec<u32>, Vec<f32>) {
        match self {
            Reference::Qwen2(m) => m.clear_kv_cache(),
            Reference::Llama(m) => m.clear_kv_cache(),
        }
        let mut input = Tensor::new(prompt, &Device::Cpu).expect("tensor");
        let mut pos = 0;
        let mut tokens = Vec::new();
        let mut first = Vec::new();
        while tokens.len() < steps {
            let x = input.unsqueeze(0).expect("unsqueeze");
            let logits = match self {
                Reference::Qwen2(m) => m.forward(&x, pos),
                Reference::Llama(m) => m.forward(&x, pos),
            }
            .expect("forward");
            let logits: Vec<f32> = logits.squeeze(0).expect("squeeze").to_vec1().expect("vec");
            pos += input.dim(0).expect("dim");
            if first.is_empty() {
                first = logits.clone();
            }
            let next = argmax(&logits);
            tokens.push(next);
            input = Tensor::new(&[next], &Device::Cpu).expect("tensor");
        }
        (tokens, first)
    }
}

/// Greedy tokens from our forward pass, and the logits after the prompt.
fn ours(model: &LocalModel, prompt: &[u32], steps: usize) -> (Vec<u32>, Vec<f32>) {
    let transformer = model.transformer();
    let mut cache = transformer.new_cache();
    let mut input = prompt.to_vec();
    let mut tokens = Vec::new();
    let mut first = Vec::new();
    while tokens.len() < steps {
        let mut step = [Step {
            cache: &mut cache,
            tokens: &input,
        }];
        let logits = transformer.forward(&mut step).expect("forward").remove(0);
        if first.is_empty() {
            first = logits.clone();
        }
        let next = argmax(&logits);
        tokens.push(next);
        input = vec![next];
    }
    (tokens, first)
}

fn argmax(values: &[f32]) -> u32 {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best as u32
}

/// A copy of the GGUF at `path` with every tensor dequantized to f32, so that both
/// implementations multiply in plain floating point: quantized products round activations to
/// 8 bits, which turns rounding differences of the order of 1e-7 into logit differences of a
/// few tenths (candle-transformers' own logits move that much between prefilling a prompt and
/// feeding it token by token).
fn dequantized_copy(path: &Path) -> tempfile::NamedTempFile {
    let mut file = std::fs::File::open(path).expect("open");
    let content = gguf_file::Content::read(&mut file).expect("gguf");
    let mut tensors = Vec::new();
    for name in content.tensor_infos.keys() {
        let q = content
            .tensor(&mut file, name, &Device::Cpu)
            .expect("tensor");
        let dense = q.dequantize(&Device::Cpu).expect("dequantize");
        tensors.push((
            name.clone(),
            QTensor::quantize(&dense, GgmlDType::F32).expect("f32"),
        ));
    }
    let metadata: Vec<(&str, &gguf_file::Value)> = content
        .metadata
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let mut out = tempfile::NamedTempFile::new().expect("temp file");
    gguf_file::write(out.as_file_mut(), &metadata, &refs).expect("write");
    out
}

/// Largest absolute difference.
fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0f32, f32::max)
}

const PROMPTS: [&str; 2] = [
    "Write a Python function that checks whether a number is prime.",
    "Explain what a hash map is in two sentences.",
];

#[test]
fn greedy_tokens_match_candle_transformers() {
    let Some(path) = model_path() else {
        return;
    };
    let dense = dequantized_copy(&fast_variant(&path).expect("variant"));
    let config = LocalModelConfig {
        requantize: false,
        ..LocalModelConfig::new(dense.path())
    };
    let model = LocalModel::load(&config).expect("load");
    let mut reference = Reference::load(dense.path());
    for prompt in PROMPTS {
        let text = model.template().render(&[ChatMessage::user(prompt)]);
        let ids = model.encode(&text).expect("encode");
        let (expected, expected_logits) = reference.greedy(&ids, STEPS);
        let (actual, actual_logits) = ours(&model, &ids, STEPS);
        let diff = max_diff(&expected_logits, &actual_logits);
        eprintln!("{prompt:?}: largest logit difference after the prompt {diff:e}");
        assert!(diff < 1e-3, "logits differ by {diff}");
        assert_eq!(
            model.decode(&actual).expect("decode"),
            model.decode(&expected).expect("decode"),
            "greedy text of {prompt:?}"
        );
        assert_eq!(actual, expected);
    }
}

#[test]
fn quantized_logits_match_candle_transformers_within_activation_rounding() {
    let Some(path) = model_path() else {
        return;
    };
    let model = LocalModel::load(&LocalModelConfig::new(&path)).expect("load");
    let mut reference = Reference::load(&fast_variant(&path).expect("variant"));
    for prompt in PROMPTS {
        let text = model.template().render(&[ChatMessage::user(prompt)]);
        let ids = model.encode(&text).expect("encode");
        let (expected, expected_logits) = reference.greedy(&ids, 1);
        let (actual, actual_logits) = ours(&model, &ids, 1);
        let diff = max_diff(&expected_logits, &actual_logits);
        eprintln!("{prompt:?} (quantized): largest logit difference {diff:e}");
        // Within the noise of 8-bit activations (up to about 1.3 on SmolLM2, 0.4 on Qwen2.5;
        // candle also quantizes some activations per 256 values where we use blocks of 32).
        assert!(diff < 2.0, "logits differ by {diff}");
        assert_eq!(actual, expected, "first greedy token of {prompt:?}");
    }
}
