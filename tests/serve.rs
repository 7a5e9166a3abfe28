//! `crucible serve` in-process on 127.0.0.1:0, driven over real HTTP: every hostile program
//! gets the same verdict through `/judge` as in-process (and the matching SandboxFusion status
//! through `/run_code`); bad requests get 4xx with a message; a full queue answers 429 with
//! `Retry-After`; a configured token is required.

#[path = "serve/hostile.rs"]
mod hostile;
#[path = "serve/problems.rs"]
mod problems;
#[path = "serve/support.rs"]
mod support;

use crucible_sandbox::{JudgeReport, Language, Submission, TestCase, Verdict};
use crucible_serve::ServeConfig;
use hostile::{
    Hostile, fusion_status, hostile_config, hostile_options, hostile_programs, judge_body,
};
use problems::{eval_verdicts, text_files};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use support::{client, post, post_raw, sandbox, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_verdicts_over_http_equal_in_process_verdicts() {
    let sandbox = sandbox(2);
    let server = start(sandbox.clone(), hostile_config()).await;
    let mut programs = hostile_programs();
    assert!(programs.len() >= 30, "{} programs", programs.len());
    // The suite's generated 10 MB source (a compile error: over the source limit) travels too.
    let mut big = b"int main() { return 0; }\n".to_vec();
    while big.len() < 10_000_000 {
        big.extend_from_slice(b"// padding padding padding padding padding padding padding\n");
    }
    programs.push(Hostile {
        name: "generated_10mb_source.cpp".into(),
        lang: Language::Cpp,
        source: big,
        output: Vec::new(),
        exact: false,
    });
    let mut mismatches = Vec::new();
    for p in &programs {
        let test = TestCase::new("t", Vec::new(), p.output.clone());
        let local: JudgeReport = sandbox
            .judge_source(
                Submission {
                    lang: p.lang,
                    source: p.source.clone(),
                },
                &[test],
                &hostile_options(p.exact),
            )
            .await;
        let (status, body) = post(&format!("{}/judge", server.url), &judge_body(p)).await;
        assert_eq!(status, 200, "{}: {body}", p.name);
        let remote: JudgeReport = serde_json::from_value(body).expect("a judge report");
        if remote.verdict != local.verdict {
            mismatches.push(format!(
                "{}: /judge {:?}, in-process {:?}",
                p.name, remote.verdict, local.verdict
            ));
        }
        let run = json!({
            "language": p.lang.name(),
            "code": String::from_utf8_lossy(&p.source),
            "run_timeout": 0.25,
            "memory_limit_MB": 256,
        });
        let (status, body) = post(&format!("{}/run_code", server.url), &run).await;
        assert_eq!(status, 200, "{}: {body}", p.name);
        let expected = fusion_status(local.verdict);
        if body["status"] != expected {
            mismatches.push(format!(
                "{}: /run_code {} for in-process {:?} (expected {expected}): {body}",
                p.name, body["status"], local.verdict
            ));
        }
        let run_verdict = match local.verdict {
            Verdict::WrongAnswer => Verdict::Accepted,
            v => v,
        };
        if body["crucible"]["verdict"] != json!(run_verdict) {
            mismatches.push(format!(
                "{}: /run_code verdict {} for in-process {:?}",
                p.name, body["crucible"]["verdict"], local.verdict
            ));
        }
        if local.verdict == Verdict::TimeLimitExceeded
            && body["run_result"]["status"] != "TimeLimitExceeded"
        {
            mismatches.push(format!("{}: TLE not reported as such: {body}", p.name));
        }
        eprintln!("{:32} {:4}", p.name, local.verdict.code());
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_code_speaks_sandbox_fusion() {
    let server = start(sandbox(2), ServeConfig::default()).await;
    let url = format!("{}/run_code", server.url);
    let (status, body) = post(
        &url,
        &json!({"code": "print(input()[::-1])", "language": "python", "stdin": "olleh\n"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "Success", "{body}");
    assert_eq!(body["compile_result"], Value::Null);
    assert_eq!(body["run_result"]["status"], "Finished");
    assert_eq!(body["run_result"]["return_code"], 0);
    assert_eq!(body["run_result"]["stdout"], "hello\n");
    assert!(body["run_result"]["execution_time"].as_f64().is_some());
    assert_eq!(body["files"], json!({}));

    let cpp = "#include <cstdio>\nint main(){int a,b; std::scanf(\"%d %d\",&a,&b); std::printf(\"%d\\n\",a+b);}";
    let (_, body) = post(
        &url,
        &json!({"code": cpp, "language": "cpp", "stdin": "2 3"}),
    )
    .await;
    assert_eq!(body["status"], "Success", "{body}");
    assert_eq!(body["compile_result"]["status"], "Finished");
    assert_eq!(body["compile_result"]["return_code"], 0);
    assert_eq!(body["run_result"]["stdout"], "5\n");

    let (_, body) = post(&url, &json!({"code": "int main( {", "language": "cpp"})).await;
    assert_eq!(body["status"], "Failed", "{body}");
    assert_eq!(body["compile_result"]["return_code"], 1);
    assert!(
        body["compile_result"]["stderr"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(body["run_result"], Value::Null);

    let (_, body) = post(
        &url,
        &json!({"code": "import sys\nsys.exit(3)", "language": "python"}),
    )
    .await;
    assert_eq!(body["status"], "Failed", "{body}");
    assert_eq!(body["run_result"]["return_code"], 3);

    // Python has no compile step in SandboxFusion: a tiny compile_timeout does not apply.
    let (_, body) = post(
        &url,
        &json!({"code": "print('quick')", "language": "python", "compile_timeout": 0.000001}),
    )
    .await;
    assert_eq!(body["run_result"]["stdout"], "quick\n", "{body}");

    let (_, body) = post(&url, &json!({"code": "def f(:\n", "language": "python"})).await;
    assert_eq!(body["status"], "Failed", "{body}");
    assert_eq!(body["compile_result"], Value::Null);
    assert_eq!(body["run_result"]["return_code"], 1);

    let (_, body) = post(
        &url,
        &json!({"code": "while True: pass", "language": "python", "run_timeout": 0.2}),
    )
    .await;
    assert_eq!(body["status"], "Failed", "{body}");
    assert_eq!(body["run_result"]["status"], "TimeLimitExceeded");
    assert_eq!(body["run_result"]["return_code"], Value::Null);

    // Files: given as base64, read by relative path, fetched back.
    let code = "print(open('data/in.txt').read().upper())";
    let (_, body) = post(
        &url,
        &json!({"code": code, "language": "python", "files": {"data/in.txt": "aGVsbG8="},
                "fetch_files": ["data/in.txt", "missing.txt"]}),
    )
    .await;
    assert_eq!(body["status"], "Success", "{body}");
    assert_eq!(body["run_result"]["stdout"], "HELLO\n");
    assert_eq!(body["files"], json!({"data/in.txt": "aGVsbG8="}));

    let c = "#include <stdio.h>\nint main(void){puts(\"c ok\");return 0;}";
    let (_, body) = post(&url, &json!({"code": c, "language": "c"})).await;
    assert_eq!(body["run_result"]["stdout"], "c ok\n", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_4xx_with_a_message() {
    let config = ServeConfig {
        max_body_bytes: 64 << 10,
        ..ServeConfig::default()
    };
    let server = start(sandbox(1), config).await;
    let run = format!("{}/run_code", server.url);
    let judge = format!("{}/judge", server.url);
    let big = "x".repeat(200 << 10);
    let cases: Vec<(&str, String, Vec<u8>, u16, &str)> = vec![
        (
            "malformed JSON",
            run.clone(),
            b"{\"code\": ".to_vec(),
            400,
            "invalid JSON",
        ),
        (
            "not an object",
            run.clone(),
            b"[1,2]".to_vec(),
            400,
            "invalid JSON",
        ),
        (
            "missing code",
            run.clone(),
            br#"{"language":"python"}"#.to_vec(),
            400,
            "code",
        ),
        (
            "wrong type",
            run.clone(),
            br#"{"code":1,"language":"python"}"#.to_vec(),
            400,
            "invalid type",
        ),
        (
            "oversized",
            run.clone(),
            format!(r#"{{"code":"{big}","language":"python"}}"#).into_bytes(),
            413,
            "limit",
        ),
        (
            "unknown language",
            run.clone(),
            br#"{"code":"x","language":"cobol"}"#.to_vec(),
            400,
            "unsupported language",
        ),
        (
            "SandboxFusion language we lack",
            run.clone(),
            br#"{"code":"x","language":"java"}"#.to_vec(),
            400,
            "unsupported language",
        ),
        (
            "negative run_timeout",
            run.clone(),
            br#"{"code":"x","language":"python","run_timeout":-1}"#.to_vec(),
            400,
            "run_timeout",
        ),
        (
            "zero compile_timeout",
            run.clone(),
            br#"{"code":"x","language":"cpp","compile_timeout":0}"#.to_vec(),
            400,
            "compile_timeout",
        ),
        (
            "negative memory",
            run.clone(),
            br#"{"code":"x","language":"python","memory_limit_MB":-5}"#.to_vec(),
            400,
            "memory_limit_MB",
        ),
        (
            "escaping file",
            run.clone(),
            br#"{"code":"x","language":"python","files":{"../x":"aGk="}}"#.to_vec(),
            400,
            "relative path",
        ),
        (
            "bad base64",
            run.clone(),
            br#"{"code":"x","language":"python","files":{"a":"***"}}"#.to_vec(),
            400,
            "base64",
        ),
        (
            "judge without tests",
            judge.clone(),
            br#"{"language":"python","source":"x","tests":[]}"#.to_vec(),
            400,
            "at least one test",
        ),
        (
            "judge unknown field",
            judge.clone(),
            br#"{"language":"python","source":"x","tests":[{}],"time_limt":1}"#.to_vec(),
            400,
            "time_limt",
        ),
        (
            "judge negative time",
            judge.clone(),
            br#"{"language":"python","source":"x","tests":[{}],"time_limit":-2}"#.to_vec(),
            400,
            "time_limit",
        ),
        (
            "judge custom without program",
            judge.clone(),
            br#"{"language":"python","source":"x","tests":[{}],"checker":{"kind":"custom"}}"#
                .to_vec(),
            400,
            "checker_program",
        ),
    ];
    for (what, url, body, want, needle) in cases {
        let (status, body) = post_raw(&url, body).await;
        assert_eq!(status, want, "{what}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(needle),
            "{what}: message `{message}` lacks `{needle}`"
        );
    }
    // Still alive and well after all that.
    let (status, body) = post(&run, &json!({"code": "print(1)", "language": "python"})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("Success")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_429_with_retry_after() {
    let config = ServeConfig {
        queue: 1,
        ..ServeConfig::default()
    };
    let server = start(sandbox(1), config).await;
    let url = format!("{}/run_code", server.url);
    let slow = json!({"code": "while True: pass", "language": "python", "run_timeout": 0.5});
    let first = tokio::spawn({
        let url = url.clone();
        async move { post(&url, &slow).await }
    });
    // Wait until the first request holds the only slot.
    let health = format!("{}/health", server.url);
    for _ in 0..200 {
        let h: Value = client()
            .get(&health)
            .send()
            .await
            .expect("health")
            .json()
            .await
            .expect("json");
        if h["queue_depth"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let response = client()
        .post(&url)
        .json(&json!({"code": "print(1)", "language": "python"}))
        .send()
        .await
        .expect("second request");
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let body: Value = response.json().await.expect("json");
    assert!(
        body["message"].as_str().is_some_and(|m| m.contains("busy")),
        "{body}"
    );
    let (status, body) = first.await.expect("first");
    assert_eq!(status, 200);
    assert_eq!(body["run_result"]["status"], "TimeLimitExceeded", "{body}");
    // The slot is free again; the metrics saw both.
    let (status, _) = post(&url, &json!({"code": "print(1)", "language": "python"})).await;
    assert_eq!(status, 200);
    let metrics = client()
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(r#"crucible_serve_requests_total{endpoint="/run_code",status="429"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            r#"crucible_serve_runs_total{endpoint="/run_code",verdict="TimeLimitExceeded"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("crucible_serve_request_duration_seconds_bucket"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_token_is_required() {
    let config = ServeConfig {
        token: Some("s3cret".into()),
        ..ServeConfig::default()
    };
    let server = start(sandbox(1), config).await;
    let url = format!("{}/run_code", server.url);
    let body = json!({"code": "print(1)", "language": "python"});
    let without = client()
        .post(&url)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(without.status().as_u16(), 401);
    assert!(without.headers().contains_key("www-authenticate"));
    let wrong = client()
        .post(&url)
        .bearer_auth("nope")
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status().as_u16(), 401);
    let metrics = client()
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .expect("request");
    assert_eq!(metrics.status().as_u16(), 401);
    let right = client()
        .post(&url)
        .bearer_auth("s3cret")
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(right.status().as_u16(), 200);
    let health = client()
        .get(format!("{}/health", server.url))
        .send()
        .await
        .expect("request");
    assert_eq!(
        health.status().as_u16(),
        200,
        "health stays open for load balancers"
    );
    let ping = client()
        .get(format!("{}/v1/ping", server.url))
        .send()
        .await
        .expect("request");
    assert_eq!(
        ping.text().await.expect("text"),
        "\"pong\"",
        "SandboxFusion's ping"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_judges_a_problem_given_inline() {
    let server = start(sandbox(2), ServeConfig::default()).await;
    let url = format!("{}/submit", server.url);
    let tests = json!([
        {"input": {"stdin": "1 2\n"}, "output": {"stdout": "3\n"}},
        {"input": {"stdin": "40 2\n"}, "output": {"stdout": "42"}},
    ]);
    let request = |completion: &str, tests: Value| {
        json!({"dataset": "inline", "id": 7, "completion": completion,
               "config": {"language": "python", "provided_data": {"test": tests}}})
    };
    let good = "Sure:\n```python\na, b = map(int, input().split())\nprint(a + b)\n```\n";
    let (status, body) = post(&url, &request(good, tests.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], true, "{body}");
    assert_eq!(body["id"], 7);
    assert_eq!(body["extracted_type"], "fenced");
    assert_eq!(body["tests"].as_array().map(Vec::len), Some(2));
    assert_eq!(body["tests"][0]["exec_info"]["status"], "Success");

    // Wrong on the first test: judging stops there, as SandboxFusion's does.
    let wrong = "```python\nprint(0)\n```";
    let as_string = Value::String(tests.to_string());
    let (_, body) = post(&url, &request(wrong, as_string)).await;
    assert_eq!(body["accepted"], false, "{body}");
    assert_eq!(body["tests"].as_array().map(Vec::len), Some(1));

    let (status, body) = post(
        &url,
        &json!({"dataset": "x", "id": 1, "completion": "", "config": {"language": "python"}}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("provided_data")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eval_with_a_judge_url_gives_the_in_process_verdicts() {
    let server = start(sandbox(2), ServeConfig::default()).await;
    let remote = crucible_eval::RemoteJudge::new(&server.url, None).expect("remote");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Stdin/stdout: the deliberately wrong solutions (WA, TLE, RE, CE, MLE, OLE).
    let stdio =
        crucible_problems::formats::load_set(&root.join("../puzzles/stdio/parking-garage-fees"))
            .expect("problem")
            .problems;
    let wrong: std::sync::Arc<dyn crucible_eval::SampleSource> = std::sync::Arc::new(
        crucible_eval::DirectorySource::new(root.join("fixtures/wrong-solutions")),
    );
    let local = eval_verdicts(&stdio, wrong.clone(), 10, None).await;
    let far = eval_verdicts(&stdio, wrong, 10, Some(remote.clone())).await;
    assert!(local.len() >= 6, "{local:?}");
    assert_eq!(far, local);
    // Function tasks: HumanEval's first problems with their reference solutions.
    let mut humaneval =
        crucible_problems::formats::load_set(&root.join("../puzzles/humaneval/HumanEval.jsonl.gz"))
            .expect("humaneval")
            .problems;
    humaneval.truncate(3);
    let references: std::sync::Arc<dyn crucible_eval::SampleSource> =
        std::sync::Arc::new(crucible_eval::ReferenceSource { lang: None });
    let local = eval_verdicts(&humaneval, references.clone(), 1, None).await;
    let far = eval_verdicts(&humaneval, references, 1, Some(remote)).await;
    assert_eq!(far, local);
    assert!(
        far.iter().all(|(_, v)| *v == Some(Verdict::Accepted)),
        "{far:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn judge_problem_reads_any_format_eval_reads() {
    let server = start(sandbox(2), ServeConfig::default()).await;
    let url = format!("{}/judge_problem", server.url);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // A Kattis package sent as its files, with the deliberately wrong solutions.
    let package = text_files(&root.join("../puzzles/stdio/parking-garage-fees"));
    let wrong = root.join("fixtures/wrong-solutions/parking-garage-fees");
    let mut names = ["wa.py", "tle.cpp", "re.py", "ce.cpp", "mle.cpp", "ole.py"];
    names.sort();
    let samples: Vec<Value> = names
        .iter()
        .map(|n| {
            let lang = Language::from_path(Path::new(n)).expect("language");
            json!({"language": lang.name(), "code": std::fs::read_to_string(wrong.join(n)).expect("read")})
        })
        .collect();
    let (status, body) = post(&url, &json!({"files": package, "samples": samples})).await;
    assert_eq!(status, 200, "{body}");
    let verdicts: Vec<&str> = body["results"][0]["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| s["verdict"].as_str().unwrap_or("none"))
        .collect();
    let expected: Vec<&str> = names
        .iter()
        .map(|n| match &n[..n.find('.').unwrap_or(0)] {
            "wa" => "WrongAnswer",
            "tle" => "TimeLimitExceeded",
            "re" => "RuntimeError",
            "ce" => "CompileError",
            "mle" => "MemoryLimitExceeded",
            _ => "OutputLimitExceeded",
        })
        .collect();
    assert_eq!(verdicts, expected, "{body}");

    // An MBPP record sent as a one-line JSONL file: its own code passes, a wrong one does not.
    let first = std::fs::read_to_string(root.join("../puzzles/mbpp/mbpp.jsonl"))
        .expect("mbpp")
        .lines()
        .next()
        .expect("a record")
        .to_string();
    let record: Value = serde_json::from_str(&first).expect("json");
    let samples = json!([
        {"language": "python", "code": record["code"]},
        {"language": "python", "code": "def min_cost(cost, m, n):\n    return 0\n"},
    ]);
    let (status, body) = post(
        &url,
        &json!({"files": {"mbpp.jsonl": first}, "samples": samples}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let result = &body["results"][0];
    assert_eq!(result["samples"][0]["verdict"], "Accepted", "{body}");
    assert_eq!(result["samples"][1]["verdict"], "WrongAnswer", "{body}");

    let (status, body) = post(
        &url,
        &json!({"files": {"x.txt": "hello"}, "samples": samples}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}
