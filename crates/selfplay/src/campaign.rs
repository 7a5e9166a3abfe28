//! Running a campaign: rounds of propose → validate → solve → judge → score → datasets.
//!
//! One thread owns the models and decodes queued requests in batches (solver requests first);
//! validation and judging run on the sandbox's workers meanwhile, so the model never waits for
//! the sandbox. Proposals are committed in slot order, each in its own transaction, and every
//! request's seed derives from (campaign seed, round, slot): a killed campaign resumes by
//! redoing exactly the uncommitted work, with the same results.

use crate::busy::BusyClock;
use crate::config::{CampaignConfig, PuzzleKind, TrainMode, TrainRole};
use crate::dataset::{messages_json, proposer_row, solver_answer, solver_rows};
use crate::decontam::NgramIndex;
use crate::heldout::{EvalSet, eval_sets};
use crate::judge::{Attempt, judge_attempts, score};
use crate::pools::{Pool, TaskRef, campaign_pools, task_kind};
use crate::prompts::{Examples, PROPOSER_SYSTEM, as_problem, propose_prompt};
use crate::puzzle::{Draft, parse_reply};
use crate::seeds::{Stream, derive, mix};
use crate::similarity::Fingerprint;
use crate::store::{AttemptRow, DatasetRow, HeldoutRow, ModelRow, PuzzleRow, StageTime, Store};
use crate::tune::{ModelOpener, TuneJob, Tuner};
use crate::validate::{PuzzleTest, Rejection, validate};
use crate::{SelfplayError, export};
use crucible_eval::{reply_code, solve_prompt};
use crucible_model::{
    ChatMessage, Completion, GenerationRequest, Generator, ModelError, SamplingParams,
};
use crucible_problems::Problem;
use crucible_sandbox::Sandbox;
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;
use tokio::sync::mpsc;

/// Difficulties sampled for proposals.
const DIFFICULTIES: [&str; 3] = ["easy", "medium", "hard"];

/// Training examples left out: the task each came from, with the evaluation problem it
/// overlaps.
pub type Overlaps = Vec<(i64, String)>;

/// What a running campaign reports (for progress bars and logs).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A round began (or resumed with `committed` puzzles already done).
    RoundStarted {
        /// Round number.
        round: u32,
        /// Puzzles in the round.
        puzzles: u32,
        /// Puzzles already committed.
        committed: u32,
    },
    /// A proposal was validated and committed.
    PuzzleCommitted {
        /// Round number.
        round: u32,
        /// Its slot.
        slot: u32,
        /// `None` when valid, else the rejection reason.
        rejection: Option<String>,
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
    /// The round's datasets were written.
    RoundFinished {
        /// Round number.
        round: u32,
    },
    /// A line of training progress.
    Training {
        /// The round whose data is trained on.
        round: u32,
        /// `proposer` or `solver`.
        role: String,
        /// Loss, tokens/s, ...
        line: String,
    },
    /// A role's model for the next round is ready (`examples` = 0: nothing to train on, the
    /// model carries over).
    Trained {
        /// The round whose data it trained on.
        round: u32,
        /// `proposer` or `solver`.
        role: String,
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
    examples: Examples,
    /// The task pools (the seed set's train split among them with `seed_tasks_per_round`).
    pools: Vec<Pool>,
    /// The seed programs mutation proposals vary ([`crate::program::seed_programs`]).
    parents: Vec<String>,
    /// The `crucible serve` fleet that judges attempts (`judge_url`), if any.
    remote: Option<crucible_eval::RemoteJudge>,
    /// The evaluation sets of the held-out measurement.
    eval_sets: Vec<EvalSet>,
    /// Their n-grams: training examples that share one are left out.
    contamination: NgramIndex,
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
    /// (`config` = `None` resumes; a different `config` for an existing campaign is an error).
    pub fn open(
        dir: &Path,
        config: Option<&CampaignConfig>,
        sandbox: Sandbox,
    ) -> Result<Self, SelfplayError> {
        let store = Store::open(&Self::store_path(dir))?;
        let config = match (store.stored_config()?, config) {
            (Some(stored), Some(given)) if &stored != given => {
                return Err(SelfplayError::Config(format!(
                    "{} already holds a campaign with another configuration; resume it, or use a new directory",
                    dir.display()
                )));
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
        let examples = Examples::load(Path::new(&config.seed_set), config.language)?;
        let pools = campaign_pools(&config)?;
        let parents = if config.mutation > 0.0 {
            let problems: Vec<&Problem> = pools.iter().flat_map(|p| &p.problems).collect();
            crate::program::seed_programs(&problems)
        } else {
            Vec::new()
        };
        let eval_sets = eval_sets(&config)?;
        let remote = config.remote_judge()?;
        let mut contamination = NgramIndex::default();
        for set in &eval_sets {
            contamination.add_problems(&set.name, &set.problems);
        }
        Ok(Campaign {
            dir: dir.to_path_buf(),
            store,
            config,
            sandbox,
            examples,
            pools,
            parents,
            remote,
            eval_sets,
            contamination,
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

    /// Runs every unfinished step: the held-out baseline, then each round, the training after
    /// it and the held-out evaluation of its tuned solver. Models are opened through `models`
    /// when a round needs them (one model serves both roles when they name the same one);
    /// `tuner` trains between rounds when `training.enabled` (`None`: no training).
    pub fn run(
        &mut self,
        models: &mut dyn ModelOpener,
        mut tuner: Option<&mut dyn Tuner>,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<(), SelfplayError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SelfplayError::io(&self.dir, e))?;
        let mut held = Held::new(models);
        let training = self.config.training.enabled && tuner.is_some();
        if let (true, Some(tuner)) = (training, tuner.as_deref()) {
            self.check_trainable(tuner)?;
        }
        if training {
            self.heldout_after(0, &mut held, &runtime, on_event)?;
        }
        for round in 1..=self.config.rounds {
            if !self.store.round_finished(round)? {
                let (proposer_spec, solver_spec) = self.round_models(round)?;
                held.hold(&[&proposer_spec, &solver_spec])?;
                let (proposer, solver) = held.pair(&proposer_spec, &solver_spec)?;
                self.run_round_with(round, proposer, solver, &runtime, on_event)?;
                export::write_datasets(&self.store, &self.dir.join("datasets"))?;
                on_event(&Event::RoundFinished { round });
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
        on_event: &mut dyn FnMut(&Event),
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

    fn role_model(&self, round: u32, role: TrainRole) -> Result<String, SelfplayError> {
        for r in (2..=round).rev() {
            if let Some(row) = self.store.model(r, role.name())? {
                return Ok(row.spec);
            }
        }
        Ok(self.configured_model(role).to_string())
    }

    /// The model `role` is configured with (the base that training starts from).
    fn configured_model(&self, role: TrainRole) -> &str {
        match role {
            TrainRole::Proposer => &self.config.proposer.model,
            TrainRole::Solver => &self.config.solver.model,
        }
    }

    /// Fails early when a trained role's model cannot be trained.
    fn check_trainable(&self, tuner: &dyn Tuner) -> Result<(), SelfplayError> {
        for role in &self.config.training.roles {
            let base = self.configured_model(*role);
            if crucible_model::is_url(base) {
                continue;
            }
            tuner
                .check(base)
                .map_err(|source| SelfplayError::Untrainable {
                    role: role.name().to_string(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Removes the merged model folders of rounds up to `round` that no later round samples
    /// with (about 1 GB each for the 0.5B model); their adapters and training data stay, and
    /// `crucible train merge` rebuilds them.
    fn remove_unused_models(&self, round: u32) -> Result<(), SelfplayError> {
        let (proposer, solver) = self.round_models(round + 1)?;
        for r in 1..=round {
            for role in [TrainRole::Proposer, TrainRole::Solver] {
                let model = self.role_dir(r, role).join("model");
                let spec = model.to_string_lossy();
                if model.is_dir() && spec != proposer && spec != solver {
                    std::fs::remove_dir_all(&model).map_err(|e| SelfplayError::io(&model, e))?;
                }
            }
        }
        Ok(())
    }

    /// Trains each configured role on its data after `round` (skipping roles already done);
    /// the results sample round `round + 1`.
    fn train_after(
        &mut self,
        round: u32,
        tuner: &mut dyn Tuner,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<(), SelfplayError> {
        for role in self.config.training.roles.clone() {
            if self.store.model(round + 1, role.name())?.is_some() {
                continue;
            }
            let started = Instant::now();
            let outcome = self.train_role(round, role, tuner, on_event)?;
            let row = ModelRow {
                seconds: started.elapsed().as_secs_f64(),
                ..outcome
            };
            on_event(&Event::Trained {
                round,
                role: role.name().to_string(),
                examples: row.examples,
                final_loss: row.final_loss,
            });
            self.store.set_model(&row)?;
        }
        Ok(())
    }

    /// Trains one role, or carries its model over when there is nothing to train on.
    fn train_role(
        &self,
        round: u32,
        role: TrainRole,
        tuner: &mut dyn Tuner,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<ModelRow, SelfplayError> {
        let settings = &self.config.training;
        let base = self.configured_model(role);
        let first = match settings.mode {
            TrainMode::Restart => 1,
            TrainMode::Continue => round,
        };
        let rows = self.store.dataset_rounds(role.name(), first, round)?;
        let carried = ModelRow {
            round: round + 1,
            role: role.name().to_string(),
            spec: self.role_model(round, role)?,
            examples: 0,
            final_loss: None,
            seconds: 0.0,
        };
        if rows.is_empty() || crucible_model::is_url(base) {
            return Ok(carried);
        }
        let dir = self.role_dir(round, role);
        std::fs::create_dir_all(&dir).map_err(|e| SelfplayError::io(&dir, e))?;
        let data = dir.join("train.jsonl");
        export::write_lines(&data, &rows)?;
        // Continue from the latest adapter of an earlier round (rounds without data have none).
        let previous = (1..round)
            .rev()
            .map(|r| self.role_dir(r, role).join("adapter"))
            .find(|dir| dir.join("adapter_config.json").is_file());
        let init_adapter = previous
            .as_deref()
            .filter(|_| settings.mode == TrainMode::Continue);
        let (adapter_dir, model_dir) = (dir.join("adapter"), dir.join("model"));
        let job = TuneJob {
            role,
            round,
            base,
            data: &data,
            init_adapter,
            adapter_dir: &adapter_dir,
            model_dir: &model_dir,
            settings,
            seed: Stream::Training.seed(&[self.config.seed, u64::from(round), role as u64]),
        };
        let role_name = role.name().to_string();
        let tuned = tuner
            .tune(&job, &mut |line| {
                on_event(&Event::Training {
                    round,
                    role: role_name.clone(),
                    line: line.to_string(),
                })
            })
            .map_err(|source| SelfplayError::Training {
                role: role_name.clone(),
                round,
                source,
            })?;
        if tuned.examples == 0 {
            return Ok(carried);
        }
        Ok(ModelRow {
            spec: model_dir.to_string_lossy().into_owned(),
            examples: tuned.examples as u64,
            final_loss: tuned.final_loss,
            ..carried
        })
    }

    /// `DIR/models/round-N/ROLE`: training data, adapter and merged model of one role.
    fn role_dir(&self, round: u32, role: TrainRole) -> PathBuf {
        self.dir
            .join("models")
            .join(format!("round-{round}"))
            .join(role.name())
    }

    /// Evaluates the solver that samples round `round + 1` on each evaluation set (unless done,
    /// or turned off); an unchanged solver's earlier score is reused.
    fn heldout_after(
        &mut self,
        round: u32,
        held: &mut Held<'_>,
        runtime: &tokio::runtime::Runtime,
        on_event: &mut dyn FnMut(&Event),
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
                    on_event(&Event::HeldoutStarted {
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
                            on_event(&Event::HeldoutProgress {
                                round,
                                set: name.clone(),
                                done: done as u32,
                                total: total as u32,
                            })
                        },
                    )?
                }
            };
            on_event(&Event::Heldout {
                round,
                set: set.name.clone(),
                scores: row.scores(),
                problems: row.problems as u32,
            });
            self.store.set_heldout(&row)?;
        }
        Ok(())
    }

    async fn run_round(
        &mut self,
        round: u32,
        queue: &JobQueue,
        mut results: mpsc::UnboundedReceiver<ModelDone>,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<(), SelfplayError> {
        self.store.start_round(round)?;
        let committed = self.store.committed_slots(round)?;
        let mut pending: VecDeque<u32> = (0..self.config.puzzles_per_round)
            .filter(|s| !committed.contains(s))
            .collect();
        on_event(&Event::RoundStarted {
            round,
            puzzles: self.config.puzzles_per_round,
            committed: committed.len() as u32,
        });
        let mut meta = BTreeMap::new();
        for &slot in &pending {
            let proposal = self.proposal(round, slot);
            queue.push(proposal.job(&self.config), false);
            meta.insert(slot, proposal);
        }
        self.commit_pool_tasks(round)?;
        let mut outstanding = 0usize;
        for puzzle in self.store.unsolved(round)? {
            queue.push(self.solve_job(&puzzle)?, true);
            outstanding += 1;
        }
        let mut fingerprints: Vec<(i64, Fingerprint)> = self.store.valid_fingerprints()?;
        let (vtx, mut vrx) = mpsc::unbounded_channel::<(u32, Result<Checked, SelfplayError>)>();
        let (jtx, mut jrx) = mpsc::unbounded_channel::<(i64, Result<Judged, SelfplayError>)>();
        let mut ready: BTreeMap<u32, Checked> = BTreeMap::new();
        // Pool tasks whose first samples all failed, waiting for their retry's.
        let mut retrying: BTreeMap<i64, Judged> = BTreeMap::new();
        let mut clock = Clock::start();
        while !pending.is_empty() || outstanding > 0 {
            tokio::select! {
                done = results.recv() => {
                    let done = done.ok_or_else(|| SelfplayError::Config("the model worker stopped".into()))?;
                    match done.key {
                        JobKey::Propose(slot) => {
                            let proposal = meta.get(&slot).cloned().ok_or_else(|| SelfplayError::Config(format!("unknown slot {slot}")))?;
                            self.spawn_check(proposal, done, vtx.clone());
                        }
                        JobKey::Solve(id) => self.spawn_judge(id, 0, done, jtx.clone())?,
                        JobKey::Retry(id) => {
                            let first = retrying.get(&id).map_or(0, |j| j.attempts.len() as u32);
                            self.spawn_judge(id, first, done, jtx.clone())?
                        }
                    }
                }
                Some((slot, checked)) = vrx.recv() => {
                    ready.insert(slot, checked?);
                    while let Some(slot) = pending.front().copied() {
                        let Some(checked) = ready.remove(&slot) else { break };
                        pending.pop_front();
                        let (row, valid) = self.commit_proposal(round, checked, &mut fingerprints, &mut clock)?;
                        on_event(&Event::PuzzleCommitted { round, slot, rejection: row.rejection.as_ref().map(|r| r.0.clone()) });
                        if valid {
                            queue.push(self.solve_job(&row)?, true);
                            outstanding += 1;
                        }
                    }
                }
                Some((id, judged)) = jrx.recv() => {
                    let judged = match retrying.remove(&id) {
                        Some(first) => first.then(judged?),
                        None => judged?,
                    };
                    let puzzle = self.store.puzzle(id)?.ok_or_else(|| SelfplayError::Config(format!("puzzle {id} is not in the store")))?;
                    let retry = self.config.task_retry(puzzle.task.as_ref().map(|t| t.pool.as_str()));
                    if retry > 0 && judged.all_failed() && judged.attempts.len() as u32 == self.attempts_for(&puzzle) {
                        queue.push(self.retry_job(&puzzle, retry)?, true);
                        retrying.insert(id, judged);
                        continue;
                    }
                    let mut time = judged.time;
                    clock.lap(&mut time);
                    let score = score(&judged.attempts, puzzle.kind == PuzzleKind::Stdio.name());
                    let unsolved = unsolved_rejection(&puzzle, &judged.attempts)?;
                    let rejection = unsolved.as_ref().map(|(r, d)| (*r, d.as_str()));
                    self.store.commit_attempts(id, &judged.attempts, &score, &time, rejection)?;
                    outstanding -= 1;
                    on_event(&Event::PuzzleSolved {
                        round,
                        accepted: judged.attempts.iter().filter(|a| a.accepted()).count() as u32,
                        attempts: judged.attempts.len() as u32,
                    });
                }
            }
        }
        let mut time = StageTime::default();
        clock.lap(&mut time);
        let (rows, contaminated) = self.dataset_rows(round)?;
        if !contaminated.is_empty() {
            on_event(&Event::Decontaminated {
                round,
                examples: contaminated,
            });
        }
        self.store.finish_round(round, &rows, &time)?;
        Ok(())
    }

    /// Commits round `round`'s pool tasks (once: a resumed round finds them committed), in the
    /// slots after the proposals', pool after pool.
    fn commit_pool_tasks(&mut self, round: u32) -> Result<(), SelfplayError> {
        let mut rows = Vec::new();
        for pool in &self.pools {
            for problem in pool.window(round) {
                rows.push(PuzzleRow {
                    id: 0,
                    round,
                    slot: self.config.puzzles_per_round + rows.len() as u32,
                    kind: task_kind(problem).into(),
                    topic: format!("pool {}", pool.config.name),
                    difficulty: problem
                        .difficulty
                        .map_or("-".to_string(), |d| d.name().to_string()),
                    seed: 0,
                    prompt: String::new(),
                    reply: String::new(),
                    rejection: None,
                    title: Some(problem.id.clone()),
                    statement: Some(problem.statement.clone()),
                    draft: None,
                    tests: None,
                    fingerprint: None,
                    seed_task: true,
                    task: Some(TaskRef {
                        pool: pool.config.name.clone(),
                        id: problem.id.clone(),
                    }),
                });
            }
        }
        for row in rows {
            self.store.commit_puzzle(&row, &StageTime::default())?;
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
            &self.config,
        ))
    }

    /// The pool a task came from (`None` for proposals).
    fn pool_of(&self, puzzle: &PuzzleRow) -> Option<&Pool> {
        let task = puzzle.task.as_ref()?;
        self.pools.iter().find(|p| p.config.name == task.pool)
    }

    /// Attempts per task: its pool's samples, else `attempts`.
    fn attempts_for(&self, puzzle: &PuzzleRow) -> u32 {
        self.config
            .task_attempts(puzzle.task.as_ref().map(|t| t.pool.as_str()))
    }

    fn proposal(&self, round: u32, slot: u32) -> Proposal {
        let seed = Stream::Proposal.seed(&[self.config.seed, u64::from(round), u64::from(slot)]);
        let kind = self.config.kinds[slot as usize % self.config.kinds.len()];
        let topic =
            self.config.topics[(mix(seed ^ 11) % self.config.topics.len() as u64) as usize].clone();
        let difficulty = DIFFICULTIES[(mix(seed ^ 13) % DIFFICULTIES.len() as u64) as usize];
        let mut pick_state = seed ^ 17;
        let examples = self.examples.pick(kind, self.config.few_shot, || {
            pick_state = mix(pick_state);
            pick_state
        });
        let parent = self.parent(kind, seed);
        let topic = match parent {
            Some(_) => "variant of a seed program".to_string(),
            None => topic,
        };
        let prompt = propose_prompt(
            kind,
            &topic,
            difficulty,
            self.config.language,
            &examples,
            parent.as_deref(),
        );
        Proposal {
            slot,
            seed,
            kind,
            topic,
            difficulty: difficulty.to_string(),
            prompt,
            parent,
        }
    }

    /// The seed program a proposal varies: for a `mutation` share of program-first proposals
    /// (chosen by the proposal's seed), one of the campaign's seed programs.
    fn parent(&self, kind: PuzzleKind, seed: u64) -> Option<String> {
        let mutate = (mix(seed ^ 19) % 1_000_000) as f64 / 1_000_000.0 < self.config.mutation;
        if !kind.program_first() || !mutate || self.parents.is_empty() {
            return None;
        }
        let pick = (mix(seed ^ 23) % self.parents.len() as u64) as usize;
        Some(self.parents[pick].clone())
    }

    /// The task's first k samples.
    fn solve_job(&self, puzzle: &PuzzleRow) -> Result<Job, SelfplayError> {
        let n = self.attempts_for(puzzle);
        self.sample_job(puzzle, JobKey::Solve(puzzle.id), n, Stream::Solve)
    }

    /// `n` more samples for a pool task none of whose first samples passed, from a seed of
    /// their own.
    fn retry_job(&self, puzzle: &PuzzleRow, n: u32) -> Result<Job, SelfplayError> {
        self.sample_job(puzzle, JobKey::Retry(puzzle.id), n, Stream::Retry)
    }

    /// `n` solver samples for a task, seeded from the task's round and slot and `stream`.
    fn sample_job(
        &self,
        puzzle: &PuzzleRow,
        key: JobKey,
        n: u32,
        stream: Stream,
    ) -> Result<Job, SelfplayError> {
        let problem = self.task_problem(puzzle)?;
        let (prompt, _) = solve_prompt(&problem, self.config.language);
        let seed = stream.seed(&[
            self.config.seed,
            u64::from(puzzle.round),
            u64::from(puzzle.slot),
        ]);
        Ok(Job {
            key,
            solver: true,
            request: GenerationRequest {
                messages: vec![ChatMessage::user(prompt)],
                n: n as usize,
                sampling: self.config.solver_sampling(seed),
            },
        })
    }

    /// Parses and validates a proposal on a sandbox task.
    fn spawn_check(
        &self,
        proposal: Proposal,
        done: ModelDone,
        tx: mpsc::UnboundedSender<(u32, Result<Checked, SelfplayError>)>,
    ) {
        let sandbox = self.sandbox.clone();
        let lang = self.config.language;
        let limits = self.config.limits.clone();
        let busy = self.validate_busy.enter();
        tokio::spawn(async move {
            let slot = proposal.slot;
            // A model failure (server down, ...) stops the round: resuming retries the slot,
            // where recording it as a rejection would lose the slot for good.
            let outcome = match done.result {
                Err(e) => Err(SelfplayError::Model(e)),
                Ok(mut completions) if !completions.is_empty() => {
                    let reply = completions.swap_remove(0).text;
                    match parse_reply(&reply, proposal.kind, lang) {
                        Err(problem) => Ok((reply, Err(Rejection::new(problem.reason(), "")))),
                        Ok(mut draft) => {
                            draft.set_parent(proposal.parent.clone());
                            validate(&sandbox, &mut draft, lang, &limits)
                                .await
                                .map(|v| (reply, v.map(|tests| (draft, tests))))
                        }
                    }
                }
                Ok(_) => Ok((
                    String::new(),
                    Err(Rejection::new(
                        "format_no_code",
                        "the model returned no completion",
                    )),
                )),
            };
            let checked = outcome.map(|(reply, outcome)| Checked {
                proposal,
                reply,
                outcome,
                time: StageTime {
                    propose: done.seconds,
                    validate: busy.finish(),
                    ..StageTime::default()
                },
            });
            let _ = tx.send((slot, checked));
        });
    }

    /// Judges a task's attempts on a sandbox task.
    fn spawn_judge(
        &self,
        id: i64,
        first_idx: u32,
        done: ModelDone,
        tx: mpsc::UnboundedSender<(i64, Result<Judged, SelfplayError>)>,
    ) -> Result<(), SelfplayError> {
        let puzzle = self
            .store
            .puzzle(id)?
            .ok_or_else(|| SelfplayError::Config(format!("puzzle {id} is not in the store")))?;
        let problem = self.task_problem(&puzzle)?;
        let (_, lang) = solve_prompt(&problem, self.config.language);
        let sandbox = self.sandbox.clone();
        let remote = self.remote.clone();
        let limits = self.config.limits.limits();
        let busy = self.judge_busy.enter();
        tokio::spawn(async move {
            let completions = match done.result {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send((id, Err(SelfplayError::Model(e))));
                    return;
                }
            };
            let attempts = completions
                .into_iter()
                .enumerate()
                .map(|(idx, completion)| Attempt {
                    idx: first_idx + idx as u32,
                    code: reply_code(&problem, &completion.text, lang),
                    reply: completion.text,
                })
                .collect();
            let judged = judge_attempts(&sandbox, remote, &problem, lang, limits, attempts)
                .await
                .map(|attempts| Judged {
                    attempts,
                    time: StageTime {
                        solve: done.seconds,
                        judge: busy.finish(),
                        ..StageTime::default()
                    },
                });
            let _ = tx.send((id, judged));
        });
        Ok(())
    }

    /// Commits a checked proposal, applying the copy and near-duplicate checks.
    fn commit_proposal(
        &mut self,
        round: u32,
        checked: Checked,
        fingerprints: &mut Vec<(i64, Fingerprint)>,
        clock: &mut Clock,
    ) -> Result<(PuzzleRow, bool), SelfplayError> {
        let Checked {
            proposal,
            reply,
            outcome,
            mut time,
        } = checked;
        let mut row = PuzzleRow {
            id: 0,
            round,
            slot: proposal.slot,
            kind: proposal.kind.name().into(),
            topic: proposal.topic,
            difficulty: proposal.difficulty,
            seed: proposal.seed,
            prompt: proposal.prompt,
            reply,
            rejection: None,
            title: None,
            statement: None,
            draft: None,
            tests: None,
            fingerprint: None,
            seed_task: false,
            task: None,
        };
        match outcome {
            Err(r) => row.rejection = Some((r.reason.to_string(), r.detail)),
            Ok((draft, tests)) => {
                let fingerprint = Fingerprint::of(draft.fingerprint_text());
                row.rejection = self.duplicate_check(&draft, &fingerprint, fingerprints);
                row.title = match &draft {
                    Draft::Stdio(d) => Some(d.title.clone()),
                    _ => None,
                };
                row.statement = Some(draft.fingerprint_text().to_string());
                row.draft = serde_json::to_string(&draft).ok();
                row.tests = serde_json::to_string(&tests).ok();
                row.fingerprint = Some(fingerprint);
            }
        }
        clock.lap(&mut time);
        row.id = self.store.commit_puzzle(&row, &time)?;
        let valid = row.rejection.is_none();
        if valid && let Some(f) = &row.fingerprint {
            fingerprints.push((row.id, f.clone()));
        }
        Ok((row, valid))
    }

    fn duplicate_check(
        &self,
        draft: &Draft,
        fingerprint: &Fingerprint,
        earlier: &[(i64, Fingerprint)],
    ) -> Option<(String, String)> {
        let threshold = self.config.near_duplicate_threshold;
        if let Some(parent) = draft.parent() {
            let similarity = Fingerprint::of(parent).similarity(fingerprint);
            if similarity >= threshold {
                return Some((
                    "copied_parent".into(),
                    format!("similarity {similarity:.2} to the seed program it was to vary"),
                ));
            }
        }
        let copied = self.examples.closest(draft.kind(), fingerprint);
        if copied >= threshold {
            return Some((
                "copied_example".into(),
                format!("similarity {copied:.2} to a seed-set example"),
            ));
        }
        earlier
            .iter()
            .map(|(id, f)| (id, f.similarity(fingerprint)))
            .filter(|(_, s)| *s >= threshold)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(id, s)| {
                (
                    "near_duplicate".into(),
                    format!("similarity {s:.2} to puzzle {id}"),
                )
            })
    }

    /// The control for what verification adds: `count` solver examples drawn from every
    /// attempt with a program (accepted or not) at every judged task so far, in the format of
    /// the verified examples, decontaminated the same way.
    pub fn unverified_examples(&self, count: usize) -> Result<Vec<String>, SelfplayError> {
        let mut candidates = Vec::new();
        for round in self.store.rounds()? {
            for puzzle in self.store.puzzles(round)? {
                if self.store.score(puzzle.id)?.is_none() {
                    continue;
                }
                let problem = self.task_problem(&puzzle)?;
                let (prompt, lang) = solve_prompt(&problem, self.config.language);
                if self.contamination.overlap(&prompt).is_some() {
                    continue;
                }
                for attempt in self.store.attempts(puzzle.id)? {
                    let Some(code) = attempt.code.as_deref() else {
                        continue;
                    };
                    if self.contamination.overlap(code).is_none() {
                        let key = mix(derive(&[puzzle.id as u64, u64::from(attempt.idx)]));
                        candidates.push((key, messages_json(&prompt, &solver_answer(code, lang))));
                    }
                }
            }
        }
        candidates.sort_by_key(|(key, _)| *key);
        Ok(candidates
            .into_iter()
            .take(count)
            .map(|(_, line)| line)
            .collect())
    }

    /// Dataset rows for every solved task of a round, and the examples left out because they
    /// overlap an evaluation set (`task id → evaluation problem`).
    fn dataset_rows(&self, round: u32) -> Result<(Vec<DatasetRow>, Overlaps), SelfplayError> {
        let mut rows = Vec::new();
        let mut contaminated = Vec::new();
        let overlap = |text: &str| self.contamination.overlap(text).map(str::to_string);
        for puzzle in self.store.puzzles(round)? {
            let Some(score) = self.store.score(puzzle.id)? else {
                continue;
            };
            let problem = self.task_problem(&puzzle)?;
            let (prompt, lang) = solve_prompt(&problem, self.config.language);
            if let Some(hit) = overlap(&prompt) {
                contaminated.push((puzzle.id, hit));
                continue;
            }
            let mut attempts: Vec<AttemptRow> = self.store.attempts(puzzle.id)?;
            attempts.retain(|a| match a.code.as_deref().and_then(&overlap) {
                Some(hit) => {
                    contaminated.push((puzzle.id, hit));
                    false
                }
                None => true,
            });
            if let Some(pool) = self.pool_of(&puzzle)
                && pool.config.band
                && !score.learnable
            {
                continue;
            }
            rows.extend(solver_rows(
                &puzzle,
                &prompt,
                &attempts,
                lang,
                self.config.max_pairs_per_puzzle as usize,
            ));
            if puzzle.seed_task {
                continue;
            }
            let (mut draft, tests) = parsed(&puzzle)?;
            // A P3 puzzle that stood on solvability learns with the solver's answer as `sol`.
            if let Draft::P3(d) = &mut draft
                && d.sol.is_none()
            {
                d.sol = attempts
                    .iter()
                    .find(|a| a.accepted())
                    .and_then(|a| a.code.clone());
            }
            let written = format!("{}\n{}", draft.fingerprint_text(), draft.solution());
            if let Some(hit) = overlap(&written) {
                contaminated.push((puzzle.id, hit));
                continue;
            }
            rows.extend(proposer_row(
                &puzzle,
                &draft,
                &tests,
                &score,
                self.config.language,
            ));
        }
        Ok((rows, contaminated))
    }
}

/// A P3 proposal without a reference stands on solvability: when none of its attempts
/// satisfied `sat`, it is rejected as `unsolved`.
fn unsolved_rejection(
    puzzle: &PuzzleRow,
    attempts: &[AttemptRow],
) -> Result<Option<(&'static str, String)>, SelfplayError> {
    if puzzle.seed_task
        || puzzle.kind != PuzzleKind::P3.name()
        || attempts.iter().any(AttemptRow::accepted)
    {
        return Ok(None);
    }
    let (draft, _) = parsed(puzzle)?;
    Ok(draft.solution().is_empty().then(|| {
        (
            "unsolved",
            format!(
                "no reference, and none of {} attempts satisfied sat",
                attempts.len()
            ),
        )
    }))
}

/// The draft and tests stored with a valid puzzle.
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

/// What one proposal slot asks for.
#[derive(Debug, Clone)]
struct Proposal {
    slot: u32,
    seed: u64,
    kind: PuzzleKind,
    topic: String,
    difficulty: String,
    prompt: String,
    /// The seed program a mutation proposal varies.
    parent: Option<String>,
}

impl Proposal {
    fn job(&self, config: &CampaignConfig) -> Job {
        Job {
            key: JobKey::Propose(self.slot),
            solver: false,
            request: GenerationRequest {
                messages: vec![
                    ChatMessage::system(PROPOSER_SYSTEM),
                    ChatMessage::user(self.prompt.clone()),
                ],
                n: 1,
                // A program-first reply is one code block (the function, then its calls).
                sampling: SamplingParams {
                    stop_after_code_block: self.kind.program_first(),
                    ..config.proposer.sampling(self.seed)
                },
            },
        }
    }
}

/// A proposal after parsing and validation.
struct Checked {
    proposal: Proposal,
    reply: String,
    outcome: Result<(Draft, Vec<PuzzleTest>), Rejection>,
    time: StageTime,
}

/// A puzzle's judged attempts.
struct Judged {
    attempts: Vec<AttemptRow>,
    time: StageTime,
}

impl Judged {
    /// Whether a retry may add attempts: none of these passed.
    fn all_failed(&self) -> bool {
        !self.attempts.iter().any(AttemptRow::accepted)
    }

    /// These attempts followed by a retry's (numbered after them), the times added.
    fn then(mut self, retry: Judged) -> Judged {
        self.attempts.extend(retry.attempts);
        self.time.add(&retry.time);
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobKey {
    Propose(u32),
    Solve(i64),
    /// More samples for a pool task none of whose first samples passed.
    Retry(i64),
}

/// A request for the model thread.
struct Job {
    key: JobKey,
    solver: bool,
    request: GenerationRequest,
}

/// A finished request.
struct ModelDone {
    key: JobKey,
    result: Result<Vec<Completion>, ModelError>,
    seconds: f64,
}

/// Requests waiting for the model: solver requests first, then proposals.
#[derive(Default)]
struct JobQueue {
    state: Mutex<QueueState>,
    ready: Condvar,
}

#[derive(Default)]
struct QueueState {
    solve: VecDeque<Job>,
    propose: VecDeque<Job>,
    closed: bool,
}

impl JobQueue {
    fn push(&self, job: Job, solve: bool) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if solve {
            state.solve.push_back(job);
        } else {
            state.propose.push_back(job);
        }
        self.ready.notify_one();
    }

    fn close(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).closed = true;
        self.ready.notify_all();
    }

    /// Up to `batch` sequences' worth of jobs of one role (at least one job); empty once closed.
    fn take(&self, batch: usize) -> Vec<Job> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if state.closed {
                return Vec::new();
            }
            let from_solve = !state.solve.is_empty();
            let source = if from_solve {
                &mut state.solve
            } else {
                &mut state.propose
            };
            let mut jobs: Vec<Job> = Vec::new();
            let mut sequences = 0;
            while let Some(job) = source.front() {
                if !jobs.is_empty() && sequences + job.request.n > batch {
                    break;
                }
                sequences += job.request.n;
                jobs.extend(source.pop_front());
            }
            if !jobs.is_empty() {
                return jobs;
            }
            state = self.ready.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// The model thread: decodes queued requests in batches until the queue closes.
fn model_worker(
    queue: &JobQueue,
    proposer: &mut (dyn Generator + 'static),
    mut solver: Option<&mut (dyn Generator + 'static)>,
    batch: usize,
    results: &mpsc::UnboundedSender<ModelDone>,
) {
    loop {
        let jobs = queue.take(batch);
        if jobs.is_empty() {
            return;
        }
        let requests: Vec<GenerationRequest> = jobs.iter().map(|j| j.request.clone()).collect();
        let model: &mut dyn Generator = match (&mut solver, jobs[0].solver) {
            (Some(s), true) => &mut **s,
            _ => &mut *proposer,
        };
        let started = Instant::now();
        let outputs = model.generate_batch(&requests, &mut |_| {});
        let sequences: usize = requests.iter().map(|r| r.n).sum::<usize>().max(1);
        let per_sequence = started.elapsed().as_secs_f64() / sequences as f64;
        for (job, result) in jobs.into_iter().zip(outputs) {
            let done = ModelDone {
                key: job.key,
                result,
                seconds: per_sequence * job.request.n as f64,
            };
            if results.send(done).is_err() {
                return;
            }
        }
    }
}

/// The models currently loaded, one per distinct spec.
struct Held<'a> {
    opener: &'a mut dyn ModelOpener,
    open: Vec<(String, Box<dyn Generator>)>,
}

impl<'a> Held<'a> {
    fn new(opener: &'a mut dyn ModelOpener) -> Self {
        Held {
            opener,
            open: Vec::new(),
        }
    }

    /// Keeps exactly the models `specs` names loaded: drops the others (first, to free their
    /// memory), then opens what is missing.
    fn hold(&mut self, specs: &[&str]) -> Result<(), SelfplayError> {
        self.open.retain(|(spec, _)| specs.contains(&spec.as_str()));
        for spec in specs {
            if !self.open.iter().any(|(s, _)| s == spec) {
                let model = self.opener.open(spec)?;
                self.open.push((spec.to_string(), model));
            }
        }
        Ok(())
    }

    /// A held model.
    fn get(&mut self, spec: &str) -> Result<&mut (dyn Generator + 'static), SelfplayError> {
        self.open
            .iter_mut()
            .find(|(s, _)| s == spec)
            .map(|(_, model)| &mut **model)
            .ok_or_else(|| SelfplayError::Config(format!("model `{spec}` is not loaded")))
    }

    /// The proposer and, when it is another model, the solver (both must be held).
    #[allow(clippy::type_complexity)]
    fn pair(
        &mut self,
        proposer: &str,
        solver: &str,
    ) -> Result<
        (
            &mut (dyn Generator + 'static),
            Option<&mut (dyn Generator + 'static)>,
        ),
        SelfplayError,
    > {
        let mut found_proposer = None;
        let mut found_solver = None;
        for (spec, model) in self.open.iter_mut() {
            if spec == proposer {
                found_proposer = Some(&mut **model);
            } else if spec == solver {
                found_solver = Some(&mut **model);
            }
        }
        let proposer = found_proposer
            .ok_or_else(|| SelfplayError::Config(format!("model `{proposer}` is not loaded")))?;
        Ok((proposer, found_solver))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn job(n: usize, solver: bool) -> Job {
        Job {
            key: JobKey::Propose(0),
            solver,
            request: GenerationRequest {
                messages: Vec::new(),
                n,
                sampling: crucible_model::SamplingParams::default(),
            },
        }
    }

    #[test]
    fn queue_serves_solver_requests_first_within_the_batch() {
        let q = JobQueue::default();
        for _ in 0..5 {
            q.push(job(1, false), false);
        }
        q.push(job(4, true), true);
        q.push(job(4, true), true);
        q.push(job(4, true), true);
        let first = q.take(8);
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|j| j.solver));
        assert_eq!(q.take(8).len(), 1);
        assert_eq!(q.take(3).len(), 3);
        assert_eq!(q.take(3).len(), 2);
        q.close();
        assert!(q.take(3).is_empty());
    }
}
