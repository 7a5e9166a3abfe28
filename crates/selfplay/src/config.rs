//! Campaign configuration: a TOML file with a documented default (`crucible campaign init`).

use crate::SelfplayError;
use crucible_eval::prompts::Layout;
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
    /// Program-first, induction: the proposer writes a function `f` and inputs (the sandbox
    /// computes the outputs); the solver writes `f` from its description and half of the
    /// input/output pairs ([`crate::program`]).
    Induction,
    /// Program-first, deduction: from the same kind of proposal, the solver works out what `f`
    /// returns for a given input (a value, judged without running the solver's code).
    Deduction,
    /// Program-first, abduction: from the same kind of proposal, the solver finds arguments for
    /// which `f` returns a given output.
    Abduction,
}

impl PuzzleKind {
    /// The name used in the store and in reports.
    pub fn name(self) -> &'static str {
        match self {
            PuzzleKind::Stdio => "stdio",
            PuzzleKind::P3 => "p3",
            PuzzleKind::Induction => "induction",
            PuzzleKind::Deduction => "deduction",
            PuzzleKind::Abduction => "abduction",
        }
    }

    /// Whether the proposer writes a program `f` and inputs (induction, deduction, abduction).
    pub fn program_first(self) -> bool {
        matches!(
            self,
            PuzzleKind::Induction | PuzzleKind::Deduction | PuzzleKind::Abduction
        )
    }

    /// The reply layout the proposer is asked for (the program-first kinds share one).
    pub fn layout(self) -> Layout {
        match self {
            PuzzleKind::Stdio => Layout::Stdio,
            PuzzleKind::P3 => Layout::P3,
            PuzzleKind::Induction | PuzzleKind::Deduction | PuzzleKind::Abduction => {
                Layout::Program
            }
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<PuzzleKind> {
        match name {
            "stdio" => Some(PuzzleKind::Stdio),
            "p3" => Some(PuzzleKind::P3),
            "induction" => Some(PuzzleKind::Induction),
            "deduction" => Some(PuzzleKind::Deduction),
            "abduction" => Some(PuzzleKind::Abduction),
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
            stop_after_code_block: false,
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

/// How the merged models of a tuned role are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MergedWeights {
    /// bfloat16: half the disk (the runtime re-quantizes at load anyway).
    #[default]
    Bf16,
    /// 32-bit floats.
    F32,
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
    pub weights: MergedWeights,
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
            weights: MergedWeights::Bf16,
        }
    }
}

/// The solver's score on the seed set's `heldout` split, measured before round 1 and after
/// each round's training, with the same seed and sampling every time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeldoutConfig {
    /// Samples per problem at the solver's temperature (pass@1 and pass@k for k up to this);
    /// with 0 and no `greedy`, the evaluation is off.
    pub samples: usize,
    /// Most problems evaluated per set (0: all), spread evenly over it; a set's own
    /// `max_problems` wins.
    pub max_problems: usize,
    /// Also one greedy sample per problem (temperature 0): greedy pass@1, the figure the
    /// paired comparison between two points of the campaign is made on.
    pub greedy: bool,
    /// The evaluation sets; empty: the seed set's heldout split (with `max_problems`).
    pub sets: Vec<EvalSetConfig>,
}

impl Default for HeldoutConfig {
    fn default() -> Self {
        HeldoutConfig {
            samples: 5,
            max_problems: 0,
            greedy: false,
            sets: Vec::new(),
        }
    }
}

/// Which problems of a set a pool or an evaluation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitChoice {
    /// Problems the set marks `train` (MBPP ids 1–10 and 511–974, the seed set's train split).
    Train,
    /// Problems the set marks held-out or test (MBPP ids 11–510, all of HumanEval, the seed
    /// set's heldout split). Never allowed in a pool.
    Heldout,
    /// Every problem the set does not mark held-out (pools), or every problem (evaluations).
    All,
}

impl SplitChoice {
    /// Whether a problem of `split` is taken.
    pub fn takes(self, split: Option<crucible_problems::Split>) -> bool {
        use crucible_problems::Split;
        match self {
            SplitChoice::Train => split == Some(Split::Train),
            SplitChoice::Heldout => split == Some(Split::Heldout),
            SplitChoice::All => true,
        }
    }
}

/// A set of problems with trusted tests that the solver practises on each round (expert
/// iteration: ReST-EM, RFT, STaR): k samples per problem, the verified ones kept as training
/// data. Problems a set marks held-out never join a pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PoolConfig {
    /// A short name for the store and reports (unique among the pools).
    pub name: String,
    /// Any set `crucible eval` reads (relative paths from the working directory).
    pub set: String,
    /// Which problems: `train` (marked train) or `all` (everything not held out).
    pub split: SplitChoice,
    /// Problems per round: a window that moves on each round, wrapping around (0: all).
    pub per_round: u32,
    /// Samples per problem (k, at most 64); 0 uses the campaign's `attempts`.
    pub samples: u32,
    /// More samples for a problem none of whose k samples passed (RFT: hard problems get a
    /// second chance), judged and stored with the first ones; 0: no retry.
    pub retry: u32,
    /// Train only on problems in the learnable band (some but not all samples pass).
    pub band: bool,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            name: String::new(),
            set: String::new(),
            split: SplitChoice::Train,
            per_round: 0,
            samples: 0,
            retry: 0,
            band: false,
        }
    }
}

/// One evaluation set of the held-out measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvalSetConfig {
    /// A short name for the store and reports (unique among the sets).
    pub name: String,
    /// Any set `crucible eval` reads.
    pub set: String,
    /// Which problems (usually `heldout`).
    pub split: SplitChoice,
    /// Most problems evaluated, spread evenly over the set (0: `heldout.max_problems`).
    pub max_problems: usize,
}

impl Default for EvalSetConfig {
    fn default() -> Self {
        EvalSetConfig {
            name: String::new(),
            set: String::new(),
            split: SplitChoice::Heldout,
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
    /// Most solver training examples kept per puzzle or pool problem (m).
    pub max_pairs_per_puzzle: u32,
    /// Problem sets the solver practises on each round (expert iteration).
    pub pools: Vec<PoolConfig>,
    /// Puzzle kinds, proposed in turn.
    pub kinds: Vec<PuzzleKind>,
    /// Language of stdin/stdout reference solutions and attempts.
    pub language: Language,
    /// Seed set giving few-shot examples (its `train` split) and the copy check.
    pub seed_set: String,
    /// Few-shot examples per proposer prompt.
    pub few_shot: usize,
    /// Share (0 to 1) of program-first proposals that are variants of a seed program — a
    /// reference solution of a function problem in `pools` (or a built-in example when the
    /// pools hold none) — instead of free proposals; the sandbox again computes the outputs.
    pub mutation: f64,
    /// Topics sampled for proposals.
    pub topics: Vec<String>,
    /// Model requests decoded together (local models batch them).
    pub batch: usize,
    /// Sandbox worker threads (0: one per core, less one for the model).
    pub sandbox_workers: usize,
    /// Judge the solver's attempts and the held-out samples on this `crucible serve` URL (one
    /// server, or a load balancer in front of a fleet) instead of the in-process sandbox, with
    /// `$CRUCIBLE_JUDGE_TOKEN` as bearer token when set; proposals are still validated here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judge_url: Option<String>,
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
            pools: Vec::new(),
            kinds: vec![PuzzleKind::Stdio, PuzzleKind::P3],
            language: Language::Python,
            seed_set: "puzzles".into(),
            few_shot: 0,
            mutation: 0.0,
            topics: DEFAULT_TOPICS.iter().map(|t| t.to_string()).collect(),
            batch: 8,
            sandbox_workers: 0,
            judge_url: None,
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
    /// Attempts per task: the pool's `samples` for a problem of pool `pool` (when it sets
    /// them), else `attempts`.
    pub fn task_attempts(&self, pool: Option<&str>) -> u32 {
        let samples = pool
            .and_then(|name| self.pools.iter().find(|p| p.name == name))
            .map_or(0, |p| p.samples);
        match samples {
            0 => self.attempts,
            k => k,
        }
    }

    /// The remote judge `judge_url` names (`None`: judge in-process).
    pub fn remote_judge(&self) -> Result<Option<crucible_eval::RemoteJudge>, SelfplayError> {
        let Some(url) = &self.judge_url else {
            return Ok(None);
        };
        crucible_eval::RemoteJudge::from_env(url)
            .map(Some)
            .map_err(|e| SelfplayError::Config(format!("judge_url {url}: {e}")))
    }

    /// Extra samples for a task of `pool` that none of its first samples solved (0: none).
    pub fn task_retry(&self, pool: Option<&str>) -> u32 {
        pool.and_then(|name| self.pools.iter().find(|p| p.name == name))
            .map_or(0, |p| p.retry)
    }

    /// The solver's sampling for one request: its settings, stopping after the answer's code
    /// block (the solver's answer contract is one block; prose after it is not paid for).
    pub fn solver_sampling(&self, seed: u64) -> SamplingParams {
        SamplingParams {
            stop_after_code_block: true,
            ..self.solver.sampling(seed)
        }
    }

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
            return fail(
                "`kinds` must name at least one puzzle kind (stdio, p3, induction, deduction, \
                 abduction)",
            );
        }
        if self.topics.is_empty() {
            return fail("`topics` must not be empty");
        }
        if self.attempts == 0 || self.rounds == 0 {
            return fail("`rounds` and `attempts` must be at least 1");
        }
        if self.puzzles_per_round == 0 && self.pools.is_empty() && self.seed_tasks_per_round == 0 {
            return fail(
                "a round needs work: `puzzles_per_round`, `pools` or `seed_tasks_per_round`",
            );
        }
        check_names(self.pools.iter().map(|p| p.name.as_str()), "pools")?;
        if let Some(pool) = self.pools.iter().find(|p| p.split == SplitChoice::Heldout) {
            return Err(SelfplayError::Config(format!(
                "pool `{}`: a pool never draws from a held-out split (split = \"train\" or \"all\")",
                pool.name
            )));
        }
        if let Some(pool) = self.pools.iter().find(|p| p.samples > 64 || p.retry > 64) {
            return Err(SelfplayError::Config(format!(
                "pool `{}`: at most 64 samples (and 64 retries) per problem",
                pool.name
            )));
        }
        check_names(
            self.heldout.sets.iter().map(|s| s.name.as_str()),
            "heldout.sets",
        )?;
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
        if !(0.0..=1.0).contains(&self.mutation) {
            return fail("`mutation` must be between 0 and 1");
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
        Ok(())
    }
}

/// Names must be non-empty, unique and plain (letters, digits, `-`, `_`, `.`).
fn check_names<'a>(names: impl Iterator<Item = &'a str>, what: &str) -> Result<(), SelfplayError> {
    let mut seen = std::collections::HashSet::new();
    for name in names {
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !plain || !seen.insert(name) {
            return Err(SelfplayError::Config(format!(
                "`{what}`: each needs a unique plain `name` (letters, digits, - _ .), not `{name}`"
            )));
        }
    }
    Ok(())
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
# Most solver training examples kept per puzzle or pool problem (m); the most different
# accepted solutions win.
max_pairs_per_puzzle = 2
# Problem sets with trusted tests that the solver practises on each round (expert iteration:
# k samples per problem, the verified ones become training data), as [[pools]] tables:
#   [[pools]]
#   name = "mbpp"             # a short unique name
#   set = "puzzles/mbpp"      # any set `crucible eval` reads
#   split = "train"           # "train" (marked train) or "all" (all but held-out problems)
#   per_round = 0             # problems per round, a moving window (0: all of them)
#   samples = 8               # k per problem (0: `attempts`)
#   retry = 0                 # more samples for a problem none of the k solved (0: none)
#   band = false              # train only on problems some but not all samples solve
pools = []
# Puzzle kinds, proposed in turn: "stdio" (statement + reference + tests), "p3" (sat/sol),
# and the program-first "induction" / "deduction" / "abduction" (a function f and calls of it;
# the sandbox computes the results; the solver writes f from examples, works out a result, or
# finds arguments for a result).
kinds = ["stdio", "p3"]
# Language of stdin/stdout reference solutions and of the solver's attempts: python, cpp or c.
language = "python"
# Seed set for few-shot examples (its train split) and the copy check.
seed_set = "puzzles"
# Few-shot examples shown to the proposer. 0 by default: measured with the 0.5B model, one
# example made it copy the example in 6 of 16 proposals (see BENCHMARKS.md).
few_shot = 0
# Share (0 to 1) of program-first proposals that vary a seed program (a reference solution of a
# function problem in `pools`, else a built-in example) instead of writing a new one.
mutation = 0.0
# Topics sampled for proposals.
topics = ["arithmetic", "strings", "sorting", "counting", "prefix sums", "greedy choices",
          "simulation", "number theory", "arrays", "searching", "dynamic programming",
          "parsing text", "geometry on a grid", "dates and times", "bit manipulation",
          "combinatorics"]
# Model requests decoded together (a local model batches them; a remote one sends them at once).
batch = 8
# Sandbox worker threads (0: one per core, less one for the model).
sandbox_workers = 0
# Judge attempts and held-out samples on a `crucible serve` fleet instead of in-process
# (bearer token from $CRUCIBLE_JUDGE_TOKEN); unset: the in-process sandbox.
# judge_url = "http://judge.internal:8080"
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
# The solver's pass@1 / pass@k on evaluation sets (by default the seed set's heldout split),
# before round 1 and after each round's training (same seed and sampling each time).
# 0 samples and greedy = false turn it off.
samples = 5
# Most problems evaluated per set (0: all), spread evenly over it (a set's own max_problems wins).
max_problems = 0
# Also one greedy sample per problem: greedy pass@1, on which any two points of the campaign
# are compared problem by problem (difference with a 95 % interval).
greedy = false
# Evaluation sets, as [[heldout.sets]] tables (name, set, split = "heldout", max_problems);
# none: the seed set's heldout split. Training examples that overlap any of them (13-grams)
# are left out of training.
sets = []
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
        let err = CampaignConfig::from_toml("[training]\nweights = \"f16\"").unwrap_err();
        assert!(
            err.to_string().contains("f16") && err.to_string().contains("bf16"),
            "{err}"
        );
    }
}
