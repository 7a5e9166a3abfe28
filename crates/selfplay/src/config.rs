//! Campaign configuration: a TOML file with a documented default (`crucible campaign init`).

use crate::SelfplayError;
use crucible_model::SamplingParams;
use crucible_sandbox::Language;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// The kinds of puzzle the proposer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PuzzleKind {
    /// A stdin/stdout problem: statement, reference solution, test inputs or a generator.
    Stdio,
    /// A Python Programming Puzzle: `sat(x)` and a `sol()` that satisfies it.
    P3,
}

impl PuzzleKind {
    /// The name used in the store and in reports.
    pub fn name(self) -> &'static str {
        match self {
            PuzzleKind::Stdio => "stdio",
            PuzzleKind::P3 => "p3",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<PuzzleKind> {
        match name {
            "stdio" => Some(PuzzleKind::Stdio),
            "p3" => Some(PuzzleKind::P3),
            _ => None,
        }
    }
}

/// One role's model and sampling settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RoleConfig {
    /// A known model name, a `.gguf` path, or an OpenAI-compatible URL.
    pub model: String,
    /// Softmax temperature.
    pub temperature: f64,
    /// Nucleus sampling mass.
    pub top_p: f64,
    /// Most new tokens per reply.
    pub max_new_tokens: usize,
}

impl RoleConfig {
    fn with_tokens(max_new_tokens: usize) -> Self {
        RoleConfig {
            model: crucible_model::DEFAULT_MODEL.to_string(),
            temperature: 0.8,
            top_p: 0.95,
            max_new_tokens,
        }
    }

    /// Sampling parameters for one request with `seed`.
    pub fn sampling(&self, seed: u64) -> SamplingParams {
        SamplingParams {
            temperature: self.temperature,
            top_p: self.top_p,
            top_k: 0,
            seed,
            max_new_tokens: self.max_new_tokens,
            stop: Vec::new(),
        }
    }
}

impl Default for RoleConfig {
    fn default() -> Self {
        RoleConfig::with_tokens(512)
    }
}

/// Sandbox limits and test requirements for proposed puzzles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// CPU time per test (fuel clock), milliseconds.
    pub time_ms: u64,
    /// Memory per run, MiB.
    pub memory_mib: u64,
    /// Fewest distinct test inputs a stdin/stdout puzzle must have.
    pub min_tests: usize,
    /// Most tests kept (extra inputs are dropped; a generator is asked for this many).
    pub max_tests: usize,
    /// Largest test input or expected output kept, bytes.
    pub max_test_bytes: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            time_ms: 2000,
            memory_mib: 256,
            min_tests: 3,
            max_tests: 10,
            max_test_bytes: 1 << 20,
        }
    }
}

impl LimitsConfig {
    /// The sandbox limits for one run.
    pub fn limits(&self) -> crucible_sandbox::Limits {
        crucible_sandbox::Limits {
            time: Duration::from_millis(self.time_ms),
            memory_bytes: self.memory_mib << 20,
            output_bytes: (self.max_test_bytes as u64).max(1 << 16),
            ..crucible_sandbox::Limits::default()
        }
    }
}

/// How the tuned models of the next round start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrainMode {
    /// ReST-EM: each round trains fresh adapters on the base model with all data so far.
    Restart,
    /// Each round continues the previous round's adapters on that round's new data only.
    Continue,
}

/// The two roles a campaign trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrainRole {
    /// Writes puzzles; trained on valid, learnable puzzles.
    Proposer,
    /// Solves puzzles; trained on verified solutions.
    Solver,
}

impl TrainRole {
    /// The name used in the store, paths and reports.
    pub fn name(self) -> &'static str {
        match self {
            TrainRole::Proposer => "proposer",
            TrainRole::Solver => "solver",
        }
    }

    /// The role called `name`.
    pub fn parse(name: &str) -> Option<TrainRole> {
        match name {
            "proposer" => Some(TrainRole::Proposer),
            "solver" => Some(TrainRole::Solver),
            _ => None,
        }
    }
}

/// Fine-tuning between rounds (LoRA on each role's accumulated verified data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingConfig {
    /// Train after each round; the next round samples with the tuned models.
    pub enabled: bool,
    /// Roles trained.
    pub roles: Vec<TrainRole>,
    /// Restart from the base each round (all data so far) or continue (new data only).
    pub mode: TrainMode,
    /// Passes over the data.
    pub epochs: usize,
    /// Peak learning rate.
    pub learning_rate: f64,
    /// LoRA rank.
    pub lora_rank: usize,
    /// LoRA alpha (updates are scaled by alpha / rank).
    pub lora_alpha: f64,
    /// Longer examples (tokens) are left out.
    pub max_seq_len: usize,
    /// Weight type of the merged models: `bf16` or `f32`.
    pub weights: String,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        TrainingConfig {
            enabled: true,
            roles: vec![TrainRole::Solver, TrainRole::Proposer],
            mode: TrainMode::Restart,
            epochs: 2,
            learning_rate: 2e-4,
            lora_rank: 8,
            lora_alpha: 16.0,
            max_seq_len: 1024,
            weights: "bf16".into(),
        }
    }
}

/// The solver's score on the seed set's `heldout` split, measured before round 1 and after
/// each round's training, with the same seed and sampling every time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeldoutConfig {
    /// Samples per problem (pass@1 and pass@k for k up to this); 0 turns the evaluation off.
    pub samples: usize,
    /// Most problems evaluated (0: all), spread evenly over the split.
    pub max_problems: usize,
}

impl Default for HeldoutConfig {
    fn default() -> Self {
        HeldoutConfig {
            samples: 5,
            max_problems: 0,
        }
    }
}

/// Everything a campaign needs; stored with the campaign so a resume uses the same settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CampaignConfig {
    /// A name for reports.
    pub name: String,
    /// Master seed: every proposal and attempt derives its own seed from it.
    pub seed: u64,
    /// Rounds to run.
    pub rounds: u32,
    /// Puzzles proposed per round.
    pub puzzles_per_round: u32,
    /// Solutions the solver writes per valid puzzle (k).
    pub attempts: u32,
    /// Seed-set `train` problems the solver also attempts each round (0: none); their verified
    /// solutions join the solver's training data (never the proposer's).
    pub seed_tasks_per_round: u32,
    /// Most solver training examples kept per puzzle (m).
    pub max_pairs_per_puzzle: u32,
    /// Puzzle kinds, proposed in turn.
    pub kinds: Vec<PuzzleKind>,
    /// Language of stdin/stdout reference solutions and attempts.
    pub language: Language,
    /// Seed set giving few-shot examples (its `train` split) and the copy check.
    pub seed_set: String,
    /// Few-shot examples per proposer prompt.
    pub few_shot: usize,
    /// Topics sampled for proposals.
    pub topics: Vec<String>,
    /// Model requests decoded together (local models batch them).
    pub batch: usize,
    /// Sandbox worker threads (0: one per core, less one for the model).
    pub sandbox_workers: usize,
    /// Estimated Jaccard similarity at or above which a statement is a near-duplicate.
    pub near_duplicate_threshold: f64,
    /// The proposer.
    pub proposer: RoleConfig,
    /// The solver.
    pub solver: RoleConfig,
    /// Limits for puzzles and attempts.
    pub limits: LimitsConfig,
    /// Fine-tuning between rounds.
    pub training: TrainingConfig,
    /// Held-out evaluation of the solver.
    pub heldout: HeldoutConfig,
}

impl Default for CampaignConfig {
    fn default() -> Self {
        CampaignConfig {
            name: "campaign".into(),
            seed: 0,
            rounds: 1,
            puzzles_per_round: 8,
            attempts: 8,
            seed_tasks_per_round: 0,
            max_pairs_per_puzzle: 2,
            kinds: vec![PuzzleKind::Stdio, PuzzleKind::P3],
            language: Language::Python,
            seed_set: "puzzles".into(),
            few_shot: 0,
            topics: DEFAULT_TOPICS.iter().map(|t| t.to_string()).collect(),
            batch: 8,
            sandbox_workers: 0,
            near_duplicate_threshold: 0.7,
            proposer: RoleConfig::with_tokens(640),
            solver: RoleConfig::with_tokens(400),
            limits: LimitsConfig::default(),
            training: TrainingConfig::default(),
            heldout: HeldoutConfig::default(),
        }
    }
}

/// Topics the default configuration samples from.
pub const DEFAULT_TOPICS: &[&str] = &[
    "arithmetic",
    "strings",
    "sorting",
    "counting",
    "prefix sums",
    "greedy choices",
    "simulation",
    "number theory",
    "arrays",
    "searching",
    "dynamic programming",
    "parsing text",
    "geometry on a grid",
    "dates and times",
    "bit manipulation",
    "combinatorics",
];

impl CampaignConfig {
    /// Parses a TOML configuration and checks its values.
    pub fn from_toml(text: &str) -> Result<Self, SelfplayError> {
        let config: CampaignConfig =
            toml::from_str(text).map_err(|e| SelfplayError::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Self, SelfplayError> {
        let text = std::fs::read_to_string(path).map_err(|e| SelfplayError::io(path, e))?;
        Self::from_toml(&text).map_err(|e| match e {
            SelfplayError::Config(m) => SelfplayError::Config(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// The configuration as TOML (stored with the campaign).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Rejects values a campaign cannot run with.
    pub fn validate(&self) -> Result<(), SelfplayError> {
        let fail = |m: &str| Err(SelfplayError::Config(m.to_string()));
        if self.kinds.is_empty() {
            return fail("`kinds` must name at least one puzzle kind (stdio, p3)");
        }
        if self.topics.is_empty() {
            return fail("`topics` must not be empty");
        }
        if self.attempts == 0 || self.puzzles_per_round == 0 || self.rounds == 0 {
            return fail("`rounds`, `puzzles_per_round` and `attempts` must be at least 1");
        }
        if self.batch == 0 {
            return fail("`batch` must be at least 1");
        }
        if !matches!(
            self.language,
            Language::Python | Language::Cpp | Language::C
        ) {
            return fail("`language` must be python, cpp or c");
        }
        if self.limits.min_tests == 0 || self.limits.min_tests > self.limits.max_tests {
            return fail("`limits.min_tests` must be between 1 and `limits.max_tests`");
        }
        if !(0.0..=1.0).contains(&self.near_duplicate_threshold) {
            return fail("`near_duplicate_threshold` must be between 0 and 1");
        }
        let t = &self.training;
        if t.epochs == 0 || t.lora_rank == 0 || t.learning_rate <= 0.0 || t.max_seq_len < 2 {
            return fail(
                "`training.epochs`, `lora_rank`, `learning_rate` and `max_seq_len` must be positive",
            );
        }
        if !matches!(t.weights.as_str(), "bf16" | "f32") {
            return fail("`training.weights` must be \"bf16\" or \"f32\"");
        }
        Ok(())
    }
}

/// The commented configuration `crucible campaign init` writes (it parses to the defaults).
pub const DEFAULT_CONFIG_TOML: &str = r#"# Crucible campaign configuration. Every field is optional; these are the defaults.

# A name for reports.
name = "campaign"
# Master seed: every proposal and attempt derives its own seed from it, so a resumed campaign
# re-creates exactly the work it lost.
seed = 0
# Rounds to run, puzzles proposed per round, and solutions written per valid puzzle (k).
rounds = 1
puzzles_per_round = 8
attempts = 8
# Seed-set train problems the solver also attempts each round, k times each (STaR / ReST-EM on
# problems with known tests); a window that moves on each round. Their verified solutions join
# the solver's training data — useful when the proposer's puzzles are rarely valid. 0: none.
seed_tasks_per_round = 0
# Most solver training examples kept per puzzle (m); the most different accepted solutions win.
max_pairs_per_puzzle = 2
# Puzzle kinds, proposed in turn: "stdio" (statement + reference + tests) and "p3" (sat/sol).
kinds = ["stdio", "p3"]
# Language of stdin/stdout reference solutions and of the solver's attempts: python, cpp or c.
language = "python"
# Seed set for few-shot examples (its train split) and the copy check.
seed_set = "puzzles"
# Few-shot examples shown to the proposer. 0 by default: measured with the 0.5B model, one
# example made it copy the example in 6 of 16 proposals (see BENCHMARKS.md).
few_shot = 0
# Topics sampled for proposals.
topics = ["arithmetic", "strings", "sorting", "counting", "prefix sums", "greedy choices",
          "simulation", "number theory", "arrays", "searching", "dynamic programming",
          "parsing text", "geometry on a grid", "dates and times", "bit manipulation",
          "combinatorics"]
# Model requests decoded together (a local model batches them; a remote one sends them at once).
batch = 8
# Sandbox worker threads (0: one per core, less one for the model).
sandbox_workers = 0
# Estimated Jaccard similarity (word 3-grams, MinHash) at which a statement counts as a
# near-duplicate of an earlier puzzle or of a few-shot example.
near_duplicate_threshold = 0.7

[proposer]
# A known model name (crucible model list), a .gguf path, or an OpenAI-compatible URL.
model = "qwen2.5-coder-0.5b-instruct"
temperature = 0.8
top_p = 0.95
max_new_tokens = 640

[solver]
model = "qwen2.5-coder-0.5b-instruct"
temperature = 0.8
top_p = 0.95
max_new_tokens = 400

[limits]
# CPU time per test on the sandbox's calibrated clock, and memory per run.
time_ms = 2000
memory_mib = 256
# A stdin/stdout puzzle needs at least min_tests distinct inputs; at most max_tests are kept.
min_tests = 3
max_tests = 10
# Largest test input or expected output kept, bytes.
max_test_bytes = 1048576

[training]
# Fine-tune after each round (LoRA; local models only): the solver on the verified solutions,
# the proposer on the valid, learnable puzzles. The next round samples with the tuned models,
# written as Hugging Face folders under DIR/models/round-N/.
enabled = true
roles = ["solver", "proposer"]
# "restart": fresh adapters on the base model, all data so far, every round (ReST-EM);
# "continue": the previous round's adapters, trained further on the new round's data.
mode = "restart"
epochs = 2
learning_rate = 0.0002
lora_rank = 8
lora_alpha = 16.0
# Longer training examples (tokens) are left out.
max_seq_len = 1024
# Merged weights: "bf16" (half the disk) or "f32".
weights = "bf16"

[heldout]
# The solver's pass@1 / pass@k on the seed set's heldout split, before round 1 and after each
# round's training (same seed and sampling each time). 0 samples turns it off.
samples = 5
# Most problems evaluated (0: all of the split), spread evenly over it.
max_problems = 0
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commented_default_parses_to_the_defaults() {
        let parsed = CampaignConfig::from_toml(DEFAULT_CONFIG_TOML).expect("parses");
        assert_eq!(parsed, CampaignConfig::default());
    }

    #[test]
    fn round_trips_through_toml() {
        let config = CampaignConfig {
            seed: 7,
            kinds: vec![PuzzleKind::P3],
            ..CampaignConfig::default()
        };
        assert_eq!(
            CampaignConfig::from_toml(&config.to_toml()).expect("parses"),
            config
        );
    }

    #[test]
    fn the_shipped_campaign_configurations_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/campaigns");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("scripts/campaigns") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                CampaignConfig::load(&path).unwrap_or_else(|e| panic!("{e}"));
                seen += 1;
            }
        }
        assert!(seen >= 2, "{seen} configurations in {}", dir.display());
    }

    #[test]
    fn typos_and_bad_values_are_clear_errors() {
        let err = CampaignConfig::from_toml("puzzels_per_round = 3").unwrap_err();
        assert!(err.to_string().contains("puzzels_per_round"), "{err}");
        let err = CampaignConfig::from_toml("kinds = []").unwrap_err();
        assert!(err.to_string().contains("kinds"), "{err}");
        let err = CampaignConfig::from_toml("kinds = [\"essay\"]").unwrap_err();
        assert!(err.to_string().contains("essay"), "{err}");
    }
}
