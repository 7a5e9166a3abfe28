//! Batched generation gives every sample exactly the text it gets alone: several prompts
//! decoded together (with slots freed and refilled), and the n samples of one prompt sharing
//! its prefill. Uses the small test model; skipped, with a message, when it is absent.
//! Run with `RAYON_NUM_THREADS=1`.

use crucible_model::{
    ChatMessage, Completion, GenerationRequest, Generator, LocalModel, LocalModelConfig,
    ModelError, SamplingParams, TEST_MODEL, default_models_dir, resolve_model,
};

/// The test model with at most `max_batch` samples decoding at once.
fn model(max_batch: usize) -> Option<LocalModel> {
    let Ok(path) = resolve_model(TEST_MODEL, &default_models_dir()) else {
        eprintln!("skipped: the test model is absent (./setup.sh fetches it)");
        return None;
    };
    let config = LocalModelConfig {
        max_batch,
        ..LocalModelConfig::new(path)
    };
    Some(LocalModel::load(&config).expect("load"))
}

fn request(prompt: &str, sampling: SamplingParams, n: usize) -> GenerationRequest {
    GenerationRequest {
        messages: vec![ChatMessage::user(prompt)],
        n,
        sampling,
    }
}

fn sampled(seed: u64, max_new_tokens: usize) -> SamplingParams {
    SamplingParams {
        temperature: 0.9,
        top_p: 0.95,
        seed,
        max_new_tokens,
        ..SamplingParams::default()
    }
}

/// Everything about a completion, which must not depend on the batch (JSON writes each
/// log-probability's shortest exact form, so equal keys mean bit-identical values).
fn key(c: &Completion) -> String {
    serde_json::to_string(c).expect("json")
}

fn keys(cs: &[Completion]) -> Vec<String> {
    cs.iter().map(key).collect()
}

fn requests() -> Vec<GenerationRequest> {
    vec![
        request(
            "Write a Python function that reverses a string.",
            SamplingParams::greedy(24),
            1,
        ),
        request("Name three colours.", SamplingParams::greedy(8), 1),
        request("Tell me a short story about a robot.", sampled(7, 16), 2),
        request(
            "What is 2 + 2?",
            SamplingParams {
                stop: vec![".".into()],
                ..SamplingParams::greedy(24)
            },
            1,
        ),
        request("Write a haiku about the sea.", sampled(3, 12), 1),
    ]
}

#[test]
fn batched_prompts_get_the_texts_they_get_alone() {
    let (Some(mut batched), Some(mut narrow)) = (model(16), model(2)) else {
        return;
    };
    let requests = requests();
    let mut alone = Vec::new();
    for r in &requests {
        alone.push(keys(&batched.generate(r, &mut |_| {}).expect("generate")));
    }
    for model in [&mut batched, &mut narrow] {
        let mut done = Vec::new();
        let together = model.generate_batch(&requests, &mut |i| done.push(i));
        done.sort_unstable();
        assert_eq!(done, (0..requests.len()).collect::<Vec<_>>());
        for (i, result) in together.into_iter().enumerate() {
            assert_eq!(keys(&result.expect("generate")), alone[i], "request {i}");
        }
    }
}

#[test]
fn samples_sharing_a_prefill_equal_separate_generations() {
    let Some(mut model) = model(16) else {
        return;
    };
    let prompt = "Write a Python function that adds two numbers.";
    let shared = model
        .generate(&request(prompt, sampled(42, 16), 3), &mut |_| {})
        .expect("generate");
    assert_eq!(shared.len(), 3);
    for (i, completion) in shared.iter().enumerate() {
        let alone = model
            .generate(&request(prompt, sampled(42 + i as u64, 16), 1), &mut |_| {})
            .expect("generate");
        assert_eq!(key(completion), key(&alone[0]), "sample {i}");
    }
    assert_ne!(
        shared[0].tokens, shared[1].tokens,
        "samples use their own seeds"
    );
}

#[test]
fn streaming_follows_the_first_sample_and_empty_budgets_finish_at_once() {
    let Some(mut model) = model(4) else {
        return;
    };
    let mut streamed = String::new();
    let out = model
        .generate(&request("Say hello.", sampled(1, 16), 3), &mut |s| {
            streamed.push_str(s)
        })
        .expect("generate");
    assert_eq!(streamed, out[0].text);
    let none = model
        .generate(
            &request("Say hello.", SamplingParams::greedy(0), 2),
            &mut |_| {},
        )
        .expect("generate");
    assert_eq!(none.len(), 2);
    assert!(
        none.iter()
            .all(|c| c.tokens.is_empty() && c.prompt_tokens > 0)
    );
}

#[test]
fn a_prompt_beyond_the_context_fails_only_its_own_request() {
    let Some(mut model) = model(4) else {
        return;
    };
    let limit = model.transformer().params().max_positions;
    let long = "word ".repeat(limit + 10);
    let requests = [
        request(&long, SamplingParams::greedy(4), 1),
        request("Say hello.", SamplingParams::greedy(4), 2),
    ];
    let mut results = model.generate_batch(&requests, &mut |_| {});
    match results.remove(0) {
        Err(ModelError::ContextFull {
            positions,
            limit: l,
        }) => {
            assert!(positions > limit && l == limit)
        }
        other => panic!("expected ContextFull, got {other:?}"),
    }
    assert_eq!(results.remove(0).expect("short request").len(), 2);
}
