//! Reading: the recorded configuration, rounds, puzzles, attempts, scores, dataset rows and
//! stage times, for resuming, status and reports.

use super::Store;
use super::rows::{AttemptRow, Decision, PuzzleRow, PuzzleScore, StageTime};
use crate::SelfplayError;
use crate::config::{CampaignConfig, TaskKind, TrainRole};
use crate::similarity::Fingerprint;
use crate::verdicts::{Reason, Rejection};
use rusqlite::{OptionalExtension, params};

impl Store {
    /// The recorded configuration, if the campaign was started.
    pub fn stored_config(&self) -> Result<Option<CampaignConfig>, SelfplayError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT config FROM campaign WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        text.map(|t| CampaignConfig::from_toml(&t)).transpose()
    }

    /// Whether round `number` is finished.
    pub fn round_finished(&self, number: u32) -> Result<bool, SelfplayError> {
        let finished: Option<Option<i64>> = self
            .conn
            .query_row(
                "SELECT finished_at FROM round WHERE number = ?1",
                [number],
                |r| r.get(0),
            )
            .optional()?;
        Ok(matches!(finished, Some(Some(_))))
    }

    /// Slots of `round` already committed.
    pub fn committed_slots(&self, round: u32) -> Result<Vec<u32>, SelfplayError> {
        let mut stmt = self
            .conn
            .prepare("SELECT slot FROM puzzle WHERE round = ?1 ORDER BY slot")?;
        let slots = stmt
            .query_map([round], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(slots)
    }

    /// Valid puzzles of `round` that have no attempts yet.
    pub fn unsolved(&self, round: u32) -> Result<Vec<PuzzleRow>, SelfplayError> {
        self.puzzles_where(
            "round = ?1 AND status = 'valid' AND NOT EXISTS (SELECT 1 FROM attempt a WHERE a.puzzle_id = puzzle.id)",
            i64::from(round),
        )
    }

    /// The puzzle with row id `id`.
    pub fn puzzle(&self, id: i64) -> Result<Option<PuzzleRow>, SelfplayError> {
        Ok(self.puzzles_where("id = ?1", id)?.pop())
    }

    /// All puzzles of `round`.
    pub fn puzzles(&self, round: u32) -> Result<Vec<PuzzleRow>, SelfplayError> {
        self.puzzles_where("round = ?1", i64::from(round))
    }

    /// Fingerprints of all valid puzzles so far (for the near-duplicate check).
    pub fn valid_fingerprints(&self) -> Result<Vec<(i64, Fingerprint)>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, hash, minhash FROM puzzle WHERE status = 'valid' AND hash IS NOT NULL ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let hash: String = r.get(1)?;
                let bytes: Vec<u8> = r.get(2)?;
                Ok((r.get(0)?, Fingerprint::from_parts(hash, &bytes)))
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Fingerprints of the puzzles that taught the proposer in rounds before `round`.
    pub fn taught_fingerprints(&self, round: u32) -> Result<Vec<Fingerprint>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT p.id, p.hash, p.minhash FROM dataset d JOIN puzzle p ON p.id = d.puzzle_id
             WHERE d.kind = 'proposer' AND p.round < ?1 AND p.hash IS NOT NULL ORDER BY p.id",
        )?;
        let rows = stmt
            .query_map([round], |r| {
                let hash: String = r.get(1)?;
                let bytes: Vec<u8> = r.get(2)?;
                Ok(Fingerprint::from_parts(hash, &bytes))
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The version of the fingerprints the store holds (1 where none was recorded:
    /// stores written before versions were).
    pub fn fingerprint_version(&self) -> Result<u32, SelfplayError> {
        let value: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'fingerprint_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(1))
    }

    /// Puzzles stored with a fingerprint and a draft (`id`, draft JSON): the fingerprints a
    /// change of [`Fingerprint::of_code`] recomputes.
    pub fn fingerprinted_drafts(&self) -> Result<Vec<(i64, String)>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, draft FROM puzzle WHERE hash IS NOT NULL AND draft IS NOT NULL ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn puzzles_where(&self, condition: &str, value: i64) -> Result<Vec<PuzzleRow>, SelfplayError> {
        let sql = format!(
            "SELECT id, round, slot, kind, topic, difficulty, seed, prompt, reply, reason, detail,
                    title, statement, draft, tests, hash, minhash, origin, task
             FROM puzzle WHERE {condition} ORDER BY slot"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([value])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let kind: String = r.get(3)?;
            let kind = TaskKind::parse(&kind).ok_or_else(|| {
                self.unreadable(format!(
                    "puzzle {id} has the kind `{kind}`, which this crucible does not know"
                ))
            })?;
            let reason: Option<String> = r.get(9)?;
            let detail: Option<String> = r.get(10)?;
            let hash: Option<String> = r.get(15)?;
            let minhash: Option<Vec<u8>> = r.get(16)?;
            out.push(PuzzleRow {
                id,
                round: r.get(1)?,
                slot: r.get(2)?,
                kind,
                topic: r.get(4)?,
                difficulty: r.get(5)?,
                seed: r.get::<_, i64>(6)? as u64,
                prompt: r.get(7)?,
                reply: r.get(8)?,
                rejection: reason
                    .map(|r| Rejection::new(Reason::parse(&r), detail.unwrap_or_default())),
                title: r.get(11)?,
                statement: r.get(12)?,
                draft: r.get(13)?,
                tests: r.get(14)?,
                fingerprint: hash.map(|h| Fingerprint::from_parts(h, &minhash.unwrap_or_default())),
                seed_task: r.get::<_, String>(17)? == "seed",
                task: r
                    .get::<_, Option<String>>(18)?
                    .and_then(|t| serde_json::from_str(&t).ok()),
            });
        }
        Ok(out)
    }

    /// The attempts of a puzzle, by index.
    pub fn attempts(&self, puzzle_id: i64) -> Result<Vec<AttemptRow>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT idx, reply, code, verdict, passed, total, per_test, message
             FROM attempt WHERE puzzle_id = ?1 ORDER BY idx",
        )?;
        let rows = stmt
            .query_map([puzzle_id], |r| {
                let per_test: String = r.get(6)?;
                Ok(AttemptRow {
                    idx: r.get(0)?,
                    reply: r.get(1)?,
                    code: r.get(2)?,
                    verdict: r.get(3)?,
                    passed: r.get(4)?,
                    total: r.get(5)?,
                    per_test: serde_json::from_str(&per_test).unwrap_or_default(),
                    message: r.get(7)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The score of a solved puzzle.
    pub fn score(&self, puzzle_id: i64) -> Result<Option<PuzzleScore>, SelfplayError> {
        let score = self
            .conn
            .query_row(
                "SELECT solve_rate, learnable, reward_azr, reward_sqlm, discrimination FROM puzzle
                 WHERE id = ?1 AND solve_rate IS NOT NULL",
                [puzzle_id],
                |r| {
                    Ok(PuzzleScore {
                        solve_rate: r.get(0)?,
                        learnable: r.get(1)?,
                        reward_azr: r.get(2)?,
                        reward_sqlm: r.get(3)?,
                        discrimination: r.get(4)?,
                    })
                },
            )
            .optional()?;
        Ok(score)
    }

    /// Dataset rows of `kind` (the role they train), in order, as JSON texts.
    pub fn dataset(&self, kind: TrainRole) -> Result<Vec<String>, SelfplayError> {
        self.dataset_rounds(kind, 0, u32::MAX)
    }

    /// The `kind` dataset rows of rounds `first..=last`, in the same order as [`Store::dataset`].
    pub fn dataset_rounds(
        &self,
        kind: TrainRole,
        first: u32,
        last: u32,
    ) -> Result<Vec<String>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.messages FROM dataset d JOIN puzzle p ON p.id = d.puzzle_id
             WHERE d.kind = ?1 AND p.round BETWEEN ?2 AND ?3
             ORDER BY p.round, p.slot, d.attempt_idx",
        )?;
        let rows = stmt
            .query_map(params![kind.name(), first, last], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Dataset rows that do not come from an accepted attempt of a valid puzzle (solver) or
    /// from a learnable puzzle (proposer).
    pub fn dataset_problems(&self) -> Result<Vec<String>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.kind FROM dataset d JOIN puzzle p ON p.id = d.puzzle_id
             WHERE (d.kind = 'solver' AND NOT EXISTS (SELECT 1 FROM attempt a WHERE a.puzzle_id = d.puzzle_id
                        AND a.idx = d.attempt_idx AND a.verdict = 'AC'))
                OR (d.kind = 'proposer' AND (p.learnable IS NOT 1 OR p.status != 'valid'))",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let id: i64 = r.get(0)?;
                let kind: String = r.get(1)?;
                Ok(format!("dataset row {id} ({kind}) has no verified source"))
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Everything the campaign decided, without timings or row ids, in (round, slot) order:
    /// for comparing two runs of one configuration (a resumed run must equal a straight one).
    pub fn decisions(&self) -> Result<Vec<Decision>, SelfplayError> {
        let mut out = Vec::new();
        for round in self.rounds()? {
            for p in self.puzzles(round)? {
                let attempts = self
                    .attempts(p.id)?
                    .into_iter()
                    .map(|a| (a.idx, a.verdict, a.reply))
                    .collect();
                out.push(Decision {
                    round,
                    slot: p.slot,
                    rejection: p.rejection.map(|r| r.reason),
                    reply: p.reply,
                    attempts,
                });
            }
        }
        Ok(out)
    }

    /// Numbers of the rounds started so far.
    pub fn rounds(&self) -> Result<Vec<u32>, SelfplayError> {
        let mut stmt = self
            .conn
            .prepare("SELECT number FROM round ORDER BY number")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// A round's accumulated stage times.
    pub fn round_time(&self, round: u32) -> Result<StageTime, SelfplayError> {
        let time = self.conn.query_row(
            "SELECT propose_seconds, validate_seconds, solve_seconds, judge_seconds, cpu_seconds,
                    wall_seconds FROM round WHERE number = ?1",
            [round],
            |r| {
                Ok(StageTime {
                    propose: r.get(0)?,
                    validate: r.get(1)?,
                    solve: r.get(2)?,
                    judge: r.get(3)?,
                    cpu: r.get(4)?,
                    wall: r.get(5)?,
                })
            },
        )?;
        Ok(time)
    }

    /// Dataset rows per kind for `round`.
    pub fn dataset_counts(&self, round: u32) -> Result<(u64, u64), SelfplayError> {
        let count = |kind: TrainRole| -> Result<u64, SelfplayError> {
            Ok(self.conn.query_row(
                "SELECT count(*) FROM dataset WHERE round = ?1 AND kind = ?2",
                params![round, kind.name()],
                |r| r.get::<_, i64>(0),
            )? as u64)
        };
        Ok((count(TrainRole::Solver)?, count(TrainRole::Proposer)?))
    }

    /// Valid puzzles (proposed or seed tasks) and accepted attempts of `round`, as stored:
    /// what a finished round reports, also when a resumed process judged only part of it.
    pub fn round_counts(&self, round: u32) -> Result<(u64, u64), SelfplayError> {
        let valid: i64 = self.conn.query_row(
            "SELECT count(*) FROM puzzle WHERE round = ?1 AND status = 'valid'",
            params![round],
            |r| r.get(0),
        )?;
        let accepted: i64 = self.conn.query_row(
            "SELECT count(*) FROM attempt a JOIN puzzle p ON p.id = a.puzzle_id
             WHERE p.round = ?1 AND a.verdict = 'AC'",
            params![round],
            |r| r.get(0),
        )?;
        Ok((valid as u64, accepted as u64))
    }
}
