//! Opt-in: the remote backend against a real llama.cpp server (llama-cpp-python's) serving
//! SmolLM2-135M. `scripts/llama-server-test.sh` builds the server, starts it, and runs these
//! ignored tests with `CRUCIBLE_TEST_OPENAI_URL` set to its address.

use crucible_model::{
    ChatMessage, Completion, FinishReason, GenerationRequest, Generator, RemoteModel,
    RemoteModelConfig, SamplingParams, open_generator,
};
use std::path::Path;

fn server_url() -> String {
    std::env::var("CRUCIBLE_TEST_OPENAI_URL")
        .expect("set CRUCIBLE_TEST_OPENAI_URL (scripts/llama-server-test.sh does)")
}

fn connect(endpoint: &str) -> RemoteModel {
    let url = format!("{}{endpoint}", server_url());
    RemoteModel::connect(RemoteModelConfig::new(&url).expect("config")).expect("connect")
}

fn request(prompt: &str, n: usize, sampling: SamplingParams) -> GenerationRequest {
    GenerationRequest {
        messages: vec![ChatMessage::user(prompt)],
        n,
        sampling,
    }
}

fn sampled(seed: u64, max_new_tokens: usize, stop: &[&str]) -> SamplingParams {
    SamplingParams {
        temperature: 0.8,
        top_p: 0.95,
        top_k: 40,
        seed,
        max_new_tokens,
        stop: stop.iter().map(|s| s.to_string()).collect(),
        stop_after_code_block: false,
    }
}

/// What every completion from the server must satisfy.
fn check_sane(c: &Completion, max_new_tokens: usize, stop: &[&str]) {
    assert!(!c.text.trim().is_empty(), "empty completion: {c:?}");
    for s in stop {
        assert!(
            !c.text.contains(s),
            "stop string {s:?} left in {:?}",
            c.text
        );
    }
    assert!(!c.logprobs.is_empty(), "log-probs were requested: {c:?}");
    assert!(c.logprobs.len() <= max_new_tokens, "{c:?}");
    assert!(
        c.logprobs.iter().all(|lp| lp.is_finite() && *lp <= 1e-4),
        "{c:?}"
    );
    assert!(c.prompt_tokens > 0, "usage.prompt_tokens: {c:?}");
    if c.finish == FinishReason::Length {
        assert_eq!(c.logprobs.len(), max_new_tokens, "{c:?}");
    }
}

#[test]
#[ignore = "needs a llama.cpp server: scripts/llama-server-test.sh"]
fn chat_with_n_seed_stop_and_max_tokens() {
    let mut model = connect("");
    eprintln!("{}", model.describe());
    let stop = ["\n\n"];
    let req = request(
        "Write a short poem about the sea.",
        2,
        sampled(7, 32, &stop),
    );
    let mut streamed = String::new();
    let out = model
        .generate(&req, &mut |piece| streamed.push_str(piece))
        .expect("chat");
    assert_eq!(out.len(), 2, "n = 2 (topped up if the server ignores n)");
    for c in &out {
        eprintln!("chat {:?}: {:?}", c.finish, c.text);
        check_sane(c, 32, &stop);
    }
    assert_eq!(streamed, out[0].text);
    let again = model.generate(&req, &mut |_| {}).expect("chat again");
    assert_eq!(
        again[0].text, out[0].text,
        "the same seed gives the same text"
    );
}

#[test]
#[ignore = "needs a llama.cpp server: scripts/llama-server-test.sh"]
fn completions_with_n_seed_stop_and_max_tokens() {
    let mut model = connect("/v1/completions");
    let stop = ["\n"];
    let req = request(
        "List three fruits, one per line.",
        2,
        sampled(11, 12, &stop),
    );
    let out = model.generate(&req, &mut |_| {}).expect("completions");
    assert_eq!(out.len(), 2);
    for c in &out {
        eprintln!("completions {:?}: {:?}", c.finish, c.text);
        check_sane(c, 12, &stop);
    }
    let greedy = request("Count from 1 to 50.", 1, SamplingParams::greedy(8));
    let out = model.generate(&greedy, &mut |_| {}).expect("greedy");
    assert_eq!(out[0].finish, FinishReason::Length, "{:?}", out[0]);
    assert_eq!(out[0].logprobs.len(), 8);
}

#[test]
#[ignore = "needs a llama.cpp server: scripts/llama-server-test.sh"]
fn batches_and_the_common_entry_point() {
    let mut model = open_generator(
        &server_url(),
        Path::new("/nonexistent"),
        &Default::default(),
    )
    .expect("open_generator with a URL");
    let requests: Vec<GenerationRequest> = ["red", "green", "blue"]
        .iter()
        .enumerate()
        .map(|(i, colour)| {
            request(
                &format!("Name one thing that is {colour}."),
                1,
                sampled(i as u64, 16, &[]),
            )
        })
        .collect();
    let mut done = 0;
    let results = model.generate_batch(&requests, &mut |_| done += 1);
    assert_eq!(done, 3);
    for result in results {
        let out = result.expect("batch item");
        check_sane(&out[0], 16, &[]);
    }
}
