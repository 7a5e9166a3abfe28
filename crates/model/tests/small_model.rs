//! The small model (SmolLM2-135M, fetched by `setup.sh`) end to end: the tokenizer rebuilt from
//! its GGUF round-trips, greedy decoding is reproducible, and a code prompt gets code.
//! Run with `RAYON_NUM_THREADS=1` (the test script sets it).

use crucible_model::{
    ChatMessage, GenerationRequest, Generator, LocalModel, LocalModelConfig, SamplingParams,
    TEST_MODEL, default_models_dir, resolve_model,
};
use std::sync::{Mutex, OnceLock};

/// One loaded model shared by the tests (loading takes a moment; generation needs `&mut`).
fn model() -> &'static Mutex<LocalModel> {
    static MODEL: OnceLock<Mutex<LocalModel>> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = resolve_model(TEST_MODEL, &default_models_dir()).expect(
            "the test model is fetched by ./setup.sh (crucible model fetch smollm2-135m-instruct)",
        );
        Mutex::new(LocalModel::load(&LocalModelConfig::new(path)).expect("load"))
    })
}

#[test]
fn tokenizer_round_trips_text_and_knows_special_tokens() {
    let model = model().lock().expect("lock");
    for text in [
        "Hello, world!",
        "def add(a, b):\n    return a + b\n",
        "#include <bits/stdc++.h>\nint main() { std::cout << 42 << '\\n'; }",
        "  leading spaces, tabs\tand\nnewlines\n\n",
        "Unicode: café, naïve, 日本語, emoji 🚀, math ∑x²",
        "numbers 1234567890 and 3.14159",
    ] {
        let ids = model.encode(text).expect("encode");
        assert!(!ids.is_empty());
        assert_eq!(
            model.decode(&ids).expect("decode"),
            text,
            "round trip of {text:?}"
        );
    }
    let ids = model
        .encode("<|im_start|>user\nhi<|im_end|>")
        .expect("encode");
    assert_eq!(
        ids[0],
        model
            .tokenizer()
            .token_to_id("<|im_start|>")
            .expect("special token")
    );
    assert!(
        ids.contains(
            &model
                .tokenizer()
                .token_to_id("<|im_end|>")
                .expect("special token")
        )
    );
    // Digits are split one by one (SmolLM2's pre-tokenizer).
    assert_eq!(model.encode("2024").expect("encode").len(), 4);
}

fn request(prompt: &str, sampling: SamplingParams, n: usize) -> GenerationRequest {
    GenerationRequest {
        messages: vec![ChatMessage::user(prompt)],
        n,
        sampling,
    }
}

#[test]
fn greedy_generation_is_reproducible_and_writes_code() {
    let mut model = model().lock().expect("lock");
    let req = request(
        "Write a Python function that returns the sum of a list of numbers.",
        SamplingParams::greedy(64),
        1,
    );
    let mut streamed = String::new();
    let first = model
        .generate(&req, &mut |s| streamed.push_str(s))
        .expect("generate");
    let second = model.generate(&req, &mut |_| {}).expect("generate");
    assert_eq!(
        first[0].text, second[0].text,
        "greedy decoding must be deterministic"
    );
    assert_eq!(first[0].tokens, second[0].tokens);
    assert_eq!(
        streamed, first[0].text,
        "streamed pieces add up to the text"
    );
    assert_eq!(first[0].tokens.len(), first[0].logprobs.len());
    assert!(
        first[0]
            .logprobs
            .iter()
            .all(|lp| *lp <= 0.0 && lp.is_finite())
    );
    let text = &first[0].text;
    assert!(
        text.contains("def ") || text.contains("sum("),
        "expected code, got: {text}"
    );
}

#[test]
fn seeds_control_sampling_and_stop_strings_cut() {
    let mut model = model().lock().expect("lock");
    let sampling = SamplingParams {
        temperature: 1.0,
        top_p: 0.95,
        seed: 42,
        max_new_tokens: 24,
        ..SamplingParams::default()
    };
    let req = request("Tell me a short story about a robot.", sampling.clone(), 2);
    let a = model.generate(&req, &mut |_| {}).expect("generate");
    let b = model.generate(&req, &mut |_| {}).expect("generate");
    assert_eq!(a[0].text, b[0].text, "same seed, same text");
    assert_eq!(a[1].text, b[1].text);
    assert_ne!(
        a[0].tokens, a[1].tokens,
        "the n samples use different seeds"
    );
    let stop = SamplingParams {
        stop: vec![" ".into()],
        ..SamplingParams::greedy(32)
    };
    let cut = model
        .generate(&request("Say hello to the world.", stop, 1), &mut |_| {})
        .expect("generate");
    assert!(
        !cut[0].text.contains(' '),
        "text stops before the stop string: {:?}",
        cut[0].text
    );
}
