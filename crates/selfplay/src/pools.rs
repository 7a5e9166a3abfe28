//! Task pools: problem sets with trusted tests (MBPP's train ids, P3's train puzzles, the seed
//! set's train split, any set `crucible eval` reads) that the solver practises on each round,
//! as in expert iteration (ReST-EM, RFT, STaR): k samples per problem, judged by the one judge,
//! the verified ones kept as training data. Problems a set marks held-out never join a pool.

use crate::SelfplayError;
use crate::config::{CampaignConfig, PoolConfig, PuzzleKind, SplitChoice, TaskKind};
use crate::seeds::mix;
use crucible_problems::{FunctionStyle, Problem, Split, Task, formats};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The name of the pool `seed_tasks_per_round` makes of the seed set's train split.
pub const SEED_POOL: &str = "seed";

/// A pool's problems, in a fixed shuffled order (so that a round's window mixes the set).
#[derive(Debug, Clone)]
pub struct Pool {
    /// The pool's configuration.
    pub config: PoolConfig,
    /// Its problems.
    pub problems: Vec<Problem>,
}

/// Where a pool task came from, as stored with its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRef {
    /// The pool's name.
    pub pool: String,
    /// The problem's id in its set.
    pub id: String,
}

/// The pools of a campaign: its `pools`, and the seed set's train split when
/// `seed_tasks_per_round` is set.
pub fn campaign_pools(config: &CampaignConfig) -> Result<Vec<Pool>, SelfplayError> {
    let mut configs = config.pools.clone();
    if config.seed_tasks_per_round > 0 {
        configs.push(PoolConfig {
            name: SEED_POOL.into(),
            set: config.seed_set.clone(),
            split: SplitChoice::Train,
            per_round: config.seed_tasks_per_round,
            samples: 0,
            retry: 0,
            band: false,
        });
    }
    configs.into_iter().map(load_pool).collect()
}

/// Loads one pool: the set's problems that the split choice takes, never held-out ones.
pub fn load_pool(config: PoolConfig) -> Result<Pool, SelfplayError> {
    let what = format!("pool `{}`", config.name);
    let mut problems = load_split(&what, &config.set, |split| {
        split != Some(Split::Heldout) && config.split.takes(split)
    })?;
    problems.sort_by_key(|p| (mix(fnv(&p.id)), p.id.clone()));
    Ok(Pool { config, problems })
}

/// The problems of the set at `set` whose split `keep` takes, for a pool or an evaluation set
/// (`what` names it in messages); problems that fail to load are left out with a warning, and
/// none left is an error.
pub(crate) fn load_split(
    what: &str,
    set: &str,
    keep: impl Fn(Option<Split>) -> bool,
) -> Result<Vec<Problem>, SelfplayError> {
    let loaded = formats::load_set(Path::new(set))
        .map_err(|e| SelfplayError::Config(format!("{what}: {e}")))?;
    for notice in &loaded.notices {
        tracing::info!(set = %what, "{notice}");
    }
    if !loaded.errors.is_empty() {
        tracing::warn!(
            set = %what,
            skipped = loaded.errors.len(),
            "problems that failed to load are left out"
        );
    }
    let problems: Vec<Problem> = loaded
        .problems
        .into_iter()
        .filter(|p| keep(p.split))
        .collect();
    if problems.is_empty() {
        return Err(SelfplayError::Config(format!(
            "{what}: no problems in {set} for its split"
        )));
    }
    Ok(problems)
}

impl Pool {
    /// The problems of round `round` (from 1): `per_round` of them (all when 0), a window that
    /// moves on each round and wraps around.
    pub fn window(&self, round: u32) -> Vec<&Problem> {
        let n = self.problems.len();
        let per_round = match self.config.per_round as usize {
            0 => n,
            k => k.min(n),
        };
        let start = (round.saturating_sub(1) as usize * per_round) % n.max(1);
        (0..per_round)
            .map(|i| &self.problems[(start + i) % n])
            .collect()
    }

    /// The problem with `id`.
    pub fn problem(&self, id: &str) -> Option<&Problem> {
        self.problems.iter().find(|p| p.id == id)
    }
}

/// The kind stored for a pool problem: `stdio`, `p3` or `function`.
pub fn task_kind(problem: &Problem) -> TaskKind {
    match &problem.task {
        Task::Stdio(_) => TaskKind::Puzzle(PuzzleKind::Stdio),
        Task::Function(f) if f.style == FunctionStyle::P3 => TaskKind::Puzzle(PuzzleKind::P3),
        Task::Function(_) => TaskKind::Function,
    }
}

/// FNV-1a: a stable hash of a problem id (the pool's order must not change between versions).
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(path: &str) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path)
            .to_string_lossy()
            .into_owned()
    }

    fn pool(set: &str, split: SplitChoice, per_round: u32) -> Result<Pool, SelfplayError> {
        load_pool(PoolConfig {
            name: "p".into(),
            set: repo(set),
            split,
            per_round,
            samples: 0,
            retry: 0,
            band: false,
        })
    }

    #[test]
    fn mbpp_pools_hold_no_test_ids() {
        let train = pool("puzzles/mbpp", SplitChoice::Train, 0).expect("mbpp");
        let all = pool("puzzles/mbpp", SplitChoice::All, 0).expect("mbpp");
        let ids = |p: &Pool| -> Vec<u32> {
            p.problems
                .iter()
                .map(|p| {
                    p.id.trim_start_matches("mbpp/")
                        .parse()
                        .expect("numeric id")
                })
                .collect()
        };
        // Prompt (1–10), validation (511–600) and train (601–974) ids: 474 problems.
        assert_eq!(train.problems.len(), 474);
        assert_eq!(all.problems.len(), 474);
        assert!(ids(&train).iter().all(|id| !(11..=510).contains(id)));
    }

    #[test]
    fn held_out_sets_make_no_pool() {
        // HumanEval is evaluation only: every problem is held out.
        assert!(pool("puzzles/humaneval", SplitChoice::All, 0).is_err());
        let seed = pool("puzzles", SplitChoice::Train, 0).expect("seed set");
        let heldout = crate::heldout::heldout_problems(Path::new(&repo("puzzles")), 0)
            .expect("held-out split");
        assert!(
            seed.problems
                .iter()
                .all(|p| heldout.iter().all(|h| h.id != p.id))
        );
    }

    #[test]
    fn windows_move_on_and_wrap() {
        let seed = pool("puzzles", SplitChoice::Train, 5).expect("seed set");
        let ids =
            |round| -> Vec<String> { seed.window(round).iter().map(|p| p.id.clone()).collect() };
        assert_eq!(ids(1).len(), 5);
        assert!(ids(1).iter().all(|id| !ids(2).contains(id)));
        let whole = pool("puzzles", SplitChoice::Train, 0).expect("seed set");
        assert_eq!(whole.window(3).len(), whole.problems.len());
        let n = whole.problems.len() as u32;
        let big = pool("puzzles", SplitChoice::Train, n + 3).expect("seed set");
        assert_eq!(big.window(1).len(), n as usize);
    }
}
