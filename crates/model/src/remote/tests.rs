//! Unit tests of the remote client's pure parts: URLs, prompts, replies, errors, backoff.

use super::config::{Api, is_url, split_endpoint};
use super::http::{MAX_BACKOFF, MAX_RETRY_AFTER, backoff};
use super::wire::{error_message, finish_reason, parse_model_list, render_prompt, token_ids};
use crate::chat::{ChatMessage, ChatTemplate};
use crate::generator::FinishReason;
use serde_json::json;
use std::time::Duration;

#[test]
fn urls_select_the_base_and_the_endpoint() {
    let cases = [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1", true),
        ("http://h:1/v1/", "http://h:1/v1", true),
        ("https://h/v1/chat/completions", "https://h/v1", true),
        ("http://h:1/v1/completions", "http://h:1/v1", false),
        ("HTTP://h/api", "HTTP://h/api/v1", true),
    ];
    for (url, base, chat) in cases {
        let (b, api) = split_endpoint(url).expect(url);
        assert_eq!(b, base, "{url}");
        assert_eq!(api == Api::Chat, chat, "{url}");
    }
    assert!(split_endpoint("ftp://h").is_err());
    assert!(split_endpoint("http://").is_err());
    assert!(is_url("https://x") && !is_url("qwen2.5-coder-0.5b-instruct"));
}

#[test]
fn completions_prompts_are_chatml_or_raw() {
    let messages = [ChatMessage::system("S"), ChatMessage::user("U")];
    let template = ChatTemplate::from_gguf_template(None);
    assert_eq!(
        render_prompt(Some(&template), &messages),
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"
    );
    assert_eq!(render_prompt(None, &messages), "S\n\nU");
}

#[test]
fn error_messages_are_found_in_common_shapes() {
    assert_eq!(error_message(r#"{"error":{"message":"bad n"}}"#), "bad n");
    assert_eq!(error_message(r#"{"error":"nope"}"#), "nope");
    assert_eq!(error_message(r#"{"object":"error","message":"m"}"#), "m");
    assert_eq!(
        error_message(r#"{"detail":[{"msg":"x"}]}"#),
        r#"[{"msg":"x"}]"#
    );
    assert_eq!(error_message("Bad Gateway"), "Bad Gateway");
    assert_eq!(error_message(""), "(empty reply)");
    assert!(error_message(&"x".repeat(1000)).ends_with('…'));
}

#[test]
fn finish_reasons_map_to_ours() {
    let stops = vec!["```".to_string()];
    let fence = json!("```");
    let eot = json!("<|im_end|>");
    assert_eq!(
        finish_reason(Some("length"), None, &stops),
        FinishReason::Length
    );
    assert_eq!(
        finish_reason(Some("stop"), None, &stops),
        FinishReason::Stop
    );
    assert_eq!(
        finish_reason(Some("stop"), Some(&fence), &stops),
        FinishReason::StopString
    );
    assert_eq!(
        finish_reason(Some("stop"), Some(&eot), &stops),
        FinishReason::Stop
    );
    assert_eq!(finish_reason(None, None, &stops), FinishReason::Stop);
}

#[test]
fn token_ids_only_when_every_token_carries_one() {
    let ids = ["token_id:5".to_string(), "token_id:70".to_string()];
    assert_eq!(token_ids(&ids), vec![5, 70]);
    let mixed = ["token_id:5".to_string(), "hello".to_string()];
    assert!(token_ids(&mixed).is_empty());
}

#[test]
fn backoff_doubles_with_jitter_and_honours_retry_after() {
    let base = Duration::from_millis(100);
    for attempt in 0..4 {
        let full = base * (1 << attempt);
        let delay = backoff(base, attempt, None);
        assert!(delay <= full && delay >= full / 2, "{attempt}: {delay:?}");
    }
    assert!(backoff(base, 40, None) <= MAX_BACKOFF);
    let after = Some(Duration::from_secs(3));
    assert_eq!(backoff(base, 0, after), Duration::from_secs(3));
    let long = Some(Duration::from_secs(3600));
    assert_eq!(backoff(base, 0, long), MAX_RETRY_AFTER);
}

#[test]
fn model_lists_give_the_first_id() {
    assert_eq!(
        parse_model_list(r#"{"object":"list","data":[{"id":"a"},{"id":"b"}]}"#),
        Ok("a".to_string())
    );
    assert!(parse_model_list(r#"{"data":[]}"#).is_err());
    assert!(parse_model_list("<html>").is_err());
}
