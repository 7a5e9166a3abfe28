//! Training between rounds: each trained role's data, its fine-tuning (or carrying its model
//! over), the merged models no later round needs, and the examples the rounds' datasets hold.

use super::{Campaign, CampaignEvent, Overlaps, parsed};
use crate::config::{TrainMode, TrainRole};
use crate::dataset::{
    ProposerCandidate, messages_json, novel_proposer_rows, proposer_rows, solver_answer,
    solver_rows,
};
use crate::hindsight::{answer_type, relabelled};
use crate::puzzle::{Draft, render_p3};
use crate::replay::{draw, replay_count};
use crate::seeds::{Stream, derive, mix};
use crate::store::{AttemptRow, DatasetRow, ModelRow};
use crate::tune::{TuneJob, Tuned, Tuner};
use crate::validate::sol_holds;
use crate::warmup::{WarmupPuzzle, warmup_conversation, warmup_puzzles};
use crate::{SelfplayError, export};
use crucible_eval::solve_prompt;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Runs `job` on `tuner`, passing its progress lines on as [`CampaignEvent::Training`].
fn tune_role(
    job: &TuneJob<'_>,
    tuner: &mut dyn Tuner,
    on_event: &mut dyn FnMut(&CampaignEvent),
) -> Result<Tuned, SelfplayError> {
    let (round, role) = (job.round, job.role);
    tuner
        .tune(job, &mut |line| {
            on_event(&CampaignEvent::Training {
                round,
                role,
                line: line.to_string(),
            })
        })
        .map_err(|source| SelfplayError::Training {
            role,
            round,
            source,
        })
}

/// A round's training data, and what was left out of it.
pub(super) struct RoundData {
    /// The rows to store.
    pub rows: Vec<DatasetRow>,
    /// Examples that overlap an evaluation set (`task id → evaluation problem`).
    pub contaminated: Overlaps,
    /// Learnable puzzles that did not teach the proposer: repeats of ones that had.
    pub repeats: Vec<i64>,
}

impl Campaign {
    /// The model `role` samples round `round` with: what training recorded for it or an
    /// earlier round (round 1's is the warm-up's), else the configured one.
    pub(super) fn role_model(&self, round: u32, role: TrainRole) -> Result<String, SelfplayError> {
        for r in (1..=round).rev() {
            if let Some(row) = self.store.model(r, role)? {
                return Ok(row.spec);
            }
        }
        Ok(self.configured_model(role).to_string())
    }

    /// The model `role`'s training between rounds starts from: the warmed one, if the
    /// campaign warmed it up, else the configured one.
    fn base_model(&self, role: TrainRole) -> Result<String, SelfplayError> {
        Ok(match self.store.model(1, role)? {
            Some(row) => row.spec,
            None => self.configured_model(role).to_string(),
        })
    }

    /// The model `role` is configured with (the base that training starts from).
    fn configured_model(&self, role: TrainRole) -> &str {
        match role {
            TrainRole::Proposer => &self.config.proposer.model,
            TrainRole::Solver => &self.config.solver.model,
        }
    }

    /// Fails early when a trained role's model cannot be trained.
    pub(super) fn check_trainable(&self, tuner: &dyn Tuner) -> Result<(), SelfplayError> {
        let warmed = match self.config.warmup.enabled() {
            true => self.config.warmup.roles.as_slice(),
            false => &[],
        };
        let trained = match self.config.training.enabled {
            true => self.config.training.roles.as_slice(),
            false => &[],
        };
        for role in warmed.iter().chain(trained) {
            let base = self.configured_model(*role);
            if crucible_model::is_url(base) {
                continue;
            }
            tuner
                .check(base)
                .map_err(|source| SelfplayError::Untrainable {
                    role: *role,
                    source,
                })?;
        }
        Ok(())
    }

    /// Removes the merged model folders of rounds up to `round` that no later round samples
    /// with (about 1 GB each for the 0.5B model); their adapters and training data stay, and
    /// `crucible train merge` rebuilds them.
    pub(super) fn remove_unused_models(&self, round: u32) -> Result<(), SelfplayError> {
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
    pub(super) fn train_after(
        &mut self,
        round: u32,
        tuner: &mut dyn Tuner,
        on_event: &mut dyn FnMut(&CampaignEvent),
    ) -> Result<(), SelfplayError> {
        for role in self.config.training.roles.clone() {
            if self.store.model(round + 1, role)?.is_some() {
                continue;
            }
            let started = Instant::now();
            let outcome = self.train_role(round, role, tuner, on_event)?;
            let row = ModelRow {
                seconds: started.elapsed().as_secs_f64(),
                ..outcome
            };
            on_event(&CampaignEvent::Trained {
                round,
                role,
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
        on_event: &mut dyn FnMut(&CampaignEvent),
    ) -> Result<ModelRow, SelfplayError> {
        let settings = &self.config.training;
        let base = &self.base_model(role)?;
        let first = match settings.mode {
            TrainMode::Restart => 1,
            TrainMode::Continue => round,
        };
        let mut rows = self.store.dataset_rounds(role, first, round)?;
        let carried = ModelRow {
            round: round + 1,
            role,
            spec: self.role_model(round, role)?,
            examples: 0,
            final_loss: None,
            seconds: 0.0,
        };
        if rows.is_empty() || crucible_model::is_url(base) {
            return Ok(carried);
        }
        self.add_replay(round, role, &mut rows, on_event);
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
        let tuned = tune_role(&job, tuner, on_event)?;
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

    /// Before round 1, warms each role of `warmup.roles` up (skipping roles already done) on
    /// its conversations of the warm-up set's puzzles ([`warmup_conversation`]) whose `sol`
    /// holds in the sandbox and that overlap no evaluation set; the warmed model samples
    /// round 1 and is the base later rounds train from.
    pub(super) fn warm_up(
        &mut self,
        tuner: &mut dyn Tuner,
        runtime: &tokio::runtime::Runtime,
        on_event: &mut dyn FnMut(&CampaignEvent),
    ) -> Result<(), SelfplayError> {
        let warmup = self.config.warmup.clone();
        if !warmup.enabled() {
            return Ok(());
        }
        let settings = warmup.settings(&self.config.training);
        let mut roles = Vec::new();
        for role in warmup.roles.iter().copied() {
            if self.store.model(1, role)?.is_none() {
                roles.push(role);
            }
        }
        let Some(longest) = roles.iter().map(|r| warmup.max_chars(*r)).max() else {
            return Ok(());
        };
        let puzzles = self.warmup_set(longest, runtime)?;
        let typed = !self.config.answer_types.is_empty();
        for role in roles {
            let started = Instant::now();
            let dir = self.dir.join("models").join("warmup").join(role.name());
            std::fs::create_dir_all(&dir).map_err(|e| SelfplayError::io(&dir, e))?;
            let data = dir.join("train.jsonl");
            // Numbered among the role's puzzles, as the difficulty each is asked with is drawn.
            let lines: Vec<String> = puzzles
                .iter()
                .filter(|(p, _)| p.sat.len() + p.sol.len() <= warmup.max_chars(role))
                .enumerate()
                .filter(|(_, (_, usable))| *usable)
                .map(|(index, (p, _))| warmup_conversation(role, p, index, self.config.seed, typed))
                .collect();
            export::write_lines(&data, &lines)?;
            let (adapter_dir, model_dir) = (dir.join("adapter"), dir.join("model"));
            let base = self.configured_model(role).to_string();
            let job = TuneJob {
                role,
                round: 0,
                base: &base,
                data: &data,
                init_adapter: None,
                adapter_dir: &adapter_dir,
                model_dir: &model_dir,
                settings: &settings,
                seed: Stream::Training.seed(&[self.config.seed, 0, role as u64]),
            };
            let tuned = tune_role(&job, tuner, on_event)?;
            let spec = match tuned.examples {
                0 => base,
                _ => model_dir.to_string_lossy().into_owned(),
            };
            on_event(&CampaignEvent::Trained {
                round: 0,
                role,
                examples: tuned.examples as u64,
                final_loss: tuned.final_loss,
            });
            self.store.set_model(&ModelRow {
                round: 1,
                role,
                spec,
                examples: tuned.examples as u64,
                final_loss: tuned.final_loss,
                seconds: started.elapsed().as_secs_f64(),
            })?;
        }
        Ok(())
    }

    /// The warm-up set's puzzles within `max_chars`, each with whether it is usable: its
    /// `sol` holds in the sandbox and it overlaps no evaluation set.
    fn warmup_set(
        &self,
        max_chars: usize,
        runtime: &tokio::runtime::Runtime,
    ) -> Result<Vec<(WarmupPuzzle, bool)>, SelfplayError> {
        let puzzles = warmup_puzzles(Path::new(&self.config.warmup.set), max_chars)?;
        let limits = self.config.limits.limits();
        let mut checked = Vec::new();
        for puzzle in puzzles {
            let text = render_p3(&puzzle.sat, &puzzle.sol);
            let usable = self.contamination.overlap(&text).is_none()
                && runtime.block_on(sol_holds(&self.sandbox, &puzzle.sat, &puzzle.sol, &limits))?;
            checked.push((puzzle, usable));
        }
        Ok(checked)
    }

    /// Appends to `rows` (a role's own examples after `round`) the conversations drawn for
    /// them from the role's replay file, if it has one (`training.replay`).
    fn add_replay(
        &self,
        round: u32,
        role: TrainRole,
        rows: &mut Vec<String>,
        on_event: &mut dyn FnMut(&CampaignEvent),
    ) {
        let Some(lines) = self.replay.get(&role) else {
            return;
        };
        let count = replay_count(rows.len(), self.config.training.replay_ratio);
        let seed = Stream::Replay.seed(&[self.config.seed, u64::from(round), role as u64]);
        let replayed = draw(lines, count, seed);
        on_event(&CampaignEvent::Replayed {
            round,
            role,
            own: rows.len(),
            replayed: replayed.len(),
        });
        rows.extend(replayed);
    }

    /// `DIR/models/round-N/ROLE`: training data, adapter and merged model of one role.
    fn role_dir(&self, round: u32, role: TrainRole) -> PathBuf {
        self.dir
            .join("models")
            .join(format!("round-{round}"))
            .join(role.name())
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

    /// Dataset rows for every solved task of a round (the proposer's only from puzzles new to
    /// it, [`novel_proposer_rows`]), and what was left out.
    pub(super) fn dataset_rows(&self, round: u32) -> Result<RoundData, SelfplayError> {
        let mut rows = Vec::new();
        let mut candidates = Vec::new();
        let mut contaminated = Vec::new();
        let overlap = |text: &str| self.contamination.overlap(text).map(str::to_string);
        for puzzle in self.store.puzzles(round)? {
            let Some(score) = self.store.score(puzzle.id)? else {
                continue;
            };
            let problem = self.task_problem(&puzzle)?;
            let (prompt, lang) = solve_prompt(&problem, self.config.language);
            // A proposed puzzle whose description or named task restates an evaluation task
            // is left out whole, as one whose prompt holds an evaluation statement.
            let draft = match puzzle.seed_task {
                true => None,
                false => Some(parsed(&puzzle)?),
            };
            let restated = draft
                .as_ref()
                .and_then(|(d, _)| self.contamination.near_task(&d.prose()).map(str::to_string));
            if let Some(hit) = overlap(&prompt).or(restated) {
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
            let Some((mut draft, tests)) = draft else {
                continue;
            };
            // A P3 puzzle that stood on solvability learns with the solver's answer as `sol`.
            if let Draft::P3(d) = &mut draft
                && d.sol.is_none()
            {
                d.sol = attempts
                    .iter()
                    .find(|a| a.accepted())
                    .and_then(|a| a.code.clone());
            }
            let written = format!(
                "{}\n{}\n{}",
                draft.prose(),
                draft.fingerprint_text(),
                draft.solution()
            );
            if let Some(hit) = overlap(&written) {
                contaminated.push((puzzle.id, hit));
                continue;
            }
            let labelled = match self.config.training.hindsight {
                true => relabelled(&puzzle, &draft, &score, &self.config.topics),
                false => puzzle.clone(),
            };
            let named_type = match &draft {
                Draft::P3(d) if !self.config.answer_types.is_empty() && d.parent.is_none() => {
                    answer_type(&d.sat)
                }
                _ => None,
            };
            let teaching = proposer_rows(
                &labelled,
                &draft,
                &tests,
                &score,
                self.config.language,
                named_type,
            );
            if !teaching.is_empty() {
                candidates.push(ProposerCandidate {
                    reward: score.reward_azr,
                    puzzle_id: puzzle.id,
                    fingerprint: puzzle.fingerprint.clone(),
                    rows: teaching,
                });
            }
        }
        let taught = self.store.taught_fingerprints(round)?;
        let threshold = self.config.training.proposer_novelty;
        let (proposer, repeats) = novel_proposer_rows(candidates, taught, threshold);
        rows.extend(proposer);
        Ok(RoundData {
            rows,
            contaminated,
            repeats,
        })
    }
}
