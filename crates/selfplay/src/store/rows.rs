//! The rows the store holds and hands back: puzzles, attempts, scores, dataset rows, models,
//! held-out evaluations, decisions and stage times.

use crate::config::{TaskKind, TrainRole};
use crate::similarity::Fingerprint;
use crate::verdicts::{Reason, Rejection};
use serde::{Deserialize, Serialize};

/// The model a role samples with in a round, when training produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    /// The round that samples with it (trained after the round before).
    pub round: u32,
    /// The role (stored as `proposer` or `solver`).
    pub role: TrainRole,
    /// What to open: a model folder (or, when training had no data, the previous model).
    pub spec: String,
    /// Training examples used (0: not trained, `spec` carried over).
    pub examples: u64,
    /// Last training loss.
    pub final_loss: Option<f64>,
    /// Seconds spent training and merging.
    pub seconds: f64,
}

/// The solver's score on one evaluation set at one point of the campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldoutRow {
    /// 0: before any training; N: with the solver trained after round N.
    pub round: u32,
    /// The evaluation set's name (`seed`: the seed set's heldout split).
    pub set: String,
    /// The solver evaluated.
    pub solver: String,
    /// Problems evaluated.
    pub problems: u64,
    /// Samples per problem (k of pass@k).
    pub samples: u64,
    /// Mean unbiased pass@1.
    pub pass1: f64,
    /// Mean pass@k with k = `samples`.
    pub passk: f64,
    /// Greedy pass@1 (when the greedy sample was taken).
    pub greedy: Option<f64>,
    /// Seconds spent (sampling and judging).
    pub seconds: f64,
    /// Per-problem results, in the set's order.
    pub results: Vec<ProblemScore>,
}

impl HeldoutRow {
    /// The scores as words: `greedy pass@1 0.412, pass@1 0.380, pass@5 0.610` (the sampled
    /// figures only when samples were taken).
    pub fn scores(&self) -> String {
        let mut parts = Vec::new();
        if let Some(g) = self.greedy {
            parts.push(format!("greedy pass@1 {g:.3}"));
        }
        if self.samples > 0 {
            parts.push(format!("pass@1 {:.3}", self.pass1));
            parts.push(format!("pass@{} {:.3}", self.samples, self.passk));
        }
        parts.join(", ")
    }
}

/// One problem's result in an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemScore {
    /// The problem's id.
    pub id: String,
    /// Samples judged.
    pub n: u64,
    /// Samples accepted.
    pub c: u64,
    /// Whether the greedy sample was accepted (when taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greedy: Option<bool>,
}

/// What separates a reply from the feedback that followed it in a stored P3 transcript.
pub const FEEDBACK_MARK: &str = "\n\n[feedback]\n";

/// A proposal's outcome, as committed.
#[derive(Debug, Clone, PartialEq)]
pub struct PuzzleRow {
    /// Row id (0 before insertion).
    pub id: i64,
    /// Round number (from 1).
    pub round: u32,
    /// Position in the round.
    pub slot: u32,
    /// The kind of task (stored by name: `stdio`, `p3`, `induction`, ..., or `function` for a
    /// function-level pool problem).
    pub kind: TaskKind,
    /// Sampled topic.
    pub topic: String,
    /// Sampled difficulty.
    pub difficulty: String,
    /// The proposal's sampling seed.
    pub seed: u64,
    /// The proposer's prompt (user message).
    pub prompt: String,
    /// The proposer's reply, verbatim; after feedback turns (`repairs`), each reply and the
    /// feedback that followed it, joined by [`FEEDBACK_MARK`] and `[reply]`.
    pub reply: String,
    /// `None` when valid; otherwise why it was rejected (stored as the reason's name and the
    /// detail).
    pub rejection: Option<Rejection>,
    /// Title (parsed puzzles).
    pub title: Option<String>,
    /// Statement (stdin/stdout) or `sat` (P3).
    pub statement: Option<String>,
    /// The parsed draft as JSON.
    pub draft: Option<String>,
    /// The tests (inputs with expected outputs) as JSON.
    pub tests: Option<String>,
    /// Fingerprint of the statement.
    pub fingerprint: Option<Fingerprint>,
    /// A problem with known tests given to the solver (a pool or seed-set problem, not a
    /// proposal): no proposer data, not counted among proposals.
    pub seed_task: bool,
    /// The pool problem it is (pool tasks; `None` for proposals and older seed tasks, which
    /// carry their draft).
    pub task: Option<crate::pools::TaskRef>,
}

impl PuzzleRow {
    /// A row of `kind` at `round` and `slot` with nothing else set (valid, no text, no
    /// draft): what a commit fills in.
    pub fn empty(round: u32, slot: u32, kind: TaskKind) -> Self {
        PuzzleRow {
            id: 0,
            round,
            slot,
            kind,
            topic: String::new(),
            difficulty: String::new(),
            seed: 0,
            prompt: String::new(),
            reply: String::new(),
            rejection: None,
            title: None,
            statement: None,
            draft: None,
            tests: None,
            fingerprint: None,
            seed_task: false,
            task: None,
        }
    }
}

/// One judged attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRow {
    /// Index among the puzzle's k attempts.
    pub idx: u32,
    /// The solver's reply.
    pub reply: String,
    /// The extracted program (`None`: the reply held none).
    pub code: Option<String>,
    /// Verdict code (`AC`, `WA`, ..., `NOCODE`).
    pub verdict: String,
    /// Tests passed.
    pub passed: u32,
    /// Tests judged.
    pub total: u32,
    /// Pass (true) or fail per test, in test order.
    pub per_test: Vec<bool>,
    /// Compiler output or the first failure's message.
    pub message: String,
}

impl AttemptRow {
    /// Whether the attempt was accepted.
    pub fn accepted(&self) -> bool {
        self.verdict == "AC"
    }
}

/// The scores of a solved puzzle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PuzzleScore {
    /// Fraction of attempts accepted.
    pub solve_rate: f64,
    /// 0 < solve rate < 1.
    pub learnable: bool,
    /// Absolute Zero's proposer reward: 1 − p when 0 < p < 1, else 0.
    pub reward_azr: f64,
    /// Self-Questioning LM's reward: 1 when some but not all attempts pass.
    pub reward_sqlm: f64,
    /// Share of tests that catch at least one wrong attempt (stdin/stdout puzzles).
    pub discrimination: Option<f64>,
}

/// A dataset row (chat messages as JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetRow {
    /// The role it trains (stored as `solver` or `proposer`).
    pub kind: TrainRole,
    /// The puzzle it came from.
    pub puzzle_id: i64,
    /// The attempt it came from (solver rows); -1 for proposer rows.
    pub attempt_idx: i64,
    /// `{"messages": [...]}`.
    pub messages: String,
}

/// What a campaign decided about one proposal (see [`Store::decisions`](super::Store::decisions)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Round number.
    pub round: u32,
    /// Slot in the round.
    pub slot: u32,
    /// Rejection reason, `None` when valid.
    pub rejection: Option<Reason>,
    /// The proposer's reply.
    pub reply: String,
    /// Each attempt's index, verdict and reply.
    pub attempts: Vec<(u32, String, String)>,
}

/// Time and CPU spent, added to a round's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTime {
    /// Proposer generation, seconds.
    pub propose: f64,
    /// Puzzle validation in the sandbox, seconds of wall time during which any validation was
    /// in progress (overlapping validations count once).
    pub validate: f64,
    /// Solver generation, seconds.
    pub solve: f64,
    /// Judging attempts, seconds of wall time during which any judging was in progress.
    pub judge: f64,
    /// Process CPU time (with child processes), seconds.
    pub cpu: f64,
    /// Wall time, seconds.
    pub wall: f64,
}

impl StageTime {
    /// Adds `other`'s times to these.
    pub fn add(&mut self, other: &StageTime) {
        self.propose += other.propose;
        self.validate += other.validate;
        self.solve += other.solve;
        self.judge += other.judge;
        self.cpu += other.cpu;
        self.wall += other.wall;
    }
}
