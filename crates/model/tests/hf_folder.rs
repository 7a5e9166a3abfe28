//! A Hugging Face folder written from the test model's GGUF (dequantized f32 weights, config,
//! tokenizer, chat template) loads into the same forward pass and generates the same greedy
//! text as the GGUF itself. Skipped, with a message, when the test model is absent.
//! Run with `RAYON_NUM_THREADS=1`.

use crucible_model::{
    ChatMessage, GenerationRequest, Generator, HfConfig, LocalModel, LocalModelConfig, ModelError,
    SamplingParams, TEST_MODEL, default_models_dir, fast_variant, gguf_to_hf, resolve_model,
};

fn greedy(model: &mut LocalModel, prompt: &str) -> (String, Vec<u32>) {
    let request = GenerationRequest {
        messages: vec![ChatMessage::user(prompt)],
        n: 1,
        sampling: SamplingParams::greedy(24),
    };
    let mut out = model.generate(&request, &mut |_| {}).expect("generate");
    let c = out.remove(0);
    (c.text, c.tokens)
}

#[test]
fn folder_written_from_the_gguf_generates_the_same_text() {
    let Ok(path) = resolve_model(TEST_MODEL, &default_models_dir()) else {
        eprintln!("skipped: the test model is absent (./setup.sh fetches it)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    gguf_to_hf(&fast_variant(&path).expect("variant"), dir.path()).expect("convert");
    for file in [
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "model.safetensors",
    ] {
        assert!(dir.path().join(file).is_file(), "{file} written");
    }
    let config: HfConfig = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("config.json")).expect("read"),
    )
    .expect("parse");
    assert_eq!(config.architectures, ["LlamaForCausalLM"]);
    assert!(
        config.tie_word_embeddings,
        "SmolLM2 ties its output to the embeddings"
    );

    let mut gguf = LocalModel::load(&LocalModelConfig::new(&path)).expect("load gguf");
    let mut folder = LocalModel::load(&LocalModelConfig::new(dir.path())).expect("load folder");
    assert_eq!(folder.template(), gguf.template());
    for prompt in [
        "Write a Python function that reverses a string.",
        "What is the capital of France?",
    ] {
        let expected = greedy(&mut gguf, prompt);
        assert!(!expected.0.is_empty());
        assert_eq!(greedy(&mut folder, prompt), expected, "{prompt}");
    }
}

#[test]
fn unsupported_architectures_are_format_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = r#"{"architectures": ["GPT2LMHeadModel"], "hidden_size": 8,
        "intermediate_size": 16, "num_attention_heads": 2, "num_hidden_layers": 1,
        "rms_norm_eps": 1e-5, "max_position_embeddings": 64, "vocab_size": 10}"#;
    std::fs::write(dir.path().join("config.json"), config).expect("write");
    match LocalModel::load(&LocalModelConfig::new(dir.path())) {
        Err(ModelError::Format { message, .. }) => assert!(message.contains("GPT2"), "{message}"),
        Err(other) => panic!("expected a format error, got {other}"),
        Ok(_) => panic!("expected a format error"),
    }
}
