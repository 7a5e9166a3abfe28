//! The hostile-program suite: every program under `sandbox/tests/hostile/` declares its expected
//! verdict in a header comment (`// expect: TLE`, `# expect: RE`, `;; expect: CE`, or a
//! `<file>.expect` side file for binaries). Optional headers: `output:` (expected stdout, token
//! comparison), `output-hex:` (exact bytes), `message:` (must appear in the diagnostics or run
//! message), `forbid:` (must appear nowhere in anything the program or compiler produced).
//! All programs run concurrently in one sandbox; the host must be untouched afterwards and the
//! test process must stay within its memory budget.

use crucible_sandbox::{
    Checker, JudgeOptions, JudgeReport, Language, Limits, Sandbox, SandboxConfig, Submission,
    TestCase, Verdict,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const PWNED: &str = "/tmp/crucible_hostile_pwned";

/// Expectations parsed from a program's header.
#[derive(Debug, Default)]
struct Expect {
    verdict: String,
    output: Option<Vec<u8>>,
    exact: bool,
    message: Vec<String>,
    forbid: Vec<String>,
}

fn parse_expect(text: &str) -> Expect {
    let mut e = Expect::default();
    for line in text.lines() {
        let line = line
            .trim_start_matches("//")
            .trim_start_matches(";;")
            .trim_start_matches('#')
            .trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        match key.trim() {
            "expect" => e.verdict = value,
            "output" => e.output = Some(value.into_bytes()),
            "output-hex" => {
                e.exact = true;
                e.output = Some(
                    (0..value.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&value[i..i + 2], 16).expect("hex"))
                        .collect(),
                );
            }
            "message" => e.message.push(value),
            "forbid" => e.forbid.push(value),
            _ => {}
        }
    }
    e
}

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn programs() -> Vec<(PathBuf, Language, Vec<u8>, Expect)> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(hostile_dir())
        .expect("hostile dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| Language::from_path(p).is_some())
        .collect();
    paths.sort();
    for path in paths {
        let lang = Language::from_path(&path).expect("language");
        let source = std::fs::read(&path).expect("read");
        let side = PathBuf::from(format!("{}.expect", path.display()));
        let header = if side.exists() {
            std::fs::read_to_string(&side).expect("side file")
        } else {
            String::from_utf8_lossy(&source)
                .lines()
                .take(6)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut expect = parse_expect(&header);
        if expect.verdict.is_empty() {
            // Empty files: an empty C++ file has no `main`; an empty Python file prints nothing.
            expect.verdict = if lang == Language::Python {
                "AC".into()
            } else {
                "CE".into()
            };
        }
        out.push((path, lang, source, expect));
    }
    out
}

fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn sandbox() -> Sandbox {
    let mut config = SandboxConfig::default();
    config.toolchain.timeout = Duration::from_secs(15);
    Sandbox::new(config).expect("sandbox")
}

fn everything_said(report: &JudgeReport) -> String {
    let mut all = report.compile_message.clone().unwrap_or_default();
    for t in &report.tests {
        all.push_str(&t.message);
        all.push_str(t.output.as_deref().unwrap_or(""));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_programs_get_their_exact_verdicts() {
    let _ = std::fs::remove_file(PWNED);
    let sandbox = sandbox();
    let mut cases = programs();
    // A 10 MB source file, generated rather than stored.
    let mut big = b"int main() { return 0; }\n".to_vec();
    while big.len() < 10_000_000 {
        big.extend_from_slice(
            b"// padding padding padding padding padding padding padding padding\n",
        );
    }
    cases.push((
        PathBuf::from("generated_10mb_source.cpp"),
        Language::Cpp,
        big,
        parse_expect("expect: CE\nmessage: byte limit"),
    ));
    assert!(
        cases.len() >= 30,
        "the suite must hold at least 30 programs, has {}",
        cases.len()
    );

    let limits = Limits {
        time: Duration::from_millis(250),
        memory_bytes: 256 << 20,
        output_bytes: 1 << 20,
        ..Limits::default()
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (path, lang, source, expect) in cases {
        let sandbox = sandbox.clone();
        let limits = limits.clone();
        tasks.spawn(async move {
            let options = JudgeOptions {
                limits,
                checker: if expect.exact {
                    Checker::Exact
                } else {
                    Checker::default()
                },
                keep_output_bytes: 4096,
                ..JudgeOptions::default()
            };
            let test = TestCase::new("t", Vec::new(), expect.output.clone().unwrap_or_default());
            let report = sandbox
                .judge_source(Submission { lang, source }, &[test], &options)
                .await;
            (path, expect, report)
        });
    }
    let mut failures = Vec::new();
    let mut count = 0;
    while let Some(joined) = tasks.join_next().await {
        let (path, expect, report) = joined.expect("task");
        count += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let said = everything_said(&report);
        if report.verdict.code() != expect.verdict {
            failures.push(format!(
                "{name}: expected {}, got {} ({})",
                expect.verdict,
                report.verdict.code(),
                crucible_sandbox::truncate(&said, 300)
            ));
        }
        for m in &expect.message {
            if !said.contains(m.as_str()) {
                failures.push(format!(
                    "{name}: message lacks `{m}`: {}",
                    crucible_sandbox::truncate(&said, 300)
                ));
            }
        }
        for f in &expect.forbid {
            if said.contains(f.as_str()) {
                failures.push(format!("{name}: leaked `{f}`"));
            }
        }
        assert_ne!(
            report.verdict,
            Verdict::SandboxError,
            "{name}: sandbox failed: {said}"
        );
        eprintln!(
            "{name:32} {:4} {:8.1} ms",
            report.verdict.code(),
            report.wall_ms
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {count} hostile programs misjudged:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        !Path::new(PWNED).exists(),
        "a hostile program wrote to the host"
    );
    let rss = peak_rss_bytes();
    assert!(rss < 3 << 30, "test process peaked at {} MiB", rss >> 20);
    eprintln!("peak RSS of the test process: {} MiB", rss >> 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn judge_many_keeps_submissions_apart() {
    let sandbox = sandbox();
    let tests: Arc<[TestCase]> = (1..=20)
        .map(|i| TestCase::new(format!("{i}"), format!("{i} {i}\n"), format!("{}\n", 2 * i)))
        .collect::<Vec<_>>()
        .into();
    let good = Submission {
        lang: Language::Python,
        source: b"a, b = map(int, input().split())\nprint(a + b)\n".to_vec(),
    };
    let wrong = Submission {
        lang: Language::Python,
        source: b"a, b = map(int, input().split())\nprint(a * b)\n".to_vec(),
    };
    let slow = Submission {
        lang: Language::C,
        source: b"int main(void){volatile long x=0; for(;;) x++;}\n".to_vec(),
    };
    let options = JudgeOptions {
        stop_at_first_failure: true,
        ..JudgeOptions::default()
    };
    let reports = sandbox
        .judge_many(vec![good, wrong, slow], tests, &options)
        .await;
    assert_eq!(reports[0].verdict, Verdict::Accepted);
    assert_eq!(reports[0].passed, 20);
    assert_eq!(
        reports[1].verdict,
        Verdict::WrongAnswer,
        "1*1 != 2 on test 1"
    );
    assert_eq!(reports[2].verdict, Verdict::TimeLimitExceeded);
    assert!(
        reports[2]
            .tests
            .iter()
            .any(|t| t.verdict == Verdict::Skipped),
        "stop-at-first-failure skips the rest"
    );
}
