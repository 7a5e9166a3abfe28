//! Running a campaign: rounds of propose → validate → solve → judge → score → datasets.
//!
//! One thread owns the models and decodes queued requests in batches (solver requests first);
//! validation and judging run on the sandbox's workers meanwhile, so the model never waits for
//! the sandbox. Proposals are committed in slot order, each in its own transaction, and every
//! request's seed derives from (campaign seed, round, slot): a killed campaign resumes by
//! redoing exactly the uncommitted work, with the same results.

mod repair;
mod round;
mod scheduler;
mod training;

use crate::busy::BusyClock;
use crate::config::{CampaignConfig, TrainRole};
use crate::decontam::NgramIndex;
use crate::examples::SeedExamples;
use crate::heldout::{EvalSet, eval_sets};
use crate::pools::{Pool, campaign_pools};
use crate::problem::as_problem;
use crate::puzzle::Draft;
use crate::replay::read_replay;
use crate::similarity::FINGERPRINT_VERSION;
use crate::store::{HeldoutRow, PuzzleRow, StageTime, Store};
use crate::tune::{ModelOpener, Tuner};
use crate::verdicts::{PuzzleTest, Reason};
use crate::{SelfplayError, export};
use crucible_model::Generator;
use crucible_problems::Problem;
use crucible_sandbox::Sandbox;
use scheduler::{Held, JobQueue, model_worker};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

/// Training examples left out: the task each came from, with the evaluation problem it
/// overlaps.
pub type Overlaps = Vec<(i64, String)>;

/// What a running campaign reports (for progress bars and logs).
#[derive(Debug, Clone, PartialEq)]
pub enum CampaignEvent {
    /// A round began (or resumed with `committed` puzzles already done).
    RoundStarted {
        /// Round number.
        round: u32,
        /// Proposals in the round.
        puzzles: u32,
        /// Proposals already committed (pool tasks not counted).
        committed: u32,
    },
    /// A proposal was validated and committed.
    PuzzleCommitted {
        /// Round number.
        round: u32,
        /// Its slot.
        slot: u32,
        /// `None` when valid, else the rejection reason.
        rejection: Option<Reason>,
    },
    /// A valid puzzle's attempts were judged and committed.
    PuzzleSolved {
        /// Round number.
        round: u32,
        /// Accepted attempts.
        accepted: u32,
        /// Attempts.
        attempts: u32,
    },
    /// Training examples left out because they overlap an evaluation set (13-grams).
    Decontaminated {
        /// Round number.
        round: u32,
        /// The task each came from, with the evaluation problem it overlaps.
        examples: Overlaps,
    },
    /// Learnable puzzles left out of the proposer's data: each as close as
    /// `training.proposer_novelty` to a puzzle that had already taught it.
    Repeats {
        /// Round number.
        round: u32,
        /// The puzzles left out.
        puzzles: Vec<i64>,
    },
    /// Conversations from a role's replay file joined its own examples for training after a
    /// round (`training.replay`).
    Replayed {
        /// The round whose data the role trains on.
        round: u32,
        /// The role.
        role: TrainRole,
        /// Its own examples.
        own: usize,
        /// The replayed ones.
        replayed: usize,
    },
    /// The round's datasets were written.
    RoundFinished {
        /// Round number.
        round: u32,
        /// Its valid puzzles and tasks, as stored (also those of an earlier process).
        valid: u64,
        /// Its accepted attempts, as stored.
        accepted: u64,
    },
    /// A line of training progress.
    Training {
        /// The round whose data is trained on (0: the warm-up before round 1).
        round: u32,
        /// The role being trained.
        role: TrainRole,
        /// Loss, tokens/s, ...
        line: String,
    },
    /// A role's model for the next round is ready (`examples` = 0: nothing to train on, the
    /// model carries over).
    Trained {
        /// The round whose data it trained on (0: the warm-up before round 1).
        round: u32,
        /// The role being trained.
        role: TrainRole,
        /// Training examples.
        examples: u64,
        /// Last training loss.
        final_loss: Option<f64>,
    },
    /// The held-out evaluation of one set began.
    HeldoutStarted {
        /// 0: before training; N: after round N's training.
        round: u32,
        /// The evaluation set.
        set: String,
        /// Problems to evaluate.
        problems: u32,
    },
    /// Sampling for a held-out evaluation went on.
    HeldoutProgress {
        /// 0: before training; N: after round N's training.
        round: u32,
        /// The evaluation set.
        set: String,
        /// Problems whose samples are in.
        done: u32,
        /// Problems in the set.
        total: u32,
    },
    /// The solver's score on one evaluation set.
    Heldout {
        /// 0: before training; N: after round N's training.
        round: u32,
        /// The evaluation set.
        set: String,
        /// The scores in words ([`HeldoutRow::scores`]).
        scores: String,
        /// Problems evaluated.
        problems: u32,
    },
}

/// A campaign directory: `campaign.db` and `datasets/`.
pub struct Campaign {
    dir: PathBuf,
    store: Store,
    config: CampaignConfig,
    sandbox: Sandbox,
    examples: SeedExamples,
    /// The task pools (the seed set's train split among them with `seed_tasks_per_round`).
    pools: Vec<Pool>,
    /// The seed programs program-first mutation proposals vary
    /// ([`crate::program::seed_programs`]).
    parents: Vec<String>,
    /// The seed puzzles P3 mutation proposals vary ([`crate::examples::seed_puzzles`]).
    puzzle_parents: Vec<String>,
    /// The `crucible serve` fleet that judges attempts (`judge_url`), if any.
    remote: Option<crucible_eval::RemoteJudge>,
    /// The evaluation sets of the held-out measurement.
    eval_sets: Vec<EvalSet>,
    /// Their n-grams: training examples that share one are left out.
    contamination: NgramIndex,
    /// The conversations of each role's replay file (`training.replay`).
    replay: BTreeMap<TrainRole, Vec<String>>,
    /// Busy wall time of the validation tasks (they overlap and queue for the sandbox).
    validate_busy: BusyClock,
    /// Busy wall time of the judging tasks.
    judge_busy: BusyClock,
}

impl Campaign {
    /// The store file of a campaign directory.
    pub fn store_path(dir: &Path) -> PathBuf {
        dir.join("campaign.db")
    }

    /// Creates a campaign in `dir` with `config`, or reopens it with its stored configuration
    /// (`config` = `None` resumes; a `config` that differs from the stored one in more than
    /// `rounds` is an error, a new round count is stored: a finished campaign runs more rounds).
    pub fn open(
        dir: &Path,
        config: Option<&CampaignConfig>,
        sandbox: Sandbox,
    ) -> Result<Self, SelfplayError> {
        let mut store = Store::open(&Self::store_path(dir))?;
        refresh_fingerprints(&mut store)?;
        let config = match (store.stored_config()?, config) {
            (Some(stored), Some(given)) if &stored != given => {
                // Only the round count may change: the campaign goes on to (or stops at) it.
                let same_but_rounds = CampaignConfig {
                    rounds: given.rounds,
                    ..stored
                } == *given;
                if !same_but_rounds {
                    return Err(SelfplayError::Config(format!(
                        "{} already holds a campaign with another configuration; resume it, or use a new directory",
                        dir.display()
                    )));
                }
                store.update_config(given)?
            }
            (Some(stored), _) => stored,
            (None, Some(given)) => store.campaign_config(given)?,
            (None, None) => {
                return Err(SelfplayError::Config(format!(
                    "{} holds no campaign to resume",
                    dir.display()
                )));
            }
        };
        let mut examples = SeedExamples::load(Path::new(&config.seed_set), config.language)?;
        for set in &config.copy_check {
            examples.add_copy_check(Path::new(set))?;
        }
        // A warmed proposer may recall the warm-up set's puzzles: they are copies.
        let warmup = &config.warmup;
        if warmup.enabled()
            && warmup.roles.contains(&TrainRole::Proposer)
            && !config.copy_check.contains(&warmup.set)
        {
            examples.add_copy_check(Path::new(&warmup.set))?;
        }
        for set in &config.p3_examples {
            examples.add_p3_examples(Path::new(set))?;
        }
        let pools = campaign_pools(&config)?;
        let (parents, puzzle_parents) = if config.mutation > 0.0 {
            let problems: Vec<&Problem> = pools.iter().flat_map(|p| &p.problems).collect();
            (
                crate::program::seed_programs(&problems),
                crate::examples::seed_puzzles(&problems),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let eval_sets = eval_sets(&config)?;
        let remote = config.remote_judge()?;
        let mut contamination = NgramIndex::default();
        for set in &eval_sets {
            contamination.add_problems(&set.name, &set.problems);
        }
        let replay = config
            .training
            .replay
            .iter()
            .map(|(role, path)| Ok((*role, read_replay(Path::new(path), &contamination)?)))
            .collect::<Result<_, SelfplayError>>()?;
        Ok(Campaign {
            dir: dir.to_path_buf(),
            store,
            config,
            sandbox,
            examples,
            pools,
            parents,
            puzzle_parents,
            remote,
            eval_sets,
            contamination,
            replay,
            validate_busy: BusyClock::default(),
            judge_busy: BusyClock::default(),
        })
    }

    /// The campaign's configuration.
    pub fn config(&self) -> &CampaignConfig {
        &self.config
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs every unfinished step: the held-out baseline, the warm-up (`[warmup]`), then each round, the training after
    /// it and the held-out evaluation of its tuned solver. Models are opened through `models`
    /// when a round needs them (one model serves both roles when they name the same one);
    /// `tuner` trains between rounds when `training.enabled` (`None`: no training).
    pub fn run(
        &mut self,
        models: &mut dyn ModelOpener,
        mut tuner: Option<&mut dyn Tuner>,
        on_event: &mut dyn FnMut(&CampaignEvent),
    ) -> Result<(), SelfplayError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SelfplayError::io(&self.dir, e))?;
        let mut held = Held::new(models);
        let training = self.config.training.enabled && tuner.is_some();
        if let Some(tuner) = tuner.as_deref() {
            self.check_trainable(tuner)?;
        }
        if training {
            self.heldout_after(0, &mut held, &runtime, on_event)?;
        }
        if self.config.warmup.enabled() {
            let tuner = tuner.as_deref_mut().ok_or_else(|| {
                SelfplayError::Config("`[warmup]` needs training: this run has no tuner".into())
            })?;
            held.hold(&[])?;
            self.warm_up(tuner, &runtime, on_event)?;
        }
        for round in 1..=self.config.rounds {
            if !self.store.round_finished(round)? {
                let (proposer_spec, solver_spec) = self.round_models(round)?;
                held.hold(&[&proposer_spec, &solver_spec])?;
                let (proposer, solver) = held.pair(&proposer_spec, &solver_spec)?;
                self.run_round_with(round, proposer, solver, &runtime, on_event)?;
                export::write_datasets(&self.store, &self.dir.join("datasets"))?;
                let (valid, accepted) = self.store.round_counts(round)?;
                on_event(&CampaignEvent::RoundFinished {
                    round,
                    valid,
                    accepted,
                });
            }
            if let (true, Some(tuner)) = (training, tuner.as_deref_mut()) {
                held.hold(&[])?;
                self.train_after(round, tuner, on_event)?;
                self.heldout_after(round, &mut held, &runtime, on_event)?;
                self.remove_unused_models(round)?;
            }
        }
        Ok(())
    }

    /// One round with these models, the model thread beside the sandbox work.
    fn run_round_with(
        &mut self,
        round: u32,
        proposer: &mut (dyn Generator + 'static),
        solver: Option<&mut (dyn Generator + 'static)>,
        runtime: &tokio::runtime::Runtime,
        on_event: &mut dyn FnMut(&CampaignEvent),
    ) -> Result<(), SelfplayError> {
        let queue = Arc::new(JobQueue::default());
        let (tx, rx) = mpsc::unbounded_channel();
        let batch = self.config.batch;
        std::thread::scope(|scope| {
            let worker_queue = Arc::clone(&queue);
            scope.spawn(move || model_worker(&worker_queue, proposer, solver, batch, &tx));
            let result = runtime.block_on(self.run_round(round, &queue, rx, on_event));
            queue.close();
            result
        })
    }

    /// The models (proposer, solver) round `round` samples with: what training recorded for
    /// it, else the previous round's, else the configured ones.
    pub fn round_models(&self, round: u32) -> Result<(String, String), SelfplayError> {
        Ok((
            self.role_model(round, TrainRole::Proposer)?,
            self.role_model(round, TrainRole::Solver)?,
        ))
    }

    /// Evaluates the solver that samples round `round + 1` on each evaluation set (unless done,
    /// or turned off); an unchanged solver's earlier score is reused.
    fn heldout_after(
        &mut self,
        round: u32,
        held: &mut Held<'_>,
        runtime: &tokio::runtime::Runtime,
        on_event: &mut dyn FnMut(&CampaignEvent),
    ) -> Result<(), SelfplayError> {
        if self.config.heldout.samples == 0 && !self.config.heldout.greedy {
            return Ok(());
        }
        // Only the solver is loaded: the next round's proposer is opened when the round starts.
        let solver_spec = self.role_model(round + 1, TrainRole::Solver)?;
        for set in &self.eval_sets {
            let done = self.store.heldout()?;
            if set.problems.is_empty() || done.iter().any(|r| r.round == round && r.set == set.name)
            {
                continue;
            }
            let row = match done
                .iter()
                .rev()
                .find(|r| r.solver == solver_spec && r.set == set.name)
            {
                Some(earlier) => HeldoutRow {
                    round,
                    seconds: 0.0,
                    ..earlier.clone()
                },
                None => {
                    on_event(&CampaignEvent::HeldoutStarted {
                        round,
                        set: set.name.clone(),
                        problems: set.problems.len() as u32,
                    });
                    held.hold(&[&solver_spec])?;
                    let solver = held.get(&solver_spec)?;
                    let name = set.name.clone();
                    crate::heldout::evaluate(
                        solver,
                        &solver_spec,
                        set,
                        &self.config,
                        &self.sandbox,
                        runtime,
                        round,
                        &mut |done, total| {
                            on_event(&CampaignEvent::HeldoutProgress {
                                round,
                                set: name.clone(),
                                done: done as u32,
                                total: total as u32,
                            })
                        },
                    )?
                }
            };
            on_event(&CampaignEvent::Heldout {
                round,
                set: set.name.clone(),
                scores: row.scores(),
                problems: row.problems as u32,
            });
            self.store.set_heldout(&row)?;
        }
        Ok(())
    }

    /// The problem a stored task poses: its pool's problem, or the proposed puzzle's draft
    /// and tests.
    fn task_problem(&self, puzzle: &PuzzleRow) -> Result<Problem, SelfplayError> {
        if let Some(task) = &puzzle.task {
            return self
                .pool_of(puzzle)
                .and_then(|p| p.problem(&task.id))
                .cloned()
                .ok_or_else(|| {
                    SelfplayError::Config(format!(
                        "task {} of pool `{}` is not in the configured pools",
                        task.id, task.pool
                    ))
                });
        }
        let (draft, tests) = parsed(puzzle)?;
        let lang = draft.language(self.config.language);
        Ok(as_problem(
            &puzzle.id.to_string(),
            &draft,
            &tests,
            lang,
            &self.config.limits,
        ))
    }

    /// The limits a task's function-level attempts run under: a pool problem gets the limits
    /// `crucible eval` judges it with (the same verdict in both places), a proposed puzzle the
    /// campaign's `[limits]` (stdin/stdout tasks carry their own in either case).
    fn task_limits(&self, puzzle: &PuzzleRow) -> crucible_sandbox::Limits {
        match puzzle.task {
            Some(_) => crucible_eval::function_limits(),
            None => self.config.limits.limits(),
        }
    }

    /// The pool a task came from (`None` for proposals).
    fn pool_of(&self, puzzle: &PuzzleRow) -> Option<&Pool> {
        let task = puzzle.task.as_ref()?;
        self.pools.iter().find(|p| p.config.name == task.pool)
    }
}

/// Wall and CPU time since the last commit, charged to the next one.
struct Clock {
    wall: Instant,
    cpu: f64,
}

impl Clock {
    fn start() -> Self {
        Clock {
            wall: Instant::now(),
            cpu: process_cpu_seconds(),
        }
    }

    fn lap(&mut self, time: &mut StageTime) {
        let cpu = process_cpu_seconds();
        time.cpu += (cpu - self.cpu).max(0.0);
        time.wall += self.wall.elapsed().as_secs_f64();
        self.cpu = cpu;
        self.wall = Instant::now();
    }
}

/// CPU time of this process and its finished children (the compiler), seconds.
pub fn process_cpu_seconds() -> f64 {
    let seconds = |who| {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage writes a full rusage into the pointer we own.
        let ok = unsafe { libc::getrusage(who, usage.as_mut_ptr()) } == 0;
        if !ok {
            return 0.0;
        }
        // SAFETY: initialised by the successful call above.
        let usage = unsafe { usage.assume_init() };
        let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        tv(usage.ru_utime) + tv(usage.ru_stime)
    };
    seconds(libc::RUSAGE_SELF) + seconds(libc::RUSAGE_CHILDREN)
}

/// The draft and tests stored with a valid puzzle.
/// Recomputes the stored fingerprints from the stored drafts when they were computed another
/// way ([`FINGERPRINT_VERSION`]), so that new puzzles are compared with old ones alike.
fn refresh_fingerprints(store: &mut Store) -> Result<(), SelfplayError> {
    if store.fingerprint_version()? == FINGERPRINT_VERSION {
        return Ok(());
    }
    let mut fingerprints = Vec::new();
    for (id, text) in store.fingerprinted_drafts()? {
        let draft: Draft = serde_json::from_str(&text).map_err(|_| {
            SelfplayError::Config(format!("puzzle {id} has no readable draft in the store"))
        })?;
        fingerprints.push((id, draft.fingerprint()));
    }
    store.set_fingerprints(&fingerprints, FINGERPRINT_VERSION)
}

fn parsed(puzzle: &PuzzleRow) -> Result<(Draft, Vec<PuzzleTest>), SelfplayError> {
    let bad = |what: &str| {
        SelfplayError::Config(format!(
            "puzzle {} has no readable {what} in the store",
            puzzle.id
        ))
    };
    let draft: Draft = serde_json::from_str(puzzle.draft.as_deref().ok_or_else(|| bad("draft"))?)
        .map_err(|_| bad("draft"))?;
    let tests: Vec<PuzzleTest> =
        serde_json::from_str(puzzle.tests.as_deref().ok_or_else(|| bad("tests"))?)
            .map_err(|_| bad("tests"))?;
    Ok((draft, tests))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{PuzzleKind, TaskKind};
    use crate::similarity::Fingerprint;

    #[test]
    fn a_store_of_older_fingerprints_has_them_recomputed_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db")).unwrap();
        store.campaign_config(&CampaignConfig::default()).unwrap();
        store.start_round(1).unwrap();
        let sat = "def sat(s: str, n=5):\n    return len(s) == n and s == s[::-1]\n";
        let draft = serde_json::json!({"kind": "p3", "sat": sat}).to_string();
        let old = Fingerprint::of(sat);
        let row = PuzzleRow {
            draft: Some(draft),
            tests: Some("[]".into()),
            fingerprint: Some(old.clone()),
            ..PuzzleRow::empty(1, 0, TaskKind::Puzzle(PuzzleKind::P3))
        };
        store.commit_puzzle(&row, &StageTime::default()).unwrap();
        assert_eq!(store.fingerprint_version().unwrap(), 1);
        refresh_fingerprints(&mut store).unwrap();
        let now = store.puzzles(1).unwrap()[0].fingerprint.clone().unwrap();
        assert_eq!(now, Fingerprint::of_code(sat));
        assert_ne!(now, old);
        assert_eq!(store.fingerprint_version().unwrap(), FINGERPRINT_VERSION);
        // Recorded: the next open leaves the fingerprints alone.
        store
            .set_fingerprints(&[(1, old.clone())], FINGERPRINT_VERSION)
            .unwrap();
        refresh_fingerprints(&mut store).unwrap();
        assert_eq!(store.puzzles(1).unwrap()[0].fingerprint, Some(old));
    }
}
