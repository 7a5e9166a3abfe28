//! The sections of a campaign configuration: each role's model and sampling, sandbox limits,
//! training, the held-out measurement, the expert-iteration pools and evaluation sets.

use crate::kinds::TrainRole;
use crucible_model::SamplingParams;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

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
    pub(super) fn with_tokens(max_new_tokens: usize) -> Self {
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

/// Sandbox limits and test requirements for proposed puzzles (pool tasks are judged under
/// [`crucible_eval::function_limits`], as `crucible eval` judges them).
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
    /// Passes over the proposer's data, when not `epochs` (0): its few puzzles a round,
    /// learnt over several passes, come back as copies in the next round.
    pub proposer_epochs: usize,
    /// Most conversations per optimizer step (64: micro-batches of 16, four to a step): a
    /// round's few dozen examples take one step per pass at 64, several at 4.
    pub batch_size: usize,
    /// Peak learning rate.
    pub learning_rate: f64,
    /// LoRA rank.
    pub lora_rank: usize,
    /// LoRA alpha (updates are scaled by alpha / rank).
    pub lora_alpha: f64,
    /// Longer examples (tokens) are left out.
    pub max_seq_len: usize,
    /// A learnable puzzle at least this similar to one that already taught the proposer (in
    /// an earlier round, or a more rewarded one of this round) does not teach it again: R-Zero's
    /// repetition penalty as a filter, against the collapse onto one family that training on
    /// its own puzzles brings. 1.0 keeps every learnable puzzle.
    pub proposer_novelty: f64,
    /// Teach the proposer each P3 puzzle under the topic read from its code (when the campaign
    /// lists it) and the difficulty its solve rate showed, not the ones drawn for its request:
    /// hindsight relabelling, so that it learns to follow the topic it is given.
    pub hindsight: bool,
    /// Conversations replayed beside a role's own data each round, by role: a JSONL file in
    /// the layout `crucible train` reads (such as the warm-up data the role was first tuned
    /// on), `replay_ratio` of its lines per own example, drawn afresh each round.
    pub replay: BTreeMap<TrainRole, String>,
    /// Replayed conversations per own example of a role with a `replay` file.
    pub replay_ratio: f64,
    /// Weight type of the merged models: `bf16` or `f32`.
    pub weights: MergedWeights,
}

impl TrainingConfig {
    /// Passes over `role`'s data.
    pub fn epochs_for(&self, role: TrainRole) -> usize {
        match role {
            TrainRole::Proposer if self.proposer_epochs > 0 => self.proposer_epochs,
            _ => self.epochs,
        }
    }
}

impl Default for TrainingConfig {
    fn default() -> Self {
        TrainingConfig {
            enabled: true,
            roles: vec![TrainRole::Solver, TrainRole::Proposer],
            mode: TrainMode::Restart,
            epochs: 2,
            proposer_epochs: 0,
            batch_size: 64,
            learning_rate: 2e-4,
            lora_rank: 8,
            lora_alpha: 16.0,
            max_seq_len: 1024,
            proposer_novelty: 0.5,
            hindsight: true,
            replay: BTreeMap::new(),
            replay_ratio: 1.0,
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

/// Fine-tuning before round 1 on a set of P3 puzzles with reference `sol`s (P3's train
/// puzzles, `puzzles/p3-train`): each role learns the campaign's own requests answered from
/// the set — the proposer the P3 proposal instruction (the topic read from the puzzle, a drawn
/// difficulty, its answer type when the campaign names types) answered by the puzzle, the
/// solver the solve request answered by its `sol`. Later rounds' training starts from the
/// warmed models, and the set joins the copy check when the proposer is warmed (a puzzle it
/// recalls is `copied_example`). Held-out puzzles of the set are never used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WarmupConfig {
    /// The P3 set (empty: no warm-up).
    pub set: String,
    /// Roles warmed up.
    pub roles: Vec<TrainRole>,
    /// Passes over the data.
    pub epochs: usize,
    /// Conversations per optimizer step.
    pub batch_size: usize,
    /// Longest puzzle (`sat` and `sol`, bytes) the proposer learns.
    pub proposer_max_chars: usize,
    /// Longest puzzle (`sat` and `sol`, bytes) the solver learns.
    pub solver_max_chars: usize,
}

impl WarmupConfig {
    /// Whether the campaign warms its roles up before round 1.
    pub fn enabled(&self) -> bool {
        !self.set.is_empty() && !self.roles.is_empty()
    }

    /// Longest puzzle `role` learns.
    pub fn max_chars(&self, role: TrainRole) -> usize {
        match role {
            TrainRole::Proposer => self.proposer_max_chars,
            TrainRole::Solver => self.solver_max_chars,
        }
    }

    /// The training settings of the warm-up: `training`'s learning rate, LoRA shape, sequence
    /// length and weights, with the warm-up's passes and batch, fresh adapters.
    pub fn settings(&self, training: &TrainingConfig) -> TrainingConfig {
        TrainingConfig {
            mode: TrainMode::Restart,
            epochs: self.epochs,
            proposer_epochs: 0,
            batch_size: self.batch_size,
            ..training.clone()
        }
    }
}

impl Default for WarmupConfig {
    fn default() -> Self {
        WarmupConfig {
            set: String::new(),
            roles: vec![TrainRole::Proposer, TrainRole::Solver],
            epochs: 1,
            batch_size: 16,
            proposer_max_chars: 600,
            solver_max_chars: 400,
        }
    }
}
