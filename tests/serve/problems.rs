//! Whole-problem helpers: an evaluation's verdicts, judged in-process or by a remote judge,
//! and a problem folder's text files as a JSON map (what `/judge_problem` takes).

use crate::support::sandbox;
use crucible_sandbox::Verdict;
use serde_json::Value;
use std::path::Path;

/// Evaluates `problems` with `source`, judged in-process or on `remote`: (label, verdict) per
/// sample, problem by problem.
pub(crate) async fn eval_verdicts(
    problems: &[crucible_problems::Problem],
    source: std::sync::Arc<dyn crucible_eval::SampleSource>,
    samples: usize,
    remote: Option<crucible_eval::RemoteJudge>,
) -> Vec<(String, Option<Verdict>)> {
    let config = crucible_eval::EvalConfig {
        samples,
        remote,
        ..crucible_eval::EvalConfig::default()
    };
    let evaluator = crucible_eval::Evaluator::new(sandbox(2), config);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = crucible_eval::ResultStore::open(&dir.path().join("r.jsonl"), "k").expect("store");
    let results = evaluator
        .run(problems, source, &store, &|_| {})
        .await
        .expect("eval");
    results
        .into_iter()
        .flat_map(|r| r.samples)
        .map(|s| (s.label, s.verdict))
        .collect()
}

/// Every text file under `dir`, path relative to it → content.
pub(crate) fn text_files(dir: &Path) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let name = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .display()
                    .to_string();
                out.insert(name, Value::String(text));
            }
        }
    }
    out
}
