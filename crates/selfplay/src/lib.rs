//! # crucible-selfplay
//!
//! Self-play campaigns. Each round the proposer writes puzzles (stdin/stdout problems with a
//! reference solution and tests, P3 `sat`/`sol` puzzles, or
//! program-first puzzles whose outputs the sandbox computes, [`program`]), the sandbox
//! validates them, the solver attempts each valid one k times, the sandbox judges the attempts, and the puzzles are
//! scored (solve rate, learnability, proposer rewards, test discrimination). Everything lands
//! in a SQLite store that survives `kill -9`, and the verified pairs are exported as chat JSONL
//! for fine-tuning both roles.

mod busy;
mod campaign;
mod config;
mod dataset;
mod decontam;
mod error;
mod examples;
mod export;
mod heldout;
mod hindsight;
mod judge;
mod kinds;
mod pools;
mod problem;
pub mod program;
mod puzzle;
mod replay;
mod report;
mod seeds;
mod similarity;
mod store;
mod tune;
mod validate;
mod verdicts;
mod verify;
mod warmup;

pub use campaign::{Campaign, CampaignEvent, process_cpu_seconds};
pub use config::{
    CampaignConfig, DEFAULT_CONFIG_TOML, DEFAULT_TOPICS, EvalSetConfig, HeldoutConfig,
    LimitsConfig, MAX_DRAFTS, MAX_REPAIRS, MergedWeights, PoolConfig, PuzzleKind, RoleConfig,
    SplitChoice, TaskKind, TrainMode, TrainRole, TrainingConfig, WarmupConfig,
};
pub use dataset::{messages_json, pick_solutions};
pub use decontam::{NGRAM, NgramIndex};
pub use error::{SelfplayError, TuneError};
pub use examples::{SeedExample, SeedExamples};
pub use export::{write_datasets, write_lines};
pub use heldout::heldout_problems;
pub use judge::{Attempt, NO_CODE, judge_attempts, score};
pub use pools::{Pool, SEED_POOL, TaskRef, campaign_pools, load_pool};
pub use problem::as_problem;
pub use puzzle::{Draft, P3Draft, StdioDraft, parse_reply, render_p3, render_stdio};
pub use report::{
    BUCKETS, KindSummary, RoundSummary, TrainingSummary, heldout_label, render_text, summarize,
    write_report,
};
pub use similarity::Fingerprint;
pub use store::{
    AttemptRow, DatasetRow, Decision, HeldoutRow, ModelRow, ProblemScore, PuzzleRow, PuzzleScore,
    SCHEMA_VERSION, StageTime, Store,
};
pub use tune::{ModelOpener, TuneJob, Tuned, Tuner};
pub use validate::validate;
pub use verdicts::{FormatProblem, PuzzleTest, Reason, Rejection, Validation};
pub use verify::verify;
