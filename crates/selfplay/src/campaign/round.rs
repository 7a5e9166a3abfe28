//! One round's work: the proposals and pool tasks queued for the model, their validation
//! and judging on sandbox tasks, and the commits in slot order.

use super::repair::{Flaw, Outcome, standing};
use super::scheduler::{Job, JobKey, JobQueue, ModelDone};
use super::{Campaign, CampaignEvent, Clock, parsed};
use crate::SelfplayError;
use crate::config::{CampaignConfig, LimitsConfig, PuzzleKind, TaskKind};
use crate::judge::{Attempt, judge_attempts, score};
use crate::pools::{TaskRef, task_kind};
use crate::program::parse_program;
use crate::puzzle::{Draft, MIN_DESCRIPTION_WORDS, P3Draft, parse_reply};
use crate::seeds::{Stream, mix};
use crate::similarity::Fingerprint;
use crate::store::{AttemptRow, FEEDBACK_MARK, PuzzleRow, StageTime};
use crate::validate::{same_puzzle_as, validate};
use crate::verdicts::{FormatProblem, Reason, Rejection};
use crucible_eval::prompts::{
    P3_CHANGES, PROPOSER_SYSTEM, describe_instruction, idea_instruction, propose_prompt,
    read_description, reply_code, solve_prompt, variant_idea_instruction, with_examples,
};
use crucible_model::{ChatMessage, Completion, GenerationRequest, ModelError, SamplingParams};
use crucible_sandbox::{Language, Sandbox};
use std::collections::{BTreeMap, VecDeque};
use tokio::sync::mpsc;

/// Difficulties sampled for proposals.
const DIFFICULTIES: [&str; 3] = ["easy", "medium", "hard"];

impl Campaign {
    pub(super) async fn run_round(
        &mut self,
        round: u32,
        queue: &JobQueue,
        mut results: mpsc::UnboundedReceiver<ModelDone>,
        on_event: &mut dyn FnMut(&CampaignEvent),
    ) -> Result<(), SelfplayError> {
        self.store.start_round(round)?;
        let committed = self.store.committed_slots(round)?;
        let mut pending: VecDeque<u32> = (0..self.config.puzzles_per_round)
            .filter(|s| !committed.contains(s))
            .collect();
        on_event(&CampaignEvent::RoundStarted {
            round,
            puzzles: self.config.puzzles_per_round,
            // Pool tasks take the slots after the proposals': only proposals count here.
            committed: self.config.puzzles_per_round - pending.len() as u32,
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
        let (vtx, mut vrx) =
            mpsc::unbounded_channel::<(u32, Result<Vec<Checked>, SelfplayError>)>();
        let (jtx, mut jrx) = mpsc::unbounded_channel::<(i64, Result<Judged, SelfplayError>)>();
        let mut ready: BTreeMap<u32, Checked> = BTreeMap::new();
        // Valid induction programs waiting for the proposer's description of them.
        let mut describing: BTreeMap<u32, Checked> = BTreeMap::new();
        // P3 proposals waiting for the reply to a feedback turn: the best draft so far.
        let mut repairing: BTreeMap<u32, Checked> = BTreeMap::new();
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
                        JobKey::Idea(slot) => {
                            let proposal = meta.get_mut(&slot).ok_or_else(|| SelfplayError::Config(format!("unknown slot {slot}")))?;
                            match proposal.take_idea(done)? {
                                Some(no_idea) => { let _ = vtx.send((slot, Ok(vec![no_idea]))); }
                                None => queue.push(proposal.job(&self.config), false),
                            }
                        }
                        JobKey::Describe(slot) => {
                            let checked = describing.remove(&slot).ok_or_else(|| SelfplayError::Config(format!("slot {slot} was not being described")))?;
                            let _ = vtx.send((slot, described(checked, done).map(|c| vec![c])));
                        }
                        JobKey::Solve(id) => self.spawn_judge(id, 0, done, jtx.clone())?,
                        JobKey::Retry(id) => {
                            let first = retrying.get(&id).map_or(0, |j| j.attempts.len() as u32);
                            self.spawn_judge(id, first, done, jtx.clone())?
                        }
                    }
                }
                Some((slot, drafts)) = vrx.recv() => {
                    let threshold = self.config.near_duplicate_threshold;
                    let closeness = |outcome: &Outcome| self.closeness(outcome, &fingerprints);
                    let latest = best_draft(drafts?, closeness, threshold)
                        .ok_or_else(|| SelfplayError::Config(format!("slot {slot} came back without a draft")))?;
                    // A flaw means the latest draft's `sol` does not hold, nor did any earlier
                    // one's (a draft whose `sol` held was not sent back).
                    let flaw = Flaw::of(latest.proposal.kind, &latest.outcome);
                    let checked = match repairing.remove(&slot) {
                        Some(earlier) => earlier.then(latest),
                        None => latest,
                    };
                    if let Some(flaw) = flaw
                        && checked.proposal.turns.len() < self.config.repairs as usize
                    {
                        let proposal = meta.get_mut(&slot).ok_or_else(|| SelfplayError::Config(format!("unknown slot {slot}")))?;
                        proposal.turns.push(Turn { reply: checked.reply.clone(), feedback: flaw.feedback() });
                        queue.push(proposal.job(&self.config), false);
                        repairing.insert(slot, checked);
                        continue;
                    }
                    if checked.needs_description() {
                        queue.push(checked.describe_job(&self.config), false);
                        describing.insert(slot, checked);
                        continue;
                    }
                    ready.insert(slot, checked);
                    while let Some(slot) = pending.front().copied() {
                        let Some(checked) = ready.remove(&slot) else { break };
                        pending.pop_front();
                        let (row, valid) = self.commit_proposal(round, checked, &mut fingerprints, &mut clock)?;
                        on_event(&CampaignEvent::PuzzleCommitted { round, slot, rejection: row.rejection.as_ref().map(|r| r.reason.clone()) });
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
                    let score = score(&judged.attempts, puzzle.kind == TaskKind::Puzzle(PuzzleKind::Stdio));
                    let unsolved = unsolved_rejection(&puzzle, &judged.attempts)?;
                    self.store.commit_attempts(id, &judged.attempts, &score, &time, unsolved.as_ref())?;
                    outstanding -= 1;
                    on_event(&CampaignEvent::PuzzleSolved {
                        round,
                        accepted: judged.attempts.iter().filter(|a| a.accepted()).count() as u32,
                        attempts: judged.attempts.len() as u32,
                    });
                }
            }
        }
        let mut time = StageTime::default();
        clock.lap(&mut time);
        let data = self.dataset_rows(round)?;
        if !data.contaminated.is_empty() {
            on_event(&CampaignEvent::Decontaminated {
                round,
                examples: data.contaminated,
            });
        }
        if !data.repeats.is_empty() {
            on_event(&CampaignEvent::Repeats {
                round,
                puzzles: data.repeats,
            });
        }
        self.store.finish_round(round, &data.rows, &time)?;
        Ok(())
    }

    /// Commits round `round`'s pool tasks (once: a resumed round finds them committed), in the
    /// slots after the proposals', pool after pool.
    fn commit_pool_tasks(&mut self, round: u32) -> Result<(), SelfplayError> {
        let mut rows = Vec::new();
        for pool in &self.pools {
            for problem in pool.window(round) {
                let slot = self.config.puzzles_per_round + rows.len() as u32;
                rows.push(PuzzleRow {
                    topic: format!("pool {}", pool.config.name),
                    difficulty: problem
                        .difficulty
                        .map_or("-".to_string(), |d| d.name().to_string()),
                    title: Some(problem.id.clone()),
                    statement: Some(problem.statement.clone()),
                    seed_task: true,
                    task: Some(TaskRef {
                        pool: pool.config.name.clone(),
                        id: problem.id.clone(),
                    }),
                    ..PuzzleRow::empty(round, slot, task_kind(problem))
                });
            }
        }
        for row in rows {
            self.store.commit_puzzle(&row, &StageTime::default())?;
        }
        Ok(())
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
        let topic = match (&parent, kind) {
            // The change a P3 mutation makes, named in its prompt.
            (Some(_), PuzzleKind::P3) => {
                P3_CHANGES[(mix(seed ^ 29) % P3_CHANGES.len() as u64) as usize].to_string()
            }
            (Some(_), _) => "variant of a seed program".to_string(),
            (None, _) => topic,
        };
        let examples: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
        let answer_type = match (&parent, kind, self.config.answer_types.len() as u64) {
            (None, PuzzleKind::P3, n) if n > 0 => {
                Some(self.config.answer_types[(mix(seed ^ 31) % n) as usize].as_str())
            }
            _ => None,
        };
        let prompt = match &parent {
            // A program-first mutation first names its variant, the seed shown (no examples).
            Some(parent) if kind.program_first() => variant_idea_instruction(parent, difficulty),
            _ => propose_prompt(
                kind.layout(),
                &topic,
                difficulty,
                self.config.language,
                &examples.iter().map(String::as_str).collect::<Vec<_>>(),
                parent.as_deref(),
                answer_type,
            ),
        };
        Proposal {
            slot,
            seed,
            kind,
            topic,
            difficulty: difficulty.to_string(),
            prompt,
            parent,
            examples,
            idea: None,
            idea_seconds: 0.0,
            turns: Vec::new(),
        }
    }

    /// What a proposal varies: for a `mutation` share of program-first and P3 proposals
    /// (chosen by the proposal's seed), one of the campaign's seed programs or seed puzzles.
    fn parent(&self, kind: PuzzleKind, seed: u64) -> Option<String> {
        let mutate = (mix(seed ^ 19) % 1_000_000) as f64 / 1_000_000.0 < self.config.mutation;
        let parents = match kind {
            PuzzleKind::P3 => &self.puzzle_parents,
            _ if kind.program_first() => &self.parents,
            _ => return None,
        };
        if !mutate || parents.is_empty() {
            return None;
        }
        let pick = (mix(seed ^ 23) % parents.len() as u64) as usize;
        Some(parents[pick].clone())
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

    /// Parses and validates each reply to a proposal's request (its `drafts`) on a sandbox
    /// task; the first carries the request's times.
    fn spawn_check(
        &self,
        proposal: Proposal,
        done: ModelDone,
        tx: mpsc::UnboundedSender<(u32, Result<Vec<Checked>, SelfplayError>)>,
    ) {
        let sandbox = self.sandbox.clone();
        let lang = self.config.language;
        let limits = self.config.limits.clone();
        let threshold = self.config.near_duplicate_threshold;
        let busy = self.validate_busy.enter();
        tokio::spawn(async move {
            let slot = proposal.slot;
            // A model failure (server down, ...) stops the round: resuming retries the slot,
            // where recording it as a rejection would lose the slot for good.
            let checked = match done.result {
                Err(e) => Err(SelfplayError::Model(e)),
                Ok(completions) => {
                    check_replies(&sandbox, &proposal, completions, lang, &limits, threshold).await
                }
            };
            let mut time = StageTime {
                propose: done.seconds + proposal.idea_seconds,
                validate: busy.finish(),
                ..StageTime::default()
            };
            let drafts = checked.map(|checked| {
                checked
                    .into_iter()
                    .map(|(reply, outcome)| Checked {
                        proposal: proposal.clone(),
                        reply,
                        outcome,
                        time: std::mem::take(&mut time),
                    })
                    .collect()
            });
            let _ = tx.send((slot, drafts));
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
        let limits = self.task_limits(&puzzle);
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

    /// Commits a checked proposal, applying the example-copy and near-duplicate checks (a copy
    /// of the seed a mutation was to vary was rejected before it ran, in `spawn_check`).
    fn commit_proposal(
        &mut self,
        round: u32,
        checked: Checked,
        fingerprints: &mut Vec<(i64, Fingerprint)>,
        clock: &mut Clock,
    ) -> Result<(PuzzleRow, bool), SelfplayError> {
        let prompt = checked.proposal.asked();
        let Checked {
            proposal,
            reply,
            outcome,
            mut time,
        } = checked;
        let reply = proposal.transcript(reply);
        let mut row = PuzzleRow {
            topic: proposal.topic,
            difficulty: proposal.difficulty,
            seed: proposal.seed,
            prompt,
            reply,
            ..PuzzleRow::empty(round, proposal.slot, proposal.kind.into())
        };
        match outcome {
            Err(r) => row.rejection = Some(r),
            Ok((draft, tests)) => {
                let fingerprint = draft.fingerprint();
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

    /// How close a checked draft is to the seed-set examples and the `earlier` valid puzzles
    /// (estimated Jaccard similarity, the nearest); 0 for a rejected one.
    fn closeness(&self, outcome: &Outcome, earlier: &[(i64, Fingerprint)]) -> f64 {
        let Ok((draft, _)) = outcome else { return 0.0 };
        let fingerprint = draft.fingerprint();
        let example = self.examples.closest(draft.kind(), &fingerprint);
        nearest(&fingerprint, earlier).map_or(example, |(_, s)| s.max(example))
    }

    fn duplicate_check(
        &self,
        draft: &Draft,
        fingerprint: &Fingerprint,
        earlier: &[(i64, Fingerprint)],
    ) -> Option<Rejection> {
        let threshold = self.config.near_duplicate_threshold;
        let copied = self.examples.closest(draft.kind(), fingerprint);
        if copied >= threshold {
            return Some(Rejection::new(
                Reason::CopiedExample,
                format!("similarity {copied:.2} to a seed-set example"),
            ));
        }
        nearest(fingerprint, earlier)
            .filter(|(_, s)| *s >= threshold)
            .map(|(id, s)| {
                Rejection::new(
                    Reason::NearDuplicate,
                    format!("similarity {s:.2} to puzzle {id}"),
                )
            })
    }
}

/// The `earlier` puzzle most like `fingerprint`, with its estimated Jaccard similarity.
fn nearest(fingerprint: &Fingerprint, earlier: &[(i64, Fingerprint)]) -> Option<(i64, f64)> {
    earlier
        .iter()
        .map(|(id, f)| (*id, f.similarity(fingerprint)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// The draft to keep of the replies to one request (`drafts`): the one that got furthest
/// ([`standing`]), a near-duplicate (`closeness` at or above `threshold`) counting as
/// rejected, then the least close; the first on ties. It carries the times of all of them.
fn best_draft(
    drafts: Vec<Checked>,
    closeness: impl Fn(&Outcome) -> f64,
    threshold: f64,
) -> Option<Checked> {
    let mut time = StageTime::default();
    let mut best: Option<(Checked, u8, f64)> = None;
    for draft in drafts {
        time.add(&draft.time);
        let close = closeness(&draft.outcome);
        let rank = if close >= threshold {
            0
        } else {
            standing(&draft.outcome)
        };
        let better = match &best {
            None => true,
            Some((_, best_rank, best_close)) => {
                rank > *best_rank || (rank == *best_rank && close < *best_close)
            }
        };
        if better {
            best = Some((draft, rank, close));
        }
    }
    best.map(|(mut draft, _, _)| {
        draft.time = time;
        draft
    })
}

/// Each reply to `proposal` parsed and validated, in order (a request answered with none is
/// a `format_no_code` rejection).
async fn check_replies(
    sandbox: &Sandbox,
    proposal: &Proposal,
    completions: Vec<Completion>,
    lang: Language,
    limits: &LimitsConfig,
    threshold: f64,
) -> Result<Vec<(String, Outcome)>, SelfplayError> {
    if completions.is_empty() {
        let none = Rejection::new(
            Reason::Format(FormatProblem::NoCode),
            "the model returned no completion",
        );
        return Ok(vec![(String::new(), Err(none))]);
    }
    let mut checked = Vec::new();
    for completion in completions {
        let outcome =
            check_reply(sandbox, proposal, &completion.text, lang, limits, threshold).await?;
        checked.push((completion.text, outcome));
    }
    Ok(checked)
}

/// One reply to `proposal` parsed and validated (a copy of the seed a mutation was to vary
/// is known without running it).
async fn check_reply(
    sandbox: &Sandbox,
    proposal: &Proposal,
    reply: &str,
    lang: Language,
    limits: &LimitsConfig,
    threshold: f64,
) -> Result<Outcome, SelfplayError> {
    let mut draft = match parse_proposal(reply, proposal.kind, lang) {
        Err(problem) => return Ok(Err(Rejection::new(Reason::Format(problem), ""))),
        Ok(draft) => draft,
    };
    draft.set_parent(proposal.parent.clone());
    draft.set_idea(proposal.idea.clone());
    if let Some(copy) = parent_copy(&draft, threshold) {
        return Ok(Err(copy));
    }
    let tests = match validate(sandbox, &mut draft, lang, limits).await? {
        Err(rejection) => return Ok(Err(rejection)),
        Ok(tests) => tests,
    };
    if let Some(copy) = example_copy(sandbox, &draft, &proposal.examples, limits).await? {
        return Ok(Err(copy));
    }
    Ok(Ok((draft, tests)))
}

/// The rejection of a P3 draft that is one of the examples its prompt showed written another
/// way ([`same_puzzle_as`]: each accepts the other's answer).
async fn example_copy(
    sandbox: &Sandbox,
    draft: &Draft,
    examples: &[String],
    limits: &LimitsConfig,
) -> Result<Option<Rejection>, SelfplayError> {
    let Draft::P3(p3) = draft else {
        return Ok(None);
    };
    let shown: Vec<(String, String)> = examples
        .iter()
        .filter_map(
            |text| match parse_reply(text, PuzzleKind::P3, Language::Python) {
                Ok(Draft::P3(P3Draft { sat, sol, .. })) => Some((sat, sol?)),
                _ => None,
            },
        )
        .collect();
    let same = same_puzzle_as(sandbox, p3, &shown, &limits.limits()).await?;
    Ok(same.map(|i| {
        Rejection::new(
            Reason::CopiedExample,
            format!(
                "the same puzzle as example {} of the prompt: each accepts the other's answer",
                i + 1
            ),
        )
    }))
}

/// The rejection of a mutation too close to the seed program or puzzle it was to vary (its
/// comments aside).
fn parent_copy(draft: &Draft, threshold: f64) -> Option<Rejection> {
    let similarity = Fingerprint::of_code(draft.parent()?).similarity(&draft.fingerprint());
    (similarity >= threshold).then(|| {
        Rejection::new(
            Reason::CopiedParent,
            format!("similarity {similarity:.2} to the seed it was to vary"),
        )
    })
}

/// A P3 proposal without a reference stands on solvability: when none of its attempts
/// satisfied `sat`, it is rejected as `unsolved`.
fn unsolved_rejection(
    puzzle: &PuzzleRow,
    attempts: &[AttemptRow],
) -> Result<Option<Rejection>, SelfplayError> {
    if puzzle.seed_task
        || puzzle.kind != TaskKind::Puzzle(PuzzleKind::P3)
        || attempts.iter().any(AttemptRow::accepted)
    {
        return Ok(None);
    }
    let (draft, _) = parsed(puzzle)?;
    Ok(draft.solution().is_empty().then(|| {
        Rejection::new(
            Reason::Unsolved,
            format!(
                "no reference, and none of {} attempts satisfied sat",
                attempts.len()
            ),
        )
    }))
}

/// What one proposal slot asks for.
#[derive(Debug, Clone)]
struct Proposal {
    slot: u32,
    seed: u64,
    kind: PuzzleKind,
    topic: String,
    difficulty: String,
    /// The proposer's (first) request.
    prompt: String,
    /// The seed program or puzzle a mutation proposal varies.
    parent: Option<String>,
    /// The examples of the proposal's kind: a program-first mutation's second request shows
    /// them (its first shows the seed instead).
    examples: Vec<String>,
    /// The variant a program-first mutation named in its first request.
    idea: Option<String>,
    /// Seconds the first request of a mutation took.
    idea_seconds: f64,
    /// The feedback turns so far (`repairs`): each earlier reply and what the proposer was
    /// told of it.
    turns: Vec<Turn>,
}

/// One feedback turn of a P3 proposal.
#[derive(Debug, Clone)]
struct Turn {
    /// The proposer's reply that fell short.
    reply: String,
    /// The request that followed it: what went wrong, and the contract again.
    feedback: String,
}

/// Sampled tokens of a variant named in one sentence.
const IDEA_TOKENS: usize = 96;

impl Proposal {
    /// Whether this is a program-first mutation, asked for in two requests: the seed shown, the
    /// variant named in one sentence; then, without the seed, the program from that sentence.
    fn in_two_requests(&self) -> bool {
        self.kind.program_first() && self.parent.is_some()
    }

    /// The request to send now: the first, or a two-request mutation's second once its
    /// variant is named.
    fn request(&self) -> String {
        match &self.idea {
            Some(idea) => with_examples(
                &self.examples.iter().map(String::as_str).collect::<Vec<_>>(),
                &idea_instruction(idea),
            ),
            None => self.prompt.clone(),
        }
    }

    /// What the proposer was asked, as stored: a two-request mutation's first request, the
    /// variant it named, and its second request.
    fn asked(&self) -> String {
        match &self.idea {
            Some(idea) => format!(
                "{}\n\n[variant named]\n{idea}\n\n[then asked, without the seed]\n{}",
                self.prompt,
                self.request()
            ),
            None => self.prompt.clone(),
        }
    }

    /// The stored reply: `last` alone, or after the feedback turns that led to it.
    fn transcript(&self, last: String) -> String {
        if self.turns.is_empty() {
            return last;
        }
        let mut text = String::new();
        for turn in &self.turns {
            text.push_str(&format!(
                "{}{FEEDBACK_MARK}{}\n\n[reply]\n",
                turn.reply, turn.feedback
            ));
        }
        text + &last
    }

    /// The messages of the request due now: the system message and the request, then each
    /// feedback turn's reply and feedback.
    fn messages(&self) -> Vec<ChatMessage> {
        let mut messages = vec![
            ChatMessage::system(PROPOSER_SYSTEM),
            ChatMessage::user(self.request()),
        ];
        for turn in &self.turns {
            messages.push(ChatMessage::assistant(turn.reply.clone()));
            messages.push(ChatMessage::user(turn.feedback.clone()));
        }
        messages
    }

    fn job(&self, config: &CampaignConfig) -> Job {
        let naming = self.in_two_requests() && self.idea.is_none();
        let sampling = if naming {
            SamplingParams {
                max_new_tokens: IDEA_TOKENS,
                stop_after_code_block: false,
                ..config.proposer.sampling(mix(self.seed ^ 31))
            }
        } else {
            // A feedback turn samples from a seed of its own.
            let seed = match self.turns.len() as u64 {
                0 => self.seed,
                turn => mix(self.seed ^ (37 + turn)),
            };
            // A program-first reply ends with one code block (the function, then its calls),
            // and so does a new P3 puzzle (`sat` and `sol`; the 0.5B explains them at length
            // after the block); a P3 mutation's reply may hold more than one.
            let one_block =
                self.kind.program_first() || (self.kind == PuzzleKind::P3 && self.parent.is_none());
            SamplingParams {
                stop_after_code_block: one_block,
                ..config.proposer.sampling(seed)
            }
        };
        Job {
            key: if naming {
                JobKey::Idea(self.slot)
            } else {
                JobKey::Propose(self.slot)
            },
            solver: false,
            request: GenerationRequest {
                messages: self.messages(),
                // Naming a variant asks for one reply; the proposal itself for `drafts`.
                n: if naming { 1 } else { config.drafts as usize },
                sampling,
            },
        }
    }

    /// Reads the variant named in reply to the first request (`done`): `None` once it is kept
    /// (the second request is then due), or the proposal rejected when the reply names none
    /// (`format_no_statement`). A model failure stops the round, as for any proposal.
    fn take_idea(&mut self, done: ModelDone) -> Result<Option<Checked>, SelfplayError> {
        let text = single_text(done.result)?;
        self.idea_seconds += done.seconds;
        let idea = read_description(&text);
        if idea.split_whitespace().count() >= MIN_DESCRIPTION_WORDS {
            self.idea = Some(idea);
            return Ok(None);
        }
        Ok(Some(Checked {
            proposal: self.clone(),
            reply: text,
            outcome: Err(Rejection::new(
                Reason::Format(FormatProblem::NoStatement),
                "the reply named no variant of the seed in a sentence",
            )),
            time: StageTime {
                propose: self.idea_seconds,
                ..StageTime::default()
            },
        }))
    }
}

/// A proposal after parsing and validation.
struct Checked {
    proposal: Proposal,
    reply: String,
    outcome: Outcome,
    time: StageTime,
}

/// Sampled tokens of a description written from the code.
const DESCRIPTION_TOKENS: usize = 96;

impl Checked {
    /// This earlier draft of a proposal followed by the `later` one, from a feedback turn:
    /// the later proposal and reply (the transcript goes on from them), the outcome that got
    /// further (the later one on a tie), the times of both.
    fn then(self, later: Checked) -> Checked {
        let outcome = if standing(&later.outcome) >= standing(&self.outcome) {
            later.outcome
        } else {
            self.outcome
        };
        let mut time = self.time;
        time.add(&later.time);
        Checked {
            proposal: later.proposal,
            reply: later.reply,
            outcome,
            time,
        }
    }

    /// Whether this is a valid induction program without a description: the proposer is asked
    /// for one from the code before it is committed.
    fn needs_description(&self) -> bool {
        matches!(&self.outcome, Ok((Draft::Induction(d), _))
            if d.description.split_whitespace().count() < MIN_DESCRIPTION_WORDS)
    }

    /// The proposer's request for the description of this proposal's program.
    fn describe_job(&self, config: &CampaignConfig) -> Job {
        let code = match &self.outcome {
            Ok((draft, _)) => draft.fingerprint_text(),
            Err(_) => "",
        };
        Job {
            key: JobKey::Describe(self.proposal.slot),
            solver: false,
            request: GenerationRequest {
                messages: vec![
                    ChatMessage::system(PROPOSER_SYSTEM),
                    ChatMessage::user(describe_instruction(code)),
                ],
                n: 1,
                sampling: SamplingParams {
                    max_new_tokens: DESCRIPTION_TOKENS,
                    stop_after_code_block: false,
                    ..config.proposer.sampling(mix(self.proposal.seed ^ 29))
                },
            },
        }
    }
}

/// A proposal's reply read as a draft of `kind`. An induction reply with code but too short a
/// description is read anyway: once its program is valid, the proposer describes it
/// ([`Checked::needs_description`]).
fn parse_proposal(reply: &str, kind: PuzzleKind, lang: Language) -> Result<Draft, FormatProblem> {
    match parse_reply(reply, kind, lang) {
        Err(FormatProblem::NoStatement) if kind == PuzzleKind::Induction => {
            parse_program(reply).map(Draft::Induction)
        }
        parsed => parsed,
    }
}

/// `checked` with the description the proposer wrote (`done`), kept after the reply in the
/// stored text; still too short a description rejects it (`format_no_statement`). A model
/// failure stops the round, as for the proposal itself.
fn described(mut checked: Checked, done: ModelDone) -> Result<Checked, SelfplayError> {
    let text = single_text(done.result)?;
    let description = read_description(&text);
    checked.time.propose += done.seconds;
    checked.reply = format!(
        "{}\n\n[description written from the code]\n{text}",
        checked.reply
    );
    if description.split_whitespace().count() < MIN_DESCRIPTION_WORDS {
        checked.outcome = Err(Rejection::new(
            Reason::Format(FormatProblem::NoStatement),
            "no description in the reply, nor when asked for one from the code",
        ));
    } else if let Ok((Draft::Induction(d), _)) = &mut checked.outcome {
        d.description = description;
    }
    Ok(checked)
}

/// The text of a one-completion request's reply (empty when the model returned none); a
/// model failure is an error.
fn single_text(result: Result<Vec<Completion>, ModelError>) -> Result<String, SelfplayError> {
    let completions = result.map_err(SelfplayError::Model)?;
    Ok(completions
        .into_iter()
        .next()
        .map(|c| c.text)
        .unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crucible_model::FinishReason;

    fn checked(reply: &str) -> Checked {
        let draft = parse_proposal(reply, PuzzleKind::Induction, Language::Python).expect("code");
        Checked {
            proposal: Proposal {
                slot: 3,
                seed: 7,
                kind: PuzzleKind::Induction,
                topic: "t".into(),
                difficulty: "easy".into(),
                prompt: "p".into(),
                parent: None,
                examples: Vec::new(),
                idea: None,
                idea_seconds: 0.0,
                turns: Vec::new(),
            },
            reply: reply.into(),
            outcome: Ok((draft, Vec::new())),
            time: StageTime::default(),
        }
    }

    fn done(text: &str) -> ModelDone {
        ModelDone {
            key: JobKey::Describe(3),
            result: Ok(vec![Completion {
                text: text.into(),
                tokens: Vec::new(),
                logprobs: Vec::new(),
                finish: FinishReason::Stop,
                prompt_tokens: 0,
            }]),
            seconds: 1.5,
        }
    }

    #[test]
    fn an_induction_program_without_description_is_described_from_its_code() {
        let reply = "```python\ndef f(x):\n    return 3 * x\n\nf(1)\nf(2)\n```";
        // Read (not rejected) when the description is missing, and then asked for one.
        let without = checked(reply);
        assert!(without.needs_description());
        let job = without.describe_job(&CampaignConfig::default());
        assert_eq!(job.key, JobKey::Describe(3));
        assert!(job.request.messages[1].content.contains("return 3 * x"));
        let with = described(without, done("Returns three times x.\n\nExtra.")).unwrap();
        let Ok((Draft::Induction(d), _)) = &with.outcome else {
            panic!("still valid")
        };
        assert_eq!(d.description, "Returns three times x.");
        assert!(!with.needs_description() && with.time.propose == 1.5);
        assert!(
            with.reply
                .ends_with("[description written from the code]\nReturns three times x.\n\nExtra.")
        );
        // A reply with a description needs none; an empty answer rejects the puzzle.
        assert!(
            !checked(&format!("Description: Triples the number x.\n\n{reply}")).needs_description()
        );
        let empty = described(checked(reply), done("")).unwrap();
        assert_eq!(
            empty.outcome.err().map(|r| r.reason),
            Some(Reason::Format(FormatProblem::NoStatement))
        );
        // Other kinds keep their own rules.
        assert_eq!(
            parse_proposal("no code", PuzzleKind::Induction, Language::Python).err(),
            Some(FormatProblem::NoCode)
        );
    }

    /// A free P3 proposal of `slot` with `seed` about `topic`, before any reply.
    fn p3_proposal(slot: u32, seed: u64, topic: &str) -> Proposal {
        Proposal {
            slot,
            seed,
            kind: PuzzleKind::P3,
            topic: topic.into(),
            difficulty: "easy".into(),
            prompt: "Write a puzzle.".into(),
            parent: None,
            examples: Vec::new(),
            idea: None,
            idea_seconds: 0.0,
            turns: Vec::new(),
        }
    }

    #[test]
    fn a_p3_proposal_that_falls_short_is_told_why_and_keeps_its_best_draft() {
        let mut proposal = p3_proposal(2, 5, "strings");
        let p3 = |sol: Option<&str>| {
            Ok((
                Draft::P3(crate::puzzle::P3Draft {
                    sat: "def sat(s: str):\n    return s.count('ab') == 3".into(),
                    sol: sol.map(String::from),
                    sol_failure: Some("sol() returned 'ab', and sat of it is not True".into()),
                    parent: None,
                    sat_as_written: None,
                }),
                Vec::new(),
            ))
        };
        let checked = |proposal: &Proposal, reply: &str, outcome: Outcome| Checked {
            proposal: proposal.clone(),
            reply: reply.into(),
            outcome,
            time: StageTime {
                propose: 1.0,
                ..StageTime::default()
            },
        };
        let config = CampaignConfig::default();
        let first = checked(&proposal, "reply 1", p3(None));
        let flaw = Flaw::of(PuzzleKind::P3, &first.outcome).expect("a wrong sol is told");
        proposal.turns.push(Turn {
            reply: first.reply.clone(),
            feedback: flaw.feedback(),
        });
        let job = proposal.job(&config);
        let roles: Vec<_> = job.request.messages.iter().map(|m| m.role).collect();
        use crucible_model::Role;
        assert_eq!(
            roles,
            [Role::System, Role::User, Role::Assistant, Role::User]
        );
        assert_eq!(job.request.messages[2].content, "reply 1");
        assert!(
            job.request.messages[3]
                .content
                .contains("sol() returned 'ab'")
        );
        assert_ne!(
            job.request.sampling.seed,
            Proposal {
                turns: Vec::new(),
                ..proposal.clone()
            }
            .job(&config)
            .request
            .sampling
            .seed
        );
        // A worse second draft (rejected) keeps the first one's outcome; a better one wins.
        let worse = checked(
            &proposal,
            "reply 2",
            Err(Rejection::new(
                Reason::TrivialSat,
                "sat accepts the trivial answer ''",
            )),
        );
        let kept = checked(&proposal, "reply 1", p3(None)).then(worse);
        assert_eq!(standing(&kept.outcome), 1);
        assert_eq!(kept.time.propose, 2.0);
        assert_eq!(
            kept.proposal.transcript(kept.reply.clone()),
            format!(
                "reply 1\n\n[feedback]\n{}\n\n[reply]\nreply 2",
                flaw.feedback()
            )
        );
        let better = checked(&proposal, "reply 2", p3(Some("def sol(): return 'ababab'")));
        let kept = checked(&proposal, "reply 1", p3(None)).then(better);
        assert_eq!(standing(&kept.outcome), 3);
    }

    #[test]
    fn of_several_drafts_the_furthest_novel_one_is_kept_with_all_their_times() {
        let proposal = p3_proposal(0, 1, "lists");
        let p3 = |sat: &str, sol: Option<&str>| -> Outcome {
            Ok((
                Draft::P3(crate::puzzle::P3Draft {
                    sat: sat.into(),
                    sol: sol.map(String::from),
                    sol_failure: None,
                    parent: None,
                    sat_as_written: None,
                }),
                Vec::new(),
            ))
        };
        let draft = |reply: &str, outcome: Outcome| Checked {
            proposal: proposal.clone(),
            reply: reply.into(),
            outcome,
            time: StageTime {
                validate: 0.5,
                ..StageTime::default()
            },
        };
        let trivial = || Err(Rejection::new(Reason::TrivialSat, "sat accepts 0"));
        let copied = "def sat(x: int):\n    return x * x == 49";
        let fresh = "def sat(s: str):\n    return s.count('ab') == 3";
        let other = "def sat(li: list):\n    return sum(li) == 9 and len(li) == 4";
        // Closeness 1 for the copied sat, 0.2 for the fresh one, 0.4 for the other.
        let closeness = |outcome: &Outcome| match outcome {
            Ok((Draft::P3(d), _)) if d.sat == copied => 1.0,
            Ok((Draft::P3(d), _)) if d.sat == fresh => 0.2,
            Ok(_) => 0.4,
            Err(_) => 0.0,
        };
        let kept = |drafts: Vec<Checked>| best_draft(drafts, closeness, 0.7).expect("a draft");
        // A sol that holds beats a missing one; a near-duplicate counts as rejected.
        let chosen = kept(vec![
            draft("trivial", trivial()),
            draft("copy", p3(copied, Some("def sol(): return 7"))),
            draft("no sol", p3(other, None)),
            draft("holds", p3(other, Some("def sol(): return [2, 2, 2, 3]"))),
        ]);
        assert_eq!(chosen.reply, "holds");
        assert_eq!(chosen.time.validate, 2.0);
        // Of equals, the least close to earlier puzzles; the first on a tie.
        let chosen = kept(vec![
            draft("other", p3(other, Some("def sol(): return [9, 0, 0, 0]"))),
            draft("fresh", p3(fresh, Some("def sol(): return 'ababab'"))),
            draft(
                "fresh again",
                p3(fresh, Some("def sol(): return 'abababx'")),
            ),
        ]);
        assert_eq!(chosen.reply, "fresh");
        let chosen = kept(vec![draft("first", trivial()), draft("second", trivial())]);
        assert_eq!(chosen.reply, "first");
        assert!(best_draft(Vec::new(), closeness, 0.7).is_none());
        // One request asks for all the drafts.
        let config = CampaignConfig {
            drafts: 6,
            ..CampaignConfig::default()
        };
        assert_eq!(proposal.job(&config).request.n, 6);
    }

    #[test]
    fn a_program_mutation_names_its_variant_then_writes_it_without_the_seed() {
        let seed = "def f(x):\n    return 3 * x\n";
        let mut proposal = Proposal {
            slot: 5,
            seed: 9,
            kind: PuzzleKind::Deduction,
            topic: "variant of a seed program".into(),
            difficulty: "easy".into(),
            prompt: variant_idea_instruction(seed, "easy"),
            parent: Some(seed.into()),
            examples: vec![
                "Description: Doubles.\n\n```python\ndef f(a):\n    return 2 * a\n```".into(),
            ],
            idea: None,
            idea_seconds: 0.0,
            turns: Vec::new(),
        };
        let config = CampaignConfig::default();
        let first = proposal.job(&config);
        assert_eq!(first.key, JobKey::Idea(5));
        assert!(first.request.messages[1].content.contains("return 3 * x"));
        assert!(!first.request.sampling.stop_after_code_block);
        // A reply that names no variant rejects the proposal.
        let rejected = proposal
            .clone()
            .take_idea(done(""))
            .unwrap()
            .expect("rejected");
        assert_eq!(
            rejected.outcome.err().map(|r| r.reason),
            Some(Reason::Format(FormatProblem::NoStatement))
        );
        // A sentence is kept, and the program is asked for from it, the seed not shown.
        let idea = "Write a function to add the number of digits of x to three times x.";
        assert!(proposal.take_idea(done(idea)).unwrap().is_none());
        let second = proposal.job(&config);
        assert_eq!(second.key, JobKey::Propose(5));
        let text = &second.request.messages[1].content;
        assert!(
            text.contains(&format!("{idea}\n\nName the function `f`")),
            "{text}"
        );
        assert!(!text.contains("return 3 * x") && text.contains("Example 1:"));
        assert!(second.request.sampling.stop_after_code_block);
        let asked = proposal.asked();
        assert!(
            asked.starts_with(&proposal.prompt)
                && asked.contains("[variant named]\nWrite a function to add")
        );
        assert_eq!(proposal.idea_seconds, 1.5);
    }

    #[test]
    fn a_mutation_that_hands_its_seed_back_is_a_copy() {
        let seed = "def f(x):\n    return 3 * x\n";
        let draft = |reply: &str| {
            let mut d = parse_proposal(reply, PuzzleKind::Deduction, Language::Python).unwrap();
            d.set_parent(Some(seed.into()));
            d
        };
        let copy = parent_copy(&draft(&format!("```python\n{seed}```")), 0.7);
        assert_eq!(copy.map(|r| r.reason), Some(Reason::CopiedParent));
        // A comment added does not make a variant (nor do other constants, as for
        // near-duplicates); another computation does.
        let commented = draft("```python\ndef f(x):\n    # a new variant\n    return 4 * x\n```");
        assert!(parent_copy(&commented, 0.7).is_some());
        let varied = draft("```python\ndef f(x, y):\n    return sorted(str(3 * x + y))\n```");
        assert!(parent_copy(&varied, 0.7).is_none());
    }
}
