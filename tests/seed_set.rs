//! The seed set validates in the sandbox: every stdin/stdout problem loads, has at least ten
//! tests and accepted C++ and Python references, and every reference is accepted on every test
//! within the problem's limits; every P3 puzzle's reference satisfies its `sat`. Evaluating the
//! references reports pass@1 = 1.0.

use crucible_eval::{EvalConfig, EvalReport, Evaluator, ReferenceSource, ResultStore};
use crucible_problems::{Split, Task, formats};
use crucible_sandbox::{Language, Sandbox, SandboxConfig, Verdict};
use std::path::Path;
use std::sync::Arc;

fn puzzles() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../puzzles")
}

#[test]
fn seed_set_loads_with_splits_and_enough_tests() {
    let report = formats::load_set(&puzzles()).expect("seed set");
    assert!(report.errors.is_empty(), "load errors: {:?}", report.errors);
    let stdio: Vec<_> = report
        .problems
        .iter()
        .filter(|p| matches!(p.task, Task::Stdio(_)))
        .collect();
    let functions = report.problems.len() - stdio.len();
    assert!(
        stdio.len() >= 40,
        "only {} stdin/stdout problems",
        stdio.len()
    );
    assert!(functions >= 40, "only {functions} function puzzles");
    for p in &report.problems {
        assert!(p.split.is_some(), "{} has no split", p.id);
        assert!(p.difficulty.is_some(), "{} has no difficulty", p.id);
        if let Task::Stdio(task) = &p.task {
            assert!(
                task.tests.len() >= 10,
                "{} has {} tests",
                p.id,
                task.tests.len()
            );
            for lang in [Language::Cpp, Language::Python] {
                assert!(
                    task.accepted.iter().any(|s| s.lang == lang),
                    "{} lacks a {lang} reference",
                    p.id
                );
            }
        }
    }
    for split in [Split::Train, Split::Heldout] {
        assert!(report.problems.iter().any(|p| p.split == Some(split)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reference_is_accepted_on_every_test() {
    let problems = formats::load_set(&puzzles()).expect("seed set").problems;
    let sandbox = Sandbox::new(SandboxConfig::default()).expect("sandbox");
    let config = EvalConfig {
        samples: 8,
        ks: vec![1],
        stop_at_first_failure: false,
        ..EvalConfig::default()
    };
    let evaluator = Evaluator::new(sandbox, config);
    let out = tempfile::tempdir().expect("tempdir");
    let store = ResultStore::open(&out.path().join("results.jsonl"), "seed").expect("store");
    let results = evaluator
        .run(
            &problems,
            Arc::new(ReferenceSource::default()),
            &store,
            &|_| {},
        )
        .await
        .expect("evaluation");
    let mut failures = Vec::new();
    for r in &results {
        for s in &r.samples {
            if s.verdict != Some(Verdict::Accepted) {
                failures.push(format!(
                    "{} {}: {:?} {}",
                    r.id, s.label, s.verdict, s.message
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "references rejected:\n{}",
        failures.join("\n")
    );
    let report = EvalReport::build("puzzles", "references", 8, &[1], results, 0.0);
    assert_eq!(report.overall.pass_at_k.get(&1).copied(), Some(1.0));
    assert!(
        report.overall.samples >= 40 * 2 + 40,
        "{} samples",
        report.overall.samples
    );
}
