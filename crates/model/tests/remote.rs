//! The remote backend against a scripted HTTP server on 127.0.0.1: what the client sends, how
//! replies are read, retries, and every error path. (The real-server test is
//! `remote_llama_cpp.rs`.)

use crucible_model::{
    ChatMessage, Completion, FinishReason, GenerationRequest, Generator, ModelError, RemoteModel,
    RemoteModelConfig, SamplingParams,
};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("request body is JSON")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
enum Response {
    /// Answer with this status and body.
    Http(u16, String),
    /// Read the request, wait, then hang up without answering.
    Stall(Duration),
}

fn ok(body: Value) -> Response {
    Response::Http(200, body.to_string())
}

/// A server that hands each request (numbered from 0) to `handler`, one thread per connection,
/// and records every request.
struct FakeServer {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeServer {
    fn start(handler: impl Fn(usize, &Request) -> Response + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let handler = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (recorded, handler) = (Arc::clone(&recorded), Arc::clone(&handler));
                std::thread::spawn(move || serve_one(stream, &recorded, handler.as_ref()));
            }
        });
        FakeServer { url, requests }
    }

    /// Answers the requests in order with `responses` (then 500s).
    fn scripted(responses: Vec<Response>) -> Self {
        let responses = Mutex::new(responses.into_iter());
        FakeServer::start(move |_, _| {
            responses
                .lock()
                .expect("lock")
                .next()
                .unwrap_or_else(|| Response::Http(500, "script exhausted".into()))
        })
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("lock").clone()
    }
}

fn serve_one(
    stream: TcpStream,
    recorded: &Mutex<Vec<Request>>,
    handler: &(dyn Fn(usize, &Request) -> Response + Send + Sync),
) {
    let mut reader = BufReader::new(stream);
    let Some(request) = read_request(&mut reader) else {
        return;
    };
    let number = {
        let mut all = recorded.lock().expect("lock");
        all.push(request.clone());
        all.len() - 1
    };
    let mut stream = reader.into_inner();
    match handler(number, &request) {
        Response::Http(status, body) => {
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
        Response::Stall(time) => std::thread::sleep(time),
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(Some(0), |(_, v)| v.parse().ok())?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

/// Settings for tests: a named model (no `/v1/models` call), quick retries.
fn test_config(url: &str) -> RemoteModelConfig {
    RemoteModelConfig {
        model: Some("test-model".into()),
        api_key: Some("sk-test".into()),
        retry_backoff: Duration::from_millis(10),
        request_timeout: Duration::from_secs(10),
        ..RemoteModelConfig::new(url).expect("config")
    }
}

fn request(n: usize) -> GenerationRequest {
    GenerationRequest {
        messages: vec![ChatMessage::system("Be brief."), ChatMessage::user("Hi")],
        n,
        sampling: SamplingParams {
            temperature: 0.7,
            top_p: 0.9,
            top_k: 0,
            seed: 5,
            max_new_tokens: 16,
            stop: vec!["```".into()],
            stop_after_code_block: false,
        },
    }
}

fn chat_choice(index: usize, text: &str) -> Value {
    json!({"index": index, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"})
}

fn generate(
    model: &mut RemoteModel,
    request: &GenerationRequest,
) -> Result<Vec<Completion>, ModelError> {
    model.generate(request, &mut |_| {})
}

#[test]
fn chat_request_carries_messages_and_sampling_and_the_reply_is_read() {
    let server = FakeServer::scripted(vec![ok(json!({
        "choices": [
            {"index": 1, "message": {"content": "second"}, "finish_reason": "length",
             "logprobs": {"content": [{"token": "sec", "logprob": -0.5}, {"token": "ond", "logprob": -0.25}]}},
            {"index": 0, "message": {"content": "first"}, "finish_reason": "stop", "stop_reason": "```"},
        ],
        "usage": {"prompt_tokens": 21, "completion_tokens": 3}
    }))]);
    let mut model = RemoteModel::connect(test_config(&server.url)).expect("connect");
    let mut req = request(2);
    req.sampling.top_k = 40;
    let mut streamed = Vec::new();
    let out = model
        .generate(&req, &mut |piece| streamed.push(piece.to_string()))
        .expect("generate");

    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(sent.header("authorization"), Some("Bearer sk-test"));
    let body = sent.json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(
        body["messages"],
        json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    );
    assert_eq!(body["n"], 2);
    assert_eq!(body["temperature"], 0.7);
    assert_eq!(body["top_p"], 0.9);
    assert_eq!(body["top_k"], 40);
    assert_eq!(body["max_tokens"], 16);
    assert_eq!(body["seed"], 5);
    assert_eq!(body["stop"], json!(["```"]));
    assert_eq!(body["logprobs"], true);
    assert!(body.get("prompt").is_none());

    assert_eq!(out.len(), 2);
    assert_eq!(out[0].text, "first");
    assert_eq!(out[0].finish, FinishReason::StopString);
    assert!(out[0].logprobs.is_empty() && out[0].tokens.is_empty());
    assert_eq!(out[1].text, "second");
    assert_eq!(out[1].finish, FinishReason::Length);
    assert_eq!(out[1].logprobs, vec![-0.5, -0.25]);
    assert!(out[1].tokens.is_empty(), "chat replies carry no token ids");
    assert!(out.iter().all(|c| c.prompt_tokens == 21));
    assert_eq!(streamed, vec!["first".to_string()]);
}

#[test]
fn completions_endpoint_renders_chatml_and_reads_text_logprobs() {
    let server = FakeServer::scripted(vec![ok(json!({
        "choices": [{"index": 0, "text": "print(1)", "finish_reason": "stop",
                     "logprobs": {"tokens": ["token_id:17", "token_id:4"], "token_logprobs": [-0.1, -2.0]}}]
    }))]);
    let url = format!("{}/v1/completions", server.url);
    let mut model = RemoteModel::connect(test_config(&url)).expect("connect");
    let out = generate(&mut model, &request(1)).expect("generate");

    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/v1/completions");
    let body = sent.json();
    assert_eq!(
        body["prompt"],
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    );
    assert_eq!(body["stop"], json!(["```", "<|im_end|>"]));
    assert_eq!(body["logprobs"], 1);
    assert!(body.get("top_k").is_none(), "top_k 0 is not sent");
    assert!(body.get("messages").is_none());

    assert_eq!(out[0].text, "print(1)");
    assert_eq!(out[0].tokens, vec![17, 4]);
    assert_eq!(out[0].logprobs, vec![-0.1, -2.0]);
    assert_eq!(out[0].finish, FinishReason::Stop);
    assert_eq!(out[0].prompt_tokens, 0, "no usage: 0");
    assert!(model.describe().contains("completions"));
}

#[test]
fn a_server_that_ignores_n_is_asked_again_with_new_seeds() {
    let server =
        FakeServer::start(|i, _| ok(json!({"choices": [chat_choice(0, &format!("c{i}"))]})));
    let mut model = RemoteModel::connect(test_config(&server.url)).expect("connect");
    let out = generate(&mut model, &request(3)).expect("generate");
    let texts: Vec<&str> = out.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["c0", "c1", "c2"]);
    let sent: Vec<(Value, Value)> = server
        .requests()
        .iter()
        .map(|r| (r.json()["n"].clone(), r.json()["seed"].clone()))
        .collect();
    assert_eq!(
        sent,
        vec![
            (json!(3), json!(5)),
            (json!(2), json!(6)),
            (json!(1), json!(7))
        ]
    );
}

#[test]
fn server_errors_and_rate_limits_are_retried() {
    let server = FakeServer::scripted(vec![
        Response::Http(500, r#"{"error":{"message":"out of memory"}}"#.into()),
        Response::Http(429, r#"{"error":{"message":"slow down"}}"#.into()),
        ok(json!({"choices": [chat_choice(0, "fine")]})),
    ]);
    let mut model = RemoteModel::connect(test_config(&server.url)).expect("connect");
    let out = generate(&mut model, &request(1)).expect("generate after retries");
    assert_eq!(out[0].text, "fine");
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn retries_stop_at_the_limit_with_the_last_error() {
    let server = FakeServer::start(|_, _| Response::Http(503, "overloaded".into()));
    let config = RemoteModelConfig {
        max_retries: 2,
        ..test_config(&server.url)
    };
    let mut model = RemoteModel::connect(config).expect("connect");
    let err = generate(&mut model, &request(1)).expect_err("keeps failing");
    assert!(
        matches!(&err, ModelError::Http { status: 503, message, .. } if message == "overloaded"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn client_errors_are_not_retried_and_carry_the_servers_message() {
    let server = FakeServer::scripted(vec![
        Response::Http(
            400,
            r#"{"error":{"message":"max_tokens must be at most 4096","type":"BadRequestError"}}"#
                .into(),
        ),
        ok(json!({"choices": [chat_choice(0, "never asked")]})),
    ]);
    let mut model = RemoteModel::connect(test_config(&server.url)).expect("connect");
    let err = generate(&mut model, &request(1)).expect_err("400");
    assert!(
        matches!(&err, ModelError::Http { status: 400, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("HTTP 400"), "{text}");
    assert!(text.contains("max_tokens must be at most 4096"), "{text}");
    assert!(text.contains(&server.url), "{text}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn malformed_replies_are_clear_errors() {
    let cases = [
        ("this is not json", "not JSON"),
        (r#"{"id": "x"}"#, "no `choices`"),
        (r#"{"error": "model is loading"}"#, "model is loading"),
        (r#"{"choices": []}"#, "`choices` is empty"),
        (r#"{"choices": [{"index": 0}]}"#, "choices[0]: no `message`"),
        (r#"{"choices": "x"}"#, "unexpected structure"),
        (
            r#"{"choices": [{"message": {"content": "a"}, "logprobs": {"content": 3}}]}"#,
            "`logprobs`",
        ),
    ];
    for (reply, expected) in cases {
        let server = FakeServer::scripted(vec![Response::Http(200, reply.into())]);
        let mut model = RemoteModel::connect(test_config(&server.url)).expect("connect");
        let err = generate(&mut model, &request(1)).expect_err(reply);
        assert!(
            matches!(err, ModelError::Malformed { .. }),
            "{reply}: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("malformed reply") && text.contains(expected),
            "{reply}: {text}"
        );
        assert_eq!(
            server.requests().len(),
            1,
            "malformed replies are not retried"
        );
    }
}

#[test]
fn a_refused_connection_fails_quickly_and_names_the_url() {
    let url = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("addr"))
    };
    let started = Instant::now();
    let config = RemoteModelConfig {
        max_retries: 1,
        ..test_config(&url)
    };
    let mut model = RemoteModel::connect(config).expect("connect with a named model");
    let err = generate(&mut model, &request(1)).expect_err("nobody listens");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, ModelError::Connect { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&url), "{text}");
    assert!(text.to_lowercase().contains("refused"), "{text}");

    // Without a model name, the refusal is reported when connecting.
    let config = RemoteModelConfig {
        model: None,
        max_retries: 0,
        ..test_config(&url)
    };
    let err = RemoteModel::connect(config).err().expect("refused");
    assert!(err.to_string().contains("/v1/models"), "{err}");
}

#[test]
fn a_silent_server_times_out() {
    let server = FakeServer::start(|_, _| Response::Stall(Duration::from_secs(3)));
    let config = RemoteModelConfig {
        request_timeout: Duration::from_millis(300),
        max_retries: 0,
        ..test_config(&server.url)
    };
    let mut model = RemoteModel::connect(config).expect("connect");
    let started = Instant::now();
    let err = generate(&mut model, &request(1)).expect_err("timeout");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, ModelError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("within 0.3 s"), "{err}");
}

#[test]
fn the_model_name_comes_from_the_model_list() {
    let server = FakeServer::scripted(vec![
        ok(json!({"object": "list", "data": [{"id": "served/qwen", "object": "model"}]})),
        ok(json!({"choices": [chat_choice(0, "hi")]})),
    ]);
    let config = RemoteModelConfig {
        model: None,
        ..test_config(&server.url)
    };
    let mut model = RemoteModel::connect(config).expect("connect");
    assert_eq!(model.model_name(), "served/qwen");
    assert!(model.describe().contains("served/qwen"));
    generate(&mut model, &request(1)).expect("generate");
    let sent = server.requests();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(sent[1].json()["model"], "served/qwen");
}

#[test]
fn batches_run_concurrently_up_to_the_limit_and_keep_their_order() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (now, peak) = (Arc::clone(&in_flight), Arc::clone(&most));
    let server = FakeServer::start(move |_, request| {
        let current = now.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(current, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(150));
        now.fetch_sub(1, Ordering::SeqCst);
        let body = request.json();
        let question = body["messages"][0]["content"]
            .as_str()
            .unwrap_or("?")
            .to_string();
        if question == "fail" {
            return Response::Http(400, r#"{"error":"bad request"}"#.into());
        }
        ok(json!({"choices": [chat_choice(0, &format!("answer to {question}"))]}))
    });
    let config = RemoteModelConfig {
        concurrency: 3,
        ..test_config(&server.url)
    };
    let mut model = RemoteModel::connect(config).expect("connect");
    let requests: Vec<GenerationRequest> = (0..9)
        .map(|i| GenerationRequest {
            messages: vec![ChatMessage::user(if i == 4 {
                "fail".to_string()
            } else {
                format!("q{i}")
            })],
            ..request(1)
        })
        .collect();
    let mut done = Vec::new();
    let results = model.generate_batch(&requests, &mut |i| done.push(i));
    assert_eq!(results.len(), 9);
    for (i, result) in results.iter().enumerate() {
        if i == 4 {
            assert!(matches!(result, Err(ModelError::Http { status: 400, .. })));
        } else {
            let out = result.as_ref().expect("completion");
            assert_eq!(out[0].text, format!("answer to q{i}"));
        }
    }
    done.sort_unstable();
    assert_eq!(done, (0..9).collect::<Vec<_>>());
    let peak = most.load(Ordering::SeqCst);
    assert!((2..=3).contains(&peak), "peak in flight {peak}");
}

#[tokio::test]
async fn the_model_can_be_created_used_and_dropped_inside_an_async_runtime() {
    let server = FakeServer::scripted(vec![
        ok(json!({"data": [{"id": "m"}]})),
        ok(json!({"choices": [chat_choice(0, "ok")]})),
    ]);
    let config = RemoteModelConfig {
        model: None,
        ..test_config(&server.url)
    };
    let mut model = RemoteModel::connect(config).expect("connect");
    let out = generate(&mut model, &request(1)).expect("generate");
    assert_eq!(out[0].text, "ok");
    drop(model);
}

#[test]
fn the_code_block_stop_is_sent_and_its_fence_put_back() {
    // Choice 0: the server stopped at "\n```\n" and dropped it. Choice 1: the stop cut a bare
    // opening fence, so no fence is left and that completion is asked for again without it.
    let server = FakeServer::scripted(vec![
        ok(json!({"choices": [
            chat_choice(0, "Here:\n```python\nprint(1)"),
            chat_choice(1, "Here:"),
        ]})),
        ok(json!({"choices": [chat_choice(0, "Here:\n```\nprint(2)\n```\nDone.")]})),
    ]);
    let mut model = RemoteModel::connect(test_config(&server.url)).expect("connect");
    let mut req = request(2);
    req.sampling.stop = Vec::new();
    req.sampling.stop_after_code_block = true;
    let out = generate(&mut model, &req).expect("generate");

    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].json()["stop"], json!(["\n```\n"]));
    assert_eq!(sent[1].json()["n"], json!(1));
    assert_eq!(sent[1].json().get("stop"), None);
    assert_eq!(out[0].text, "Here:\n```python\nprint(1)\n```");
    assert_eq!(out[1].text, "Here:\n```\nprint(2)\n```");
}

#[test]
fn extra_body_fields_go_into_every_request() {
    let server = FakeServer::scripted(vec![ok(json!({"choices": [chat_choice(0, "hi")]}))]);
    let mut config = test_config(&server.url);
    config
        .extra_body
        .insert("repeat_penalty".into(), json!(1.0));
    let mut model = RemoteModel::connect(config).expect("connect");
    generate(&mut model, &request(1)).expect("generate");
    assert_eq!(server.requests()[0].json()["repeat_penalty"], json!(1.0));
}
