//! Writing: the campaign's configuration, rounds, committed puzzles and attempts, dataset rows
//! and stage times, each unit of work in one transaction.

use super::Store;
use super::rows::{AttemptRow, DatasetRow, PuzzleRow, PuzzleScore, StageTime};
use crate::SelfplayError;
use crate::config::CampaignConfig;
use crate::similarity::Fingerprint;
use crate::verdicts::Rejection;
use rusqlite::params;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Store {
    /// Records the campaign's configuration (first call) or returns the recorded one.
    pub fn campaign_config(
        &self,
        config: &CampaignConfig,
    ) -> Result<CampaignConfig, SelfplayError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO campaign (id, name, config, created_at) VALUES (1, ?1, ?2, ?3)",
            params![config.name, config.to_toml(), now()],
        )?;
        self.config_as_stored()
    }

    /// Replaces the fingerprints of the puzzles given and records their `version`, in one
    /// transaction.
    pub fn set_fingerprints(
        &mut self,
        fingerprints: &[(i64, Fingerprint)],
        version: u32,
    ) -> Result<(), SelfplayError> {
        let tx = self.conn.transaction()?;
        for (id, f) in fingerprints {
            tx.execute(
                "UPDATE puzzle SET hash = ?2, minhash = ?3 WHERE id = ?1",
                params![id, f.hash, f.minhash_bytes()],
            )?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('fingerprint_version', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [version.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces the stored configuration (the campaign's `rounds` grew or shrank); returns it as
    /// stored.
    pub fn update_config(&self, config: &CampaignConfig) -> Result<CampaignConfig, SelfplayError> {
        self.conn.execute(
            "UPDATE campaign SET config = ?1 WHERE id = 1",
            params![config.to_toml()],
        )?;
        self.config_as_stored()
    }

    /// The configuration the store holds (after a write: it must hold one).
    fn config_as_stored(&self) -> Result<CampaignConfig, SelfplayError> {
        let text: String =
            self.conn
                .query_row("SELECT config FROM campaign WHERE id = 1", [], |r| r.get(0))?;
        CampaignConfig::from_toml(&text)
    }

    /// Marks round `number` started (once).
    pub fn start_round(&self, number: u32) -> Result<(), SelfplayError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO round (number, started_at) VALUES (?1, ?2)",
            params![number, now()],
        )?;
        Ok(())
    }

    /// Commits a proposal's outcome with the time it took; returns its id. A second commit of
    /// the same (round, slot) changes nothing and returns the first one's id.
    pub fn commit_puzzle(
        &mut self,
        row: &PuzzleRow,
        time: &StageTime,
    ) -> Result<i64, SelfplayError> {
        let tx = self.conn.transaction()?;
        let (status, reason, detail) = match &row.rejection {
            None => ("valid", None, None),
            Some(r) => ("rejected", Some(r.reason.name()), Some(r.detail.as_str())),
        };
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO puzzle (round, slot, kind, topic, difficulty, seed, prompt, reply,
                 status, reason, detail, title, statement, draft, tests, hash, minhash, origin, task)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![
                row.round,
                row.slot,
                row.kind.name(),
                row.topic,
                row.difficulty,
                row.seed as i64,
                row.prompt,
                row.reply,
                status,
                reason,
                detail,
                row.title,
                row.statement,
                row.draft,
                row.tests,
                row.fingerprint.as_ref().map(|f| f.hash.clone()),
                row.fingerprint.as_ref().map(Fingerprint::minhash_bytes),
                if row.seed_task { "seed" } else { "proposed" },
                row.task.as_ref().and_then(|t| serde_json::to_string(t).ok()),
            ],
        )?;
        if inserted == 1 {
            add_time(&tx, row.round, time)?;
        }
        let id = tx.query_row(
            "SELECT id FROM puzzle WHERE round = ?1 AND slot = ?2",
            params![row.round, row.slot],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Commits all attempts of a puzzle and its scores in one transaction (once). A
    /// `rejection` marks a puzzle that solving showed invalid — a P3 puzzle without a
    /// reference that no attempt satisfied — rejected in the same transaction.
    pub fn commit_attempts(
        &mut self,
        puzzle_id: i64,
        attempts: &[AttemptRow],
        score: &PuzzleScore,
        time: &StageTime,
        rejection: Option<&Rejection>,
    ) -> Result<(), SelfplayError> {
        let tx = self.conn.transaction()?;
        let round: u32 =
            tx.query_row("SELECT round FROM puzzle WHERE id = ?1", [puzzle_id], |r| {
                r.get(0)
            })?;
        let already: i64 = tx.query_row(
            "SELECT count(*) FROM attempt WHERE puzzle_id = ?1",
            [puzzle_id],
            |r| r.get(0),
        )?;
        if already > 0 {
            return Ok(());
        }
        for a in attempts {
            tx.execute(
                "INSERT INTO attempt (puzzle_id, idx, reply, code, verdict, passed, total, per_test, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    puzzle_id,
                    a.idx,
                    a.reply,
                    a.code,
                    a.verdict,
                    a.passed,
                    a.total,
                    serde_json::to_string(&a.per_test).unwrap_or_default(),
                    a.message,
                ],
            )?;
        }
        tx.execute(
            "UPDATE puzzle SET solve_rate = ?2, learnable = ?3, reward_azr = ?4, reward_sqlm = ?5,
                 discrimination = ?6 WHERE id = ?1",
            params![
                puzzle_id,
                score.solve_rate,
                score.learnable,
                score.reward_azr,
                score.reward_sqlm,
                score.discrimination
            ],
        )?;
        if let Some(rejection) = rejection {
            tx.execute(
                "UPDATE puzzle SET status = 'rejected', reason = ?2, detail = ?3 WHERE id = ?1",
                params![puzzle_id, rejection.reason.name(), rejection.detail],
            )?;
        }
        add_time(&tx, round, time)?;
        tx.commit()?;
        Ok(())
    }

    /// Adds time to a round's totals outside a unit of work (e.g. time spent before a kill).
    pub fn add_round_time(&mut self, round: u32, time: &StageTime) -> Result<(), SelfplayError> {
        let tx = self.conn.transaction()?;
        add_time(&tx, round, time)?;
        tx.commit()?;
        Ok(())
    }

    /// Finishes a round: stores its dataset rows and marks it finished, in one transaction.
    pub fn finish_round(
        &mut self,
        round: u32,
        rows: &[DatasetRow],
        time: &StageTime,
    ) -> Result<(), SelfplayError> {
        let tx = self.conn.transaction()?;
        for row in rows {
            tx.execute(
                "INSERT OR IGNORE INTO dataset (kind, round, puzzle_id, attempt_idx, messages)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    row.kind.name(),
                    round,
                    row.puzzle_id,
                    row.attempt_idx,
                    row.messages
                ],
            )?;
        }
        add_time(&tx, round, time)?;
        tx.execute(
            "UPDATE round SET finished_at = ?2 WHERE number = ?1 AND finished_at IS NULL",
            params![round, now()],
        )?;
        tx.commit()?;
        Ok(())
    }
}

fn add_time(
    tx: &rusqlite::Transaction<'_>,
    round: u32,
    t: &StageTime,
) -> Result<(), SelfplayError> {
    tx.execute(
        "UPDATE round SET propose_seconds = propose_seconds + ?2, validate_seconds = validate_seconds + ?3,
             solve_seconds = solve_seconds + ?4, judge_seconds = judge_seconds + ?5,
             cpu_seconds = cpu_seconds + ?6, wall_seconds = wall_seconds + ?7
         WHERE number = ?1",
        params![round, t.propose, t.validate, t.solve, t.judge, t.cpu, t.wall],
    )?;
    Ok(())
}
