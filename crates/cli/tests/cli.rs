//! The `crucible` binary as a user runs it: sandbox run/judge (text and JSON) and eval.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn crucible(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crucible"))
        .args(args)
        .output()
        .expect("run crucible")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_problem(name: &str) -> PathBuf {
    repo().join("puzzles/stdio").join(name)
}

#[test]
fn sandbox_run_prints_the_program_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("hello.py");
    std::fs::write(&src, "print('hello', input())\n").expect("write");
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "world\n").expect("write");
    let out = crucible(&[
        "sandbox",
        "run",
        src.to_str().expect("utf8"),
        "--stdin",
        input.to_str().expect("utf8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello world\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("[OK]"));
}

#[test]
fn sandbox_judge_accepts_a_reference_and_reports_json() {
    let problem = seed_problem("parking-garage-fees");
    let sol = problem.join("submissions/accepted/sol.cpp");
    let data = problem.join("data");
    let out = crucible(&[
        "sandbox",
        "judge",
        sol.to_str().expect("utf8"),
        "--tests",
        data.to_str().expect("utf8"),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["verdict"], "Accepted");
    assert!(report["tests"].as_array().expect("tests").len() >= 10);
}

#[test]
fn sandbox_judge_reports_a_compile_error_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("bad.cpp");
    std::fs::write(&src, "int main() { return }\n").expect("write");
    let data = seed_problem("parking-garage-fees").join("data");
    let out = crucible(&[
        "sandbox",
        "judge",
        src.to_str().expect("utf8"),
        "--tests",
        data.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("verdict: CE"));
}

#[test]
fn usage_errors_are_clear() {
    let out = crucible(&["sandbox", "run", "/nonexistent/file.cpp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/file.cpp"));
    let out = crucible(&["sandbox", "run", "x.unknown"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lang"));
}

#[test]
fn threads_flag_sets_the_model_threads_and_eval_shows_the_split() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    // The flag wins over RAYON_NUM_THREADS (the test suite sets it to 1).
    let out = crucible(&[
        "--threads",
        "2",
        "eval",
        "--set",
        repo().join("puzzles/mbpp").to_str().expect("utf8"),
        "--limit",
        "1",
        "--model",
        "smollm2-135m-instruct",
        "--max-tokens",
        "8",
        "--temperature",
        "0",
        "--out",
        out_dir.path().to_str().expect("utf8"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("threads: model 2, sandbox workers"),
        "{stderr}"
    );
    let zero = crucible(&["--threads", "0", "eval", "--set", "x"]);
    assert!(!zero.status.success());
    assert!(String::from_utf8_lossy(&zero.stderr).contains("--threads"));
}

#[test]
fn eval_over_references_writes_reports() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let problem = seed_problem("exam-rank-ties");
    let out = crucible(&[
        "eval",
        "--set",
        problem.to_str().expect("utf8"),
        "--solutions",
        "references",
        "--samples",
        "2",
        "--k",
        "1,2",
        "--out",
        out_dir.path().to_str().expect("utf8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1.000"), "{stdout}");
    // Not a terminal: a plain progress line replaces the hidden bar.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1/1 problems ·"), "{stderr}");
    for file in ["report.json", "report.md", "chart.svg", "results.jsonl"] {
        assert!(out_dir.path().join(file).exists(), "{file} missing");
    }
}

#[test]
fn eval_reads_folders_without_problem_yaml_and_says_so_once() {
    let set = tempfile::tempdir().expect("tempdir");
    for id in ["add", "twice"] {
        let dir = set.path().join(id);
        let files = [
            ("statement.txt", "Print the sum of two integers."),
            ("data/sample/1.in", "1 2\n"),
            ("data/sample/1.ans", "3\n"),
            ("data/secret/2.in", "20 22\n"),
            ("data/secret/2.ans", "42\n"),
            (
                "submissions/accepted/add.py",
                "a, b = map(int, input().split())\nprint(a + b)\n",
            ),
        ];
        for (rel, text) in files {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
    }
    // An unrelated JSON file beside the folders is not read as the set.
    std::fs::write(
        set.path().join("problems.json"),
        r#"[{"sat": "def sat(x: int): return x > 1"}]"#,
    )
    .expect("write");
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = crucible(&[
        "eval",
        "--set",
        set.path().to_str().expect("utf8"),
        "--solutions",
        "references",
        "--out",
        out_dir.path().to_str().expect("utf8"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr.matches("no problem.yaml").count(), 1, "{stderr}");
    assert!(stderr.contains("2 of 2 problem folders"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1.000") && stdout.contains('2'), "{stdout}");
}

/// A one-thread HTTP server on 127.0.0.1 that answers connections in order with these JSON
/// bodies; returns its URL.
fn canned_openai_server(bodies: Vec<String>) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for (stream, body) in listener.incoming().flatten().zip(bodies) {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim() != "" {
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut request = vec![0; length];
            let _ = reader.read_exact(&mut request);
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = reader.into_inner().write_all(reply.as_bytes());
        }
    });
    url
}

#[test]
fn generate_talks_to_an_openai_compatible_server() {
    let url = canned_openai_server(vec![
        r#"{"data":[{"id":"served-model"}]}"#.into(),
        r#"{"choices":[{"index":0,"message":{"content":"print(42)"},"finish_reason":"stop","logprobs":{"content":[{"token":"print","logprob":-0.1}]}}],"usage":{"prompt_tokens":12}}"#.into(),
    ]);
    let out = crucible(&["generate", "--model", &url, "--prompt", "hi", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("served-model"), "{stderr}");
    let completions: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(completions[0]["text"], "print(42)");
    assert_eq!(completions[0]["prompt_tokens"], 12);
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let url = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("addr"))
    };
    let out = crucible(&[
        "generate",
        "--model",
        &url,
        "--served-model",
        "m",
        "--prompt",
        "hi",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&url) && stderr.contains("cannot connect"),
        "{stderr}"
    );
}

/// `train`, then `train merge`, then `generate` from the merged folder: the fine-tuning path a
/// user takes by hand, with the small model.
#[test]
fn train_merge_and_generate_from_the_merged_model() {
    let model = crucible_model::TEST_MODEL;
    if crucible_model::resolve_model(model, &crucible_model::default_models_dir()).is_err() {
        eprintln!("skipped: {model} is not fetched (run ./setup.sh)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data.jsonl");
    let rows: Vec<String> = [("2+2?", "4"), ("3*3?", "9"), ("Say hi.", "hi")]
        .iter()
        .map(|(q, a)| {
            serde_json::json!({"messages": [
                {"role": "user", "content": q},
                {"role": "assistant", "content": a},
            ]})
            .to_string()
        })
        .collect();
    std::fs::write(&data, rows.join("\n")).expect("data");
    let (adapter, merged) = (dir.path().join("adapter"), dir.path().join("merged"));
    let path = |p: &Path| p.to_str().expect("utf8").to_string();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_crucible"))
            .args(args)
            .env("RAYON_NUM_THREADS", "1")
            .output()
            .expect("run crucible");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(&[
        "train",
        "--data",
        &path(&data),
        "--base",
        model,
        "--out",
        &path(&adapter),
        "--epochs",
        "1",
        "--rank",
        "4",
        "--eval-fraction",
        "0",
    ]);
    assert!(adapter.join("adapter_model.safetensors").is_file());
    // Another base than the one the adapter records is refused, naming both.
    let refused = crucible(&[
        "train",
        "merge",
        "--base",
        "qwen2.5-coder-0.5b-instruct",
        "--adapter",
        &path(&adapter),
        "--out",
        &path(&merged),
    ]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains(model) && stderr.contains("qwen2.5-coder-0.5b-instruct"),
        "{stderr}"
    );
    // Without --base, the recorded base is the one merged into.
    run(&[
        "train",
        "merge",
        "--adapter",
        &path(&adapter),
        "--out",
        &path(&merged),
    ]);
    assert!(merged.join("config.json").is_file());
    let out = run(&[
        "generate",
        "--model",
        &path(&merged),
        "--prompt",
        "2+2?",
        "--temperature",
        "0",
        "--max-tokens",
        "8",
    ]);
    assert!(!String::from_utf8_lossy(&out.stdout).trim().is_empty());
}

#[test]
fn a_missing_campaign_config_names_the_file_and_the_cause_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = crucible(&[
        "campaign",
        "run",
        "--config",
        "/nonexistent/campaign.toml",
        "--dir",
        dir.path().to_str().expect("utf8"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("/nonexistent/campaign.toml"), "{stderr}");
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
}

/// A results file with one line per (id, accepted of n).
fn results_file(path: &Path, scores: &[(&str, usize, usize)]) {
    let lines: Vec<String> = scores
        .iter()
        .map(|(id, c, n)| {
            serde_json::json!({"key": "k", "result": {
                "id": id, "name": id, "difficulty": null, "n": n, "c": c, "samples": []
            }})
            .to_string()
        })
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").expect("write");
}

#[test]
fn eval_compare_gives_the_paired_difference_with_its_interval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (before, after) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    // The hand-computed case of crucible-eval's statistics: 4 up, 1 down, 5 unchanged.
    let ids = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"];
    let b = [0, 0, 0, 0, 1, 1, 1, 0, 0, 1];
    let a = [1, 1, 1, 1, 0, 1, 1, 0, 0, 1];
    let rows = |v: &[usize]| -> Vec<(&str, usize, usize)> {
        ids.iter().zip(v).map(|(id, &c)| (*id, c, 1)).collect()
    };
    results_file(&before, &rows(&b));
    results_file(&after, &rows(&a));
    let out = crucible(&[
        "eval",
        "--compare",
        before.to_str().expect("utf8"),
        after.to_str().expect("utf8"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0.400 → 0.700 (+30.0 points, 95 % CI -18.3 … +78.3; 4 up, 1 down; McNemar p = 0.375; 10 problems)"), "{stdout}");
    assert!(stdout.contains("inside the noise"), "{stdout}");
    let out = crucible(&["eval", "--compare", before.to_str().expect("utf8")]);
    assert!(!out.status.success());
}

/// The shipped self-play solver is listed beside the base models, as an adapter over the
/// default model (merged on first use, so listing never needs the base).
#[test]
fn model_list_shows_the_shipped_selfplay_adapter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = crucible(&[
        "model",
        "list",
        "--dir",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("crucible-0.5b-selfplay"))
        .unwrap_or_else(|| panic!("no crucible-0.5b-selfplay in:\n{text}"));
    assert!(line.contains("ships here"), "{line}");
    assert!(line.contains("qwen2.5-coder-0.5b-instruct"), "{line}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("qwen2.5-coder-0.5b-instruct")),
        "the base is listed too:\n{text}"
    );
}
