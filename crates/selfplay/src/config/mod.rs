//! Campaign configuration: a TOML file with a documented default (`crucible campaign init`),
//! checked once when loaded (`CampaignConfig::validate`).

mod default;
mod sections;

pub use crate::kinds::{PuzzleKind, TaskKind, TrainRole};
pub use default::DEFAULT_CONFIG_TOML;
pub use sections::{
    EvalSetConfig, HeldoutConfig, LimitsConfig, MergedWeights, PoolConfig, RoleConfig, SplitChoice,
    TrainMode, TrainingConfig, WarmupConfig,
};

use crate::SelfplayError;
use crucible_model::SamplingParams;
use crucible_sandbox::Language;
use serde::{Deserialize, Serialize};
use std::path::Path;

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
    /// More problem sets whose puzzles a proposal must not copy, beside the seed set's train
    /// split: the data a proposer model was fine-tuned on (`puzzles/p3-train` for a proposer
    /// warmed up on P3's train puzzles), so that a puzzle it recalls counts as
    /// `copied_example`, not as a new one.
    pub copy_check: Vec<String>,
    /// Problem sets whose short P3 puzzles (`sat` and `sol` within
    /// [`crate::examples::MAX_SHOWN_P3_LEN`] bytes, held-out ones left out) are shown as P3
    /// few-shot examples beside the built-in ones, as the P3 paper prompts from its train
    /// puzzles (`["puzzles/p3-train"]`); they join the copy check.
    pub p3_examples: Vec<String>,
    /// Share (0 to 1) of program-first and P3 proposals that are variants of a seed — for
    /// program-first, a reference solution of a function problem in `pools` (or a built-in
    /// example when the pools hold none), from which the proposer names a task in one sentence
    /// and then writes its program without seeing the seed, the sandbox again computing the
    /// outputs; for P3, a
    /// P3 puzzle in `pools` with its `sol` (none there: a free proposal) — instead of free
    /// proposals.
    pub mutation: f64,
    /// Topics sampled for proposals.
    pub topics: Vec<String>,
    /// Answer types (Python annotations: `int`, `str`, `List[int]`, …) a new P3 puzzle is
    /// asked for, one drawn per proposal (list a type twice to draw it twice as often); empty:
    /// no type is named. The proposer learns each puzzle under the type its `sat` takes.
    pub answer_types: Vec<String>,
    /// Feedback turns a P3 proposal gets (at most [`MAX_REPAIRS`]; 0: none): when its code
    /// does not compile, its `sat` accepts a trivial answer, or its `sol` is missing or does
    /// not satisfy its `sat`, the proposer is told what went wrong (the error, the trivial
    /// answer, what `sol` returned) and asked again. The better draft is kept: one whose `sol`
    /// holds, then one that passed the gates, then the latest.
    pub repairs: u32,
    /// Replies sampled for each proposal request (1 to [`MAX_DRAFTS`]): each is parsed and
    /// checked, and the one that got furthest is kept — a P3 draft whose `sol` holds, then one
    /// that passed the gates — preferring one that is no near-duplicate of an earlier puzzle
    /// or example, then the least like them. The proposer pays for the others; the solver
    /// sees only the kept one.
    pub drafts: u32,
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
    /// Fine-tuning before round 1 on P3 puzzles (off unless `warmup.set` names a set).
    pub warmup: WarmupConfig,
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
            copy_check: Vec::new(),
            p3_examples: Vec::new(),
            mutation: 0.0,
            topics: DEFAULT_TOPICS.iter().map(|t| t.to_string()).collect(),
            answer_types: Vec::new(),
            repairs: 0,
            drafts: 1,
            batch: 8,
            sandbox_workers: 0,
            judge_url: None,
            near_duplicate_threshold: 0.7,
            proposer: RoleConfig::with_tokens(640),
            solver: RoleConfig::with_tokens(400),
            limits: LimitsConfig::default(),
            warmup: WarmupConfig::default(),
            training: TrainingConfig::default(),
            heldout: HeldoutConfig::default(),
        }
    }
}

/// The most feedback turns (`repairs`) a P3 proposal may get.
pub const MAX_REPAIRS: u32 = 3;

/// The most replies (`drafts`) sampled for one proposal request.
pub const MAX_DRAFTS: u32 = 64;

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
        if let Some(bad) = self.answer_types.iter().find(|t| {
            t.trim().is_empty()
                || !t
                    .chars()
                    .all(|c| c.is_alphanumeric() || "[], _.".contains(c))
        }) {
            return Err(SelfplayError::Config(format!(
                "`answer_types`: {bad:?} is not a Python type annotation such as `List[int]`"
            )));
        }
        if self.repairs > MAX_REPAIRS {
            return fail(&format!("`repairs` must be at most {MAX_REPAIRS}"));
        }
        if !(1..=MAX_DRAFTS).contains(&self.drafts) {
            return fail(&format!("`drafts` must be between 1 and {MAX_DRAFTS}"));
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
        if !(0.0..=1.0).contains(&t.proposer_novelty) {
            return fail("`training.proposer_novelty` must be between 0 and 1");
        }
        if !(t.replay_ratio.is_finite() && t.replay_ratio >= 0.0) {
            return fail("`training.replay_ratio` must be a number of at least 0");
        }
        if t.epochs == 0
            || t.batch_size == 0
            || t.lora_rank == 0
            || t.learning_rate <= 0.0
            || t.max_seq_len < 2
        {
            return fail(
                "`training.epochs`, `batch_size`, `lora_rank`, `learning_rate` and `max_seq_len` \
                 must be positive",
            );
        }
        let w = &self.warmup;
        if w.enabled() && (w.epochs == 0 || w.batch_size == 0) {
            return fail("`warmup.epochs` and `warmup.batch_size` must be positive");
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

#[cfg(test)]
mod tests;
