//! The campaign store: one SQLite file (WAL) with campaign, round, puzzle, attempt and dataset
//! tables. Each unit of work is committed in one transaction under a unique key
//! (round + slot for puzzles, puzzle + index for attempts), so a campaign killed at any moment
//! resumes without losing committed work or storing anything twice.

use crate::SelfplayError;
use crate::config::CampaignConfig;
use crate::similarity::Fingerprint;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The schema this code reads and writes. Older stores are upgraded in place: version 2 added
/// the `model` and `heldout` tables, version 3 the puzzle's `origin`, version 4 the puzzle's
/// `task` (pool problems) and the `evaluation` table (held-out scores per set, replacing
/// `heldout`, whose rows become the set `seed`).
pub const SCHEMA_VERSION: i64 = 4;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS campaign (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS round (
    number INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    propose_seconds REAL NOT NULL DEFAULT 0,
    validate_seconds REAL NOT NULL DEFAULT 0,
    solve_seconds REAL NOT NULL DEFAULT 0,
    judge_seconds REAL NOT NULL DEFAULT 0,
    cpu_seconds REAL NOT NULL DEFAULT 0,
    wall_seconds REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS puzzle (
    id INTEGER PRIMARY KEY,
    round INTEGER NOT NULL REFERENCES round(number),
    slot INTEGER NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT NOT NULL,
    difficulty TEXT NOT NULL,
    seed INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    reply TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('valid', 'rejected')),
    reason TEXT,
    detail TEXT,
    title TEXT,
    statement TEXT,
    draft TEXT,
    tests TEXT,
    hash TEXT,
    minhash BLOB,
    solve_rate REAL,
    learnable INTEGER,
    reward_azr REAL,
    reward_sqlm REAL,
    discrimination REAL,
    origin TEXT NOT NULL DEFAULT 'proposed' CHECK (origin IN ('proposed', 'seed')),
    task TEXT,
    UNIQUE (round, slot)
);
CREATE TABLE IF NOT EXISTS attempt (
    id INTEGER PRIMARY KEY,
    puzzle_id INTEGER NOT NULL REFERENCES puzzle(id),
    idx INTEGER NOT NULL,
    reply TEXT NOT NULL,
    code TEXT,
    verdict TEXT NOT NULL,
    passed INTEGER NOT NULL,
    total INTEGER NOT NULL,
    per_test TEXT NOT NULL,
    message TEXT NOT NULL,
    UNIQUE (puzzle_id, idx)
);
CREATE TABLE IF NOT EXISTS dataset (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('solver', 'proposer')),
    round INTEGER NOT NULL,
    puzzle_id INTEGER NOT NULL REFERENCES puzzle(id),
    attempt_idx INTEGER NOT NULL,
    messages TEXT NOT NULL,
    UNIQUE (kind, puzzle_id, attempt_idx)
);
CREATE TABLE IF NOT EXISTS model (
    round INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('proposer', 'solver')),
    spec TEXT NOT NULL,
    examples INTEGER NOT NULL,
    final_loss REAL,
    seconds REAL NOT NULL,
    PRIMARY KEY (round, role)
);
CREATE TABLE IF NOT EXISTS evaluation (
    round INTEGER NOT NULL,
    name TEXT NOT NULL,
    solver TEXT NOT NULL,
    problems INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    pass1 REAL NOT NULL,
    passk REAL NOT NULL,
    greedy REAL,
    seconds REAL NOT NULL,
    results TEXT NOT NULL,
    PRIMARY KEY (round, name)
);
";

/// Version 4's upgrade of an older store (after its own columns and tables exist): held-out
/// rows move to `evaluation` as the set `seed`.
const UPGRADE_TO_4: &str = "
ALTER TABLE puzzle ADD COLUMN task TEXT;
CREATE TABLE IF NOT EXISTS heldout (
    round INTEGER PRIMARY KEY, solver TEXT NOT NULL, problems INTEGER NOT NULL,
    samples INTEGER NOT NULL, pass1 REAL NOT NULL, passk REAL NOT NULL, seconds REAL NOT NULL,
    results TEXT NOT NULL
);
INSERT INTO evaluation (round, name, solver, problems, samples, pass1, passk, greedy, seconds, results)
    SELECT round, 'seed', solver, problems, samples, pass1, passk, NULL, seconds, results FROM heldout;
DROP TABLE heldout;
";

/// The model a role samples with in a round, when training produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    /// The round that samples with it (trained after the round before).
    pub round: u32,
    /// `proposer` or `solver`.
    pub role: String,
    /// What to open: a model folder (or, when training had no data, the previous model).
    pub spec: String,
    /// Training examples used (0: not trained, `spec` carried over).
    pub examples: u64,
    /// Last training loss.
    pub final_loss: Option<f64>,
    /// Seconds spent training and merging.
    pub seconds: f64,
}

/// The solver's score on one evaluation set at one point of the campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldoutRow {
    /// 0: before any training; N: with the solver trained after round N.
    pub round: u32,
    /// The evaluation set's name (`seed`: the seed set's heldout split).
    pub set: String,
    /// The solver evaluated.
    pub solver: String,
    /// Problems evaluated.
    pub problems: u64,
    /// Samples per problem (k of pass@k).
    pub samples: u64,
    /// Mean unbiased pass@1.
    pub pass1: f64,
    /// Mean pass@k with k = `samples`.
    pub passk: f64,
    /// Greedy pass@1 (when the greedy sample was taken).
    pub greedy: Option<f64>,
    /// Seconds spent (sampling and judging).
    pub seconds: f64,
    /// Per-problem results, in the set's order.
    pub results: Vec<ProblemScore>,
}

impl HeldoutRow {
    /// The scores as words: `greedy pass@1 0.412, pass@1 0.380, pass@5 0.610` (the sampled
    /// figures only when samples were taken).
    pub fn scores(&self) -> String {
        let mut parts = Vec::new();
        if let Some(g) = self.greedy {
            parts.push(format!("greedy pass@1 {g:.3}"));
        }
        if self.samples > 0 {
            parts.push(format!("pass@1 {:.3}", self.pass1));
            parts.push(format!("pass@{} {:.3}", self.samples, self.passk));
        }
        parts.join(", ")
    }
}

/// One problem's result in an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemScore {
    /// The problem's id.
    pub id: String,
    /// Samples judged.
    pub n: u64,
    /// Samples accepted.
    pub c: u64,
    /// Whether the greedy sample was accepted (when taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greedy: Option<bool>,
}

/// A proposal's outcome, as committed.
#[derive(Debug, Clone, PartialEq)]
pub struct PuzzleRow {
    /// Row id (0 before insertion).
    pub id: i64,
    /// Round number (from 1).
    pub round: u32,
    /// Position in the round.
    pub slot: u32,
    /// `stdio` or `p3`.
    pub kind: String,
    /// Sampled topic.
    pub topic: String,
    /// Sampled difficulty.
    pub difficulty: String,
    /// The proposal's sampling seed.
    pub seed: u64,
    /// The proposer's prompt (user message).
    pub prompt: String,
    /// The proposer's reply, verbatim.
    pub reply: String,
    /// `None` when valid; otherwise the rejection reason and detail.
    pub rejection: Option<(String, String)>,
    /// Title (parsed puzzles).
    pub title: Option<String>,
    /// Statement (stdin/stdout) or `sat` (P3).
    pub statement: Option<String>,
    /// The parsed draft as JSON.
    pub draft: Option<String>,
    /// The tests (inputs with expected outputs) as JSON.
    pub tests: Option<String>,
    /// Fingerprint of the statement.
    pub fingerprint: Option<Fingerprint>,
    /// A problem with known tests given to the solver (a pool or seed-set problem, not a
    /// proposal): no proposer data, not counted among proposals.
    pub seed_task: bool,
    /// The pool problem it is (pool tasks; `None` for proposals and older seed tasks, which
    /// carry their draft).
    pub task: Option<crate::pools::TaskRef>,
}

/// One judged attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRow {
    /// Index among the puzzle's k attempts.
    pub idx: u32,
    /// The solver's reply.
    pub reply: String,
    /// The extracted program (`None`: the reply held none).
    pub code: Option<String>,
    /// Verdict code (`AC`, `WA`, ..., `NOCODE`).
    pub verdict: String,
    /// Tests passed.
    pub passed: u32,
    /// Tests judged.
    pub total: u32,
    /// Pass (true) or fail per test, in test order.
    pub per_test: Vec<bool>,
    /// Compiler output or the first failure's message.
    pub message: String,
}

impl AttemptRow {
    /// Whether the attempt was accepted.
    pub fn accepted(&self) -> bool {
        self.verdict == "AC"
    }
}

/// The scores of a solved puzzle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PuzzleScore {
    /// Fraction of attempts accepted.
    pub solve_rate: f64,
    /// 0 < solve rate < 1.
    pub learnable: bool,
    /// Absolute Zero's proposer reward: 1 − p when 0 < p < 1, else 0.
    pub reward_azr: f64,
    /// Self-Questioning LM's reward: 1 when some but not all attempts pass.
    pub reward_sqlm: f64,
    /// Share of tests that catch at least one wrong attempt (stdin/stdout puzzles).
    pub discrimination: Option<f64>,
}

/// A dataset row (chat messages as JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetRow {
    /// `solver` or `proposer`.
    pub kind: &'static str,
    /// The puzzle it came from.
    pub puzzle_id: i64,
    /// The attempt it came from (solver rows); -1 for proposer rows.
    pub attempt_idx: i64,
    /// `{"messages": [...]}`.
    pub messages: String,
}

/// What a campaign decided about one proposal (see [`Store::decisions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Round number.
    pub round: u32,
    /// Slot in the round.
    pub slot: u32,
    /// Rejection reason, `None` when valid.
    pub rejection: Option<String>,
    /// The proposer's reply.
    pub reply: String,
    /// Each attempt's index, verdict and reply.
    pub attempts: Vec<(u32, String, String)>,
}

/// Time and CPU spent, added to a round's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTime {
    /// Proposer generation, seconds.
    pub propose: f64,
    /// Puzzle validation in the sandbox, seconds of wall time during which any validation was
    /// in progress (overlapping validations count once).
    pub validate: f64,
    /// Solver generation, seconds.
    pub solve: f64,
    /// Judging attempts, seconds of wall time during which any judging was in progress.
    pub judge: f64,
    /// Process CPU time (with child processes), seconds.
    pub cpu: f64,
    /// Wall time, seconds.
    pub wall: f64,
}

impl StageTime {
    /// Adds `other`'s times to these.
    pub fn add(&mut self, other: &StageTime) {
        self.propose += other.propose;
        self.validate += other.validate;
        self.solve += other.solve;
        self.judge += other.judge;
        self.cpu += other.cpu;
        self.wall += other.wall;
    }
}

/// The open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Store {
    /// Opens `path`, creating the schema if the file is new; refuses other schema versions.
    pub fn open(path: &Path) -> Result<Self, SelfplayError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| SelfplayError::io(dir, e))?;
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<(), SelfplayError> {
        let has_meta: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get(0),
        )?;
        if has_meta {
            let version: Option<String> = self
                .conn
                .query_row(
                    "SELECT value FROM meta WHERE key = 'schema_version'",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            let add_origin = match version.as_deref() {
                Some("1" | "2") => Some(
                    "ALTER TABLE puzzle ADD COLUMN origin TEXT NOT NULL DEFAULT 'proposed'
                         CHECK (origin IN ('proposed', 'seed'));",
                ),
                Some("3") => Some(""),
                _ => None,
            };
            if let Some(add_origin) = add_origin {
                // Later versions add tables and nullable or defaulted columns: add them, move
                // the held-out rows and record the new version, in one transaction.
                self.conn.execute_batch(&format!(
                    "BEGIN;
                     {add_origin}
                     {SCHEMA}
                     {UPGRADE_TO_4}
                     UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version';
                     COMMIT;"
                ))?;
                return Ok(());
            }
            if version.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
                return Err(SelfplayError::Schema {
                    path: self.path.clone(),
                    message: format!(
                        "schema version {} is not {SCHEMA_VERSION}, the one this crucible reads",
                        version.unwrap_or_else(|| "missing".into())
                    ),
                });
            }
        } else {
            let tables: i64 = self.conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )?;
            if tables > 0 {
                return Err(SelfplayError::Schema {
                    path: self.path.clone(),
                    message: "not a campaign store (it has other tables)".into(),
                });
            }
        }
        self.conn.execute_batch(SCHEMA)?;
        self.conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?1)",
            [SCHEMA_VERSION.to_string()],
        )?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records the campaign's configuration (first call) or returns the recorded one.
    pub fn campaign_config(
        &self,
        config: &CampaignConfig,
    ) -> Result<CampaignConfig, SelfplayError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO campaign (id, name, config, created_at) VALUES (1, ?1, ?2, ?3)",
            params![config.name, config.to_toml(), now()],
        )?;
        let text: String =
            self.conn
                .query_row("SELECT config FROM campaign WHERE id = 1", [], |r| r.get(0))?;
        CampaignConfig::from_toml(&text)
    }

    /// The recorded configuration, if the campaign was started.
    pub fn stored_config(&self) -> Result<Option<CampaignConfig>, SelfplayError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT config FROM campaign WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        text.map(|t| CampaignConfig::from_toml(&t)).transpose()
    }

    /// Marks round `number` started (once).
    pub fn start_round(&self, number: u32) -> Result<(), SelfplayError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO round (number, started_at) VALUES (?1, ?2)",
            params![number, now()],
        )?;
        Ok(())
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
            Some((r, d)) => ("rejected", Some(r.as_str()), Some(d.as_str())),
        };
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO puzzle (round, slot, kind, topic, difficulty, seed, prompt, reply,
                 status, reason, detail, title, statement, draft, tests, hash, minhash, origin, task)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![
                row.round,
                row.slot,
                row.kind,
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
    /// `rejection` (reason, detail) marks a puzzle that solving showed invalid — a P3 puzzle
    /// without a reference that no attempt satisfied — rejected in the same transaction.
    pub fn commit_attempts(
        &mut self,
        puzzle_id: i64,
        attempts: &[AttemptRow],
        score: &PuzzleScore,
        time: &StageTime,
        rejection: Option<(&str, &str)>,
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
        if let Some((reason, detail)) = rejection {
            tx.execute(
                "UPDATE puzzle SET status = 'rejected', reason = ?2, detail = ?3 WHERE id = ?1",
                params![puzzle_id, reason, detail],
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

    fn puzzles_where(&self, condition: &str, value: i64) -> Result<Vec<PuzzleRow>, SelfplayError> {
        let sql = format!(
            "SELECT id, round, slot, kind, topic, difficulty, seed, prompt, reply, reason, detail,
                    title, statement, draft, tests, hash, minhash, origin, task
             FROM puzzle WHERE {condition} ORDER BY slot"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map([value], |r| {
                let reason: Option<String> = r.get(9)?;
                let detail: Option<String> = r.get(10)?;
                let hash: Option<String> = r.get(15)?;
                let minhash: Option<Vec<u8>> = r.get(16)?;
                Ok(PuzzleRow {
                    id: r.get(0)?,
                    round: r.get(1)?,
                    slot: r.get(2)?,
                    kind: r.get(3)?,
                    topic: r.get(4)?,
                    difficulty: r.get(5)?,
                    seed: r.get::<_, i64>(6)? as u64,
                    prompt: r.get(7)?,
                    reply: r.get(8)?,
                    rejection: reason.map(|r| (r, detail.unwrap_or_default())),
                    title: r.get(11)?,
                    statement: r.get(12)?,
                    draft: r.get(13)?,
                    tests: r.get(14)?,
                    fingerprint: hash
                        .map(|h| Fingerprint::from_parts(h, &minhash.unwrap_or_default())),
                    seed_task: r.get::<_, String>(17)? == "seed",
                    task: r
                        .get::<_, Option<String>>(18)?
                        .and_then(|t| serde_json::from_str(&t).ok()),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
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
                    row.kind,
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

    /// Dataset rows of `kind` (`solver` or `proposer`), in order, as JSON texts.
    pub fn dataset(&self, kind: &str) -> Result<Vec<String>, SelfplayError> {
        self.dataset_rounds(kind, 0, u32::MAX)
    }

    /// The `kind` dataset rows of rounds `first..=last`, in the same order as [`Store::dataset`].
    pub fn dataset_rounds(
        &self,
        kind: &str,
        first: u32,
        last: u32,
    ) -> Result<Vec<String>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.messages FROM dataset d JOIN puzzle p ON p.id = d.puzzle_id
             WHERE d.kind = ?1 AND p.round BETWEEN ?2 AND ?3
             ORDER BY p.round, p.slot, d.attempt_idx",
        )?;
        let rows = stmt
            .query_map(params![kind, first, last], |r| r.get(0))?
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
                    rejection: p.rejection.map(|r| r.0),
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
        let count = |kind: &str| -> Result<u64, SelfplayError> {
            Ok(self.conn.query_row(
                "SELECT count(*) FROM dataset WHERE round = ?1 AND kind = ?2",
                params![round, kind],
                |r| r.get::<_, i64>(0),
            )? as u64)
        };
        Ok((count("solver")?, count("proposer")?))
    }
}

impl Store {
    /// Records the model `row.role` samples with in `row.round` (replacing an earlier record).
    pub fn set_model(&self, row: &ModelRow) -> Result<(), SelfplayError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO model (round, role, spec, examples, final_loss, seconds)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                row.round,
                row.role,
                row.spec,
                row.examples as i64,
                row.final_loss,
                row.seconds
            ],
        )?;
        Ok(())
    }

    /// The recorded model of `role` for `round`, if training produced one.
    pub fn model(&self, round: u32, role: &str) -> Result<Option<ModelRow>, SelfplayError> {
        Ok(self
            .conn
            .query_row(
                "SELECT round, role, spec, examples, final_loss, seconds FROM model
                 WHERE round = ?1 AND role = ?2",
                params![round, role],
                model_row,
            )
            .optional()?)
    }

    /// Every recorded model, by round and role.
    pub fn models(&self) -> Result<Vec<ModelRow>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT round, role, spec, examples, final_loss, seconds FROM model ORDER BY round, role",
        )?;
        let rows = stmt.query_map([], model_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Records a held-out evaluation (replacing an earlier one of the same round and set).
    pub fn set_heldout(&self, row: &HeldoutRow) -> Result<(), SelfplayError> {
        let results = serde_json::to_string(&row.results)
            .map_err(|e| SelfplayError::Config(format!("held-out results: {e}")))?;
        self.conn.execute(
            "INSERT OR REPLACE INTO evaluation
                 (round, name, solver, problems, samples, pass1, passk, greedy, seconds, results)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                row.round,
                row.set,
                row.solver,
                row.problems as i64,
                row.samples as i64,
                row.pass1,
                row.passk,
                row.greedy,
                row.seconds,
                results
            ],
        )?;
        Ok(())
    }

    /// Every held-out evaluation, by round, then set name.
    pub fn heldout(&self) -> Result<Vec<HeldoutRow>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT round, name, solver, problems, samples, pass1, passk, greedy, seconds, results
             FROM evaluation ORDER BY round, name",
        )?;
        let rows = stmt.query_map([], |r| {
            let results: String = r.get(9)?;
            Ok(HeldoutRow {
                round: r.get(0)?,
                set: r.get(1)?,
                solver: r.get(2)?,
                problems: r.get::<_, i64>(3)? as u64,
                samples: r.get::<_, i64>(4)? as u64,
                pass1: r.get(5)?,
                passk: r.get(6)?,
                greedy: r.get(7)?,
                seconds: r.get(8)?,
                results: serde_json::from_str(&results).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

fn model_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ModelRow> {
    Ok(ModelRow {
        round: r.get(0)?,
        role: r.get(1)?,
        spec: r.get(2)?,
        examples: r.get::<_, i64>(3)? as u64,
        final_loss: r.get(4)?,
        seconds: r.get(5)?,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(slot: u32, valid: bool) -> PuzzleRow {
        PuzzleRow {
            id: 0,
            round: 1,
            slot,
            kind: "stdio".into(),
            topic: "strings".into(),
            difficulty: "easy".into(),
            seed: u64::MAX - 3,
            prompt: "write".into(),
            reply: "reply".into(),
            rejection: (!valid).then(|| ("format_no_code".to_string(), "no block".to_string())),
            title: None,
            statement: valid.then(|| "Read n, print n.".to_string()),
            draft: None,
            tests: None,
            fingerprint: valid.then(|| Fingerprint::of("Read n, print n.")),
            seed_task: false,
            task: None,
        }
    }

    #[test]
    fn commits_are_idempotent_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let mut store = Store::open(&path).unwrap();
        store.campaign_config(&CampaignConfig::default()).unwrap();
        store.start_round(1).unwrap();
        let t = StageTime {
            propose: 1.5,
            ..StageTime::default()
        };
        let a = store.commit_puzzle(&row(0, true), &t).unwrap();
        let again = store.commit_puzzle(&row(0, true), &t).unwrap();
        assert_eq!(a, again);
        store.commit_puzzle(&row(1, false), &t).unwrap();
        assert_eq!(store.committed_slots(1).unwrap(), vec![0, 1]);
        assert_eq!(store.round_time(1).unwrap().propose, 3.0);
        let back = store.puzzles(1).unwrap();
        assert_eq!(back[0].seed, u64::MAX - 3);
        assert_eq!(back[0].fingerprint, row(0, true).fingerprint);
        assert_eq!(back[1].rejection.as_ref().unwrap().0, "format_no_code");
        assert_eq!(store.unsolved(1).unwrap().len(), 1);

        let attempt = AttemptRow {
            idx: 0,
            reply: "r".into(),
            code: Some("print(1)".into()),
            verdict: "AC".into(),
            passed: 2,
            total: 2,
            per_test: vec![true, true],
            message: String::new(),
        };
        let score = PuzzleScore {
            solve_rate: 1.0,
            learnable: false,
            reward_azr: 0.0,
            reward_sqlm: 0.0,
            discrimination: Some(0.0),
        };
        store
            .commit_attempts(a, std::slice::from_ref(&attempt), &score, &t, None)
            .unwrap();
        store
            .commit_attempts(a, &[attempt.clone(), attempt.clone()], &score, &t, None)
            .unwrap();
        assert_eq!(store.attempts(a).unwrap(), vec![attempt]);
        assert_eq!(store.score(a).unwrap(), Some(score));
        assert!(store.unsolved(1).unwrap().is_empty());
        drop(store);
        let reopened = Store::open(&path).unwrap();
        assert_eq!(
            reopened.stored_config().unwrap(),
            Some(CampaignConfig::default())
        );
    }

    #[test]
    fn refuses_foreign_databases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        drop(conn);
        let err = Store::open(&path).err().expect("refused");
        assert!(err.to_string().contains("not a campaign store"), "{err}");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("DROP TABLE t; CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('schema_version', '99')").unwrap();
        drop(conn);
        let err = Store::open(&path).err().expect("refused");
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }

    #[test]
    fn version_1_stores_are_upgraded_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("campaign.db");
        let mut store = Store::open(&path).unwrap();
        store.start_round(1).unwrap();
        store
            .commit_puzzle(&row(0, true), &StageTime::default())
            .unwrap();
        drop(store);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE model; DROP TABLE evaluation; ALTER TABLE puzzle DROP COLUMN origin;
             ALTER TABLE puzzle DROP COLUMN task;
             UPDATE meta SET value = '1' WHERE key = 'schema_version'",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).expect("upgraded");
        assert_eq!(store.rounds().unwrap(), vec![1]);
        let kept = store.puzzles(1).unwrap();
        assert_eq!(kept.len(), 1);
        assert!(!kept[0].seed_task);
        let row = ModelRow {
            round: 2,
            role: "solver".into(),
            spec: "models/round-1/solver".into(),
            examples: 3,
            final_loss: Some(0.5),
            seconds: 1.0,
        };
        store.set_model(&row).unwrap();
        assert_eq!(store.model(2, "solver").unwrap(), Some(row));
        drop(store);
        let version: String = Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION.to_string());
    }

    #[test]
    fn version_3_held_out_rows_become_the_seed_set() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("campaign.db");
        let mut store = Store::open(&path).unwrap();
        store.start_round(1).unwrap();
        let mut pool_task = row(0, true);
        pool_task.seed_task = true;
        pool_task.task = Some(crate::pools::TaskRef {
            pool: "mbpp".into(),
            id: "mbpp/601".into(),
        });
        store
            .commit_puzzle(&pool_task, &StageTime::default())
            .unwrap();
        assert_eq!(store.puzzles(1).unwrap()[0].task, pool_task.task);
        drop(store);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE evaluation; ALTER TABLE puzzle DROP COLUMN task;
             CREATE TABLE heldout (round INTEGER PRIMARY KEY, solver TEXT NOT NULL,
                 problems INTEGER NOT NULL, samples INTEGER NOT NULL, pass1 REAL NOT NULL,
                 passk REAL NOT NULL, seconds REAL NOT NULL, results TEXT NOT NULL);
             INSERT INTO heldout VALUES (0, 'base', 2, 5, 0.1, 0.5, 3.0,
                 '[{\"id\":\"a\",\"n\":5,\"c\":1},{\"id\":\"b\",\"n\":5,\"c\":0}]');
             UPDATE meta SET value = '3' WHERE key = 'schema_version'",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).expect("upgraded");
        let rows = store.heldout().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].set.as_str(), rows[0].greedy), ("seed", None));
        assert_eq!(
            rows[0].results[0],
            ProblemScore {
                id: "a".into(),
                n: 5,
                c: 1,
                greedy: None
            }
        );
        assert_eq!(store.puzzles(1).unwrap()[0].task, None);
    }
}
