//! What an evaluation records: every sample's verdict and every problem's counts — the results
//! file's lines, the report's and the paired comparison's input (no judging here).

use crucible_sandbox::{Language, Verdict};
use serde::{Deserialize, Serialize};

/// The judgement of one sample.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleResult {
    /// Where the sample came from.
    pub label: String,
    /// Its language.
    pub lang: Language,
    /// The verdict; `None` when the reply held no code.
    pub verdict: Option<Verdict>,
    /// Why it failed (first failing test, compiler output, ...).
    pub message: String,
    /// Tests passed (stdin/stdout tasks).
    pub passed_tests: usize,
    /// Tests judged.
    pub total_tests: usize,
    /// Pass (true) or fail per test, in test order (a function task is one test).
    #[serde(default)]
    pub per_test: Vec<bool>,
    /// Seconds spent producing it.
    pub gen_seconds: f64,
    /// Seconds spent judging it.
    pub judge_seconds: f64,
}

impl SampleResult {
    /// Whether it was accepted.
    pub fn accepted(&self) -> bool {
        self.verdict == Some(Verdict::Accepted)
    }
}

/// All samples of one problem.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProblemResult {
    /// Problem id.
    pub id: String,
    /// Title.
    pub name: String,
    /// Difficulty, if known.
    pub difficulty: Option<String>,
    /// Samples judged (n).
    pub n: usize,
    /// Samples accepted (c).
    pub c: usize,
    /// Per-sample results.
    pub samples: Vec<SampleResult>,
}
