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

/// A real (small) model end to end: prompts built from the problems, replies parsed, every
/// sample judged or counted as "no code" — whatever the model writes, nothing crashes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_samples_are_generated_extracted_and_judged() {
    use crucible_eval::ModelSource;
    use crucible_model::{
        LocalModel, LocalModelConfig, SamplingParams, TEST_MODEL, default_models_dir, resolve_model,
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = formats::load_set(&root.join("../puzzles/stdio/exam-rank-ties"))
        .expect("problem")
        .problems;
    let p3 = formats::load_set(&root.join("../puzzles/p3/puzzles.json"))
        .expect("p3")
        .problems;
    problems.push(p3[0].clone());
    let path = resolve_model(TEST_MODEL, &default_models_dir())
        .expect("test model (./setup.sh fetches it)");
    let model = LocalModel::load(&LocalModelConfig::new(path)).expect("load");
    let sampling = SamplingParams {
        max_new_tokens: 48,
        seed: 1,
        ..SamplingParams::default()
    };
    let source = Arc::new(ModelSource::new(
        Box::new(model),
        sampling,
        crucible_sandbox::Language::Python,
    ));
    let sandbox = Sandbox::new(SandboxConfig::default()).expect("sandbox");
    let evaluator = Evaluator::new(
        sandbox,
        EvalConfig {
            samples: 2,
            ks: vec![1, 2],
            ..EvalConfig::default()
        },
    );
    let out = tempfile::tempdir().expect("tempdir");
    let store = ResultStore::open(&out.path().join("results.jsonl"), "model").expect("store");
    let results = evaluator
        .run(&problems, source, &store, &|_| {})
        .await
        .expect("eval");
    assert_eq!(results.len(), 2);
    for r in &results {
        assert_eq!(r.n, 2, "{}: every sample is counted", r.id);
        for s in &r.samples {
            assert_ne!(
                s.verdict,
                Some(Verdict::SandboxError),
                "{}: {}",
                r.id,
                s.message
            );
            assert!(s.gen_seconds > 0.0);
        }
    }
    let report = EvalReport::build("mixed", "model", 2, &[1, 2], results, 0.0);
    assert_eq!(report.verdicts.values().sum::<usize>(), 4);
}

/// A source that asks about several problems at once (as a model does): the evaluation sends
/// them in chunks of its batch size, judges every problem, stores each result, and gets the
/// same verdicts as asking one problem at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_sources_are_asked_in_chunks_and_judged_the_same() {
    use crucible_eval::{ReferenceSource, Sample, SampleSource};
    use crucible_problems::Problem;
    use std::sync::Mutex;

    /// References, asked in batches of three; records each batch's size.
    struct Batched {
        inner: ReferenceSource,
        calls: Mutex<Vec<usize>>,
    }
    impl SampleSource for Batched {
        fn samples(
            &self,
            problem: &Problem,
            n: usize,
        ) -> Result<Vec<Sample>, crucible_eval::EvalError> {
            self.inner.samples(problem, n)
        }
        fn describe(&self) -> String {
            "batched references".into()
        }
        fn batch(&self) -> usize {
            3
        }
        fn samples_batch(
            &self,
            problems: &[Problem],
            n: usize,
        ) -> Vec<Result<Vec<Sample>, crucible_eval::EvalError>> {
            self.calls.lock().expect("lock").push(problems.len());
            problems.iter().map(|p| self.inner.samples(p, n)).collect()
        }
    }

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let problems: Vec<Problem> = formats::load_set(&root.join("../puzzles/p3/puzzles.json"))
        .expect("p3")
        .problems
        .into_iter()
        .take(7)
        .collect();
    let sandbox = Sandbox::new(SandboxConfig::default()).expect("sandbox");
    let evaluator = Evaluator::new(sandbox, EvalConfig::default());
    let out = tempfile::tempdir().expect("tempdir");
    let batched = Arc::new(Batched {
        inner: ReferenceSource::default(),
        calls: Mutex::new(Vec::new()),
    });
    let store = ResultStore::open(&out.path().join("batched.jsonl"), "b").expect("store");
    let progress = Mutex::new(0);
    let together = evaluator
        .run(&problems, batched.clone(), &store, &|_| {
            *progress.lock().expect("lock") += 1
        })
        .await
        .expect("batched eval");
    assert_eq!(*batched.calls.lock().expect("lock"), vec![3, 3, 1]);
    assert_eq!(*progress.lock().expect("lock"), problems.len());
    let reopened = ResultStore::open(&out.path().join("batched.jsonl"), "b").expect("store");
    assert_eq!(reopened.len(), problems.len(), "every result is stored");

    let single = ResultStore::open(&out.path().join("single.jsonl"), "s").expect("store");
    let one_by_one = evaluator
        .run(
            &problems,
            Arc::new(ReferenceSource::default()),
            &single,
            &|_| {},
        )
        .await
        .expect("eval");
    let verdicts =
        |results: &[crucible_eval::ProblemResult]| -> Vec<(String, Vec<Option<Verdict>>)> {
            // In the problems' order, whatever order they finished in.
            results
                .iter()
                .map(|r| (r.id.clone(), r.samples.iter().map(|s| s.verdict).collect()))
                .collect()
        };
    assert_eq!(verdicts(&together), verdicts(&one_by_one));
    assert!(together.iter().any(|r| r.c > 0), "references pass");
}
