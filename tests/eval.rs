//! `crucible eval --solutions` machinery on deliberately wrong solutions: each gets its exact
//! verdict, pass@1 is 0, and a second run resumes from the results file without judging again.

use crucible_eval::{DirectorySource, EvalConfig, EvalReport, Evaluator, ResultStore};
use crucible_problems::formats;
use crucible_sandbox::{Sandbox, SandboxConfig, Verdict};
use std::path::Path;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_solutions_get_the_right_verdicts_and_runs_resume() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let problem = root.join("../puzzles/stdio/parking-garage-fees");
    let problems = formats::load_set(&problem).expect("problem").problems;
    assert_eq!(problems.len(), 1);
    let solutions = root.join("fixtures/wrong-solutions");
    let sandbox = Sandbox::new(SandboxConfig::default()).expect("sandbox");
    let config = EvalConfig {
        samples: 10,
        ks: vec![1, 5],
        ..EvalConfig::default()
    };
    let evaluator = Evaluator::new(sandbox, config);
    let out = tempfile::tempdir().expect("tempdir");
    let results_file = out.path().join("results.jsonl");
    let source = Arc::new(DirectorySource::new(&solutions));
    let key = evaluator.key("wrong", source.as_ref());
    let store = ResultStore::open(&results_file, &key).expect("store");
    let results = evaluator
        .run(&problems, source.clone(), &store, &|_| {})
        .await
        .expect("eval");
    let samples = results[0].samples.clone();
    let verdict_of = |label: &str| {
        samples
            .iter()
            .find(|s| s.label == label)
            .and_then(|s| s.verdict)
    };
    assert_eq!(verdict_of("wa.py"), Some(Verdict::WrongAnswer));
    assert_eq!(verdict_of("tle.cpp"), Some(Verdict::TimeLimitExceeded));
    assert_eq!(verdict_of("re.py"), Some(Verdict::RuntimeError));
    assert_eq!(verdict_of("ce.cpp"), Some(Verdict::CompileError));
    assert_eq!(verdict_of("mle.cpp"), Some(Verdict::MemoryLimitExceeded));
    assert_eq!(verdict_of("ole.py"), Some(Verdict::OutputLimitExceeded));
    let report = EvalReport::build("wrong", "files", 10, &[1, 5], results, 0.0);
    assert_eq!(report.overall.pass_at_k.get(&1).copied(), Some(0.0));
    assert_eq!(report.verdicts.get("AC"), None);

    // Resume: the same evaluation finds the problem on file and judges nothing.
    let again = ResultStore::open(&results_file, &key).expect("store");
    assert_eq!(again.len(), 1);
    let resumed = std::sync::Mutex::new(Vec::new());
    let rerun = evaluator
        .run(&problems, source, &again, &|p| {
            resumed.lock().expect("lock").push(p.resumed)
        })
        .await
        .expect("rerun");
    assert_eq!(*resumed.lock().expect("lock"), vec![true]);
    assert_eq!(rerun[0].samples.len(), samples.len());
}
