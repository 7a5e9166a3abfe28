//! Per-round summaries: proposals, rejections, solve rates, pools and puzzle kinds, read from
//! the store.

use crate::SelfplayError;
use crate::store::{FEEDBACK_MARK, StageTime, Store};
use crate::verdicts::Reason;
use serde::Serialize;
use std::collections::BTreeMap;

/// Solve-rate histogram buckets: 0, (0, ¼], (¼, ½], (½, ¾], (¾, 1), 1.
pub const BUCKETS: [&str; 6] = ["0", "0-25%", "25-50%", "50-75%", "75-99%", "100%"];

/// One round's numbers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundSummary {
    /// Round number.
    pub round: u32,
    /// Whether the round finished.
    pub finished: bool,
    /// Proposals committed.
    pub proposed: u64,
    /// Valid puzzles.
    pub valid: u64,
    /// Rejections by reason.
    pub rejected: BTreeMap<String, u64>,
    /// Puzzles whose attempts are judged.
    pub solved: u64,
    /// Solve-rate histogram over judged puzzles ([`BUCKETS`]).
    pub histogram: [u64; 6],
    /// Puzzles with 0 < solve rate < 1.
    pub learnable: u64,
    /// Accepted attempts at proposed puzzles (verified statement–solution pairs).
    pub verified_pairs: u64,
    /// Pool problems the solver attempted (seed tasks among them), all pools together.
    pub seed_tasks: u64,
    /// Pool problems with at least one accepted attempt.
    pub seed_solved: u64,
    /// Accepted attempts at pool problems.
    pub seed_verified_pairs: u64,
    /// The same per pool (`seed`: the seed set's train split), with the in-band counts.
    pub pools: BTreeMap<String, PoolSummary>,
    /// The proposals per puzzle kind (`stdio`, `p3`, `induction`, ...).
    pub kinds: BTreeMap<String, KindSummary>,
    /// Solver training examples kept.
    pub solver_examples: u64,
    /// Proposer training examples kept.
    pub proposer_examples: u64,
    /// Time per stage.
    #[serde(skip)]
    pub time: StageTime,
}

/// One puzzle kind's proposals in a round: is the proposer getting better at it, or
/// collapsing into copies?
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindSummary {
    /// Proposals.
    pub proposed: u64,
    /// Valid puzzles.
    pub valid: u64,
    /// Rejected as a near-duplicate of an earlier puzzle or a copy of an example.
    pub duplicates: u64,
    /// Valid puzzles whose attempts are judged.
    pub judged: u64,
    /// Judged puzzles in the learnable band (0 < solve rate < 1).
    pub in_band: u64,
    /// Accepted attempts.
    pub verified: u64,
    /// Program-first: valid puzzles with inputs the sandbox found (the proposer wrote too few).
    pub found_inputs: u64,
    /// P3: valid puzzles whose `sat` had the constants of its equality tests fitted to the
    /// answer its `sol` returns (the `sat` written is kept beside it).
    pub fitted: u64,
    /// P3: proposals told what went wrong and answered again (`repairs`).
    pub repaired: u64,
    /// Those of them that are valid.
    pub repaired_valid: u64,
    /// Rejected proposals by reason.
    pub rejected: BTreeMap<String, u64>,
}

impl KindSummary {
    /// One line: valid %, in-band %, near-duplicate %, verified pairs.
    pub fn describe(&self) -> String {
        let mut line = format!(
            "{} proposed, {} valid ({:.0}%), {} in band ({:.0}% of {} judged), near-duplicates {:.0}%, {} verified pairs",
            self.proposed,
            self.valid,
            100.0 * ratio(self.valid, self.proposed),
            self.in_band,
            100.0 * ratio(self.in_band, self.judged),
            self.judged,
            100.0 * ratio(self.duplicates, self.valid + self.duplicates),
            self.verified
        );
        if self.found_inputs > 0 {
            line.push_str(&format!(
                "; {} with inputs the sandbox found",
                self.found_inputs
            ));
        }
        if self.fitted > 0 {
            line.push_str(&format!(
                "; {} with constants fitted to their sol",
                self.fitted
            ));
        }
        if self.repaired > 0 {
            line.push_str(&format!(
                "; {} answered again after feedback ({} of them valid)",
                self.repaired, self.repaired_valid
            ));
        }
        if !self.rejected.is_empty() {
            let mut reasons: Vec<(&String, &u64)> = self.rejected.iter().collect();
            reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let reasons: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
            line.push_str(&format!("; rejected: {}", reasons.join(", ")));
        }
        line
    }
}

/// One pool's numbers in a round.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PoolSummary {
    /// Problems attempted.
    pub tasks: u64,
    /// Problems with at least one accepted attempt.
    pub solved: u64,
    /// Problems in the learnable band (some but not all attempts accepted).
    pub in_band: u64,
    /// Attempts judged.
    pub attempts: u64,
    /// Accepted attempts (verified pairs).
    pub verified: u64,
}

impl PoolSummary {
    /// One line: `160 problems, 71 solved, 52 in band, 402 of 1280 attempts verified (31.4 %)`.
    pub fn describe(&self) -> String {
        format!(
            "{} problems, {} solved, {} in band, {} of {} attempts verified ({:.1} %)",
            self.tasks,
            self.solved,
            self.in_band,
            self.verified,
            self.attempts,
            100.0 * ratio(self.verified, self.attempts)
        )
    }
}

impl RoundSummary {
    /// Valid puzzles per proposal.
    pub fn valid_rate(&self) -> f64 {
        ratio(self.valid, self.proposed)
    }

    /// Learnable puzzles per judged valid puzzle.
    pub fn learnable_rate(&self) -> f64 {
        ratio(self.learnable, self.solved)
    }

    /// Near-duplicates (of earlier puzzles or seed examples) per proposal that passed the sandbox.
    pub fn near_duplicate_rate(&self) -> f64 {
        let dups: u64 = self
            .rejected
            .iter()
            .filter(|(reason, _)| Reason::parse(reason).is_duplicate())
            .map(|(_, n)| n)
            .sum();
        ratio(dups, self.valid + dups)
    }

    /// Verified pairs, at proposed puzzles and pool problems together.
    pub fn all_verified_pairs(&self) -> u64 {
        self.verified_pairs + self.seed_verified_pairs
    }

    /// Verified pairs (proposals and pools) per CPU-hour (process and compiler CPU time).
    pub fn pairs_per_cpu_hour(&self) -> f64 {
        if self.time.cpu > 0.0 {
            self.all_verified_pairs() as f64 * 3600.0 / self.time.cpu
        } else {
            0.0
        }
    }

    /// Verified pairs (proposals and pools) per wall-clock hour.
    pub fn pairs_per_hour(&self) -> f64 {
        if self.time.wall > 0.0 {
            self.all_verified_pairs() as f64 * 3600.0 / self.time.wall
        } else {
            0.0
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

pub(super) fn bucket(p: f64) -> usize {
    match p {
        p if p <= 0.0 => 0,
        p if p <= 0.25 => 1,
        p if p <= 0.5 => 2,
        p if p <= 0.75 => 3,
        p if p < 1.0 => 4,
        _ => 5,
    }
}

/// Summaries of every round started.
pub fn summarize(store: &Store) -> Result<Vec<RoundSummary>, SelfplayError> {
    let mut out = Vec::new();
    for round in store.rounds()? {
        let mut s = RoundSummary {
            round,
            finished: store.round_finished(round)?,
            time: store.round_time(round)?,
            ..RoundSummary::default()
        };
        for puzzle in store.puzzles(round)? {
            if puzzle.seed_task {
                let attempts = store.attempts(puzzle.id)?;
                let accepted = attempts.iter().filter(|a| a.accepted()).count() as u64;
                let name = puzzle
                    .task
                    .as_ref()
                    .map_or(crate::pools::SEED_POOL.to_string(), |t| t.pool.clone());
                let pool = s.pools.entry(name).or_default();
                pool.tasks += 1;
                pool.solved += u64::from(accepted > 0);
                pool.in_band += u64::from(accepted > 0 && accepted < attempts.len() as u64);
                pool.attempts += attempts.len() as u64;
                pool.verified += accepted;
                continue;
            }
            s.proposed += 1;
            let kind = s.kinds.entry(puzzle.kind.name().to_string()).or_default();
            kind.proposed += 1;
            if puzzle.reply.contains(FEEDBACK_MARK) {
                kind.repaired += 1;
                kind.repaired_valid += u64::from(puzzle.rejection.is_none());
            }
            match &puzzle.rejection {
                Some(rejection) => {
                    let reason = &rejection.reason;
                    *s.rejected.entry(reason.name().to_string()).or_default() += 1;
                    *kind.rejected.entry(reason.name().to_string()).or_default() += 1;
                    kind.duplicates += u64::from(reason.is_duplicate());
                }
                None => {
                    s.valid += 1;
                    kind.valid += 1;
                    kind.found_inputs += u64::from(
                        puzzle
                            .tests
                            .as_deref()
                            .is_some_and(|t| t.contains("\"found\":true")),
                    );
                    kind.fitted += u64::from(
                        puzzle
                            .draft
                            .as_deref()
                            .is_some_and(|d| d.contains("\"sat_as_written\"")),
                    );
                }
            }
            // Judged valid puzzles (a P3 puzzle that no attempt solved is rejected as
            // `unsolved` after judging: it counts among the rejections).
            if puzzle.rejection.is_none()
                && let Some(score) = store.score(puzzle.id)?
            {
                let verified = store
                    .attempts(puzzle.id)?
                    .iter()
                    .filter(|a| a.accepted())
                    .count() as u64;
                s.solved += 1;
                s.histogram[bucket(score.solve_rate)] += 1;
                s.learnable += u64::from(score.learnable);
                s.verified_pairs += verified;
                kind.judged += 1;
                kind.in_band += u64::from(score.learnable);
                kind.verified += verified;
            }
        }
        // The pool totals, from the per-pool counts.
        s.seed_tasks = s.pools.values().map(|p| p.tasks).sum();
        s.seed_solved = s.pools.values().map(|p| p.solved).sum();
        s.seed_verified_pairs = s.pools.values().map(|p| p.verified).sum();
        (s.solver_examples, s.proposer_examples) = store.dataset_counts(round)?;
        out.push(s);
    }
    Ok(out)
}
