//! The schema: its tables, opening a store, and upgrading older stores in place.

use super::Store;
use crate::SelfplayError;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::{Duration, Instant};

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

/// How long opening or writing waits for another connection's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Switches `conn` to write-ahead logging. SQLite answers "busy" at once, without waiting,
/// while another connection switches a new file: retried until `BUSY_TIMEOUT`.
fn use_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::DatabaseBusy && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            done => return done,
        }
    }
}

impl Store {
    /// Opens `path`, creating the schema if the file is new; refuses other schema versions.
    pub fn open(path: &Path) -> Result<Self, SelfplayError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| SelfplayError::io(dir, e))?;
        }
        let conn = Connection::open(path)?;
        // The timeout first: another process (a running campaign, `campaign status`) may hold
        // the file while this one switches the journal mode or creates the schema.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        use_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        // Reading the version and creating or upgrading the schema is one write transaction:
        // two processes opening a new store at once would otherwise each see half the other's
        // tables (a missing version, "other tables") and fail.
        let migration = Transaction::new_unchecked(&store.conn, TransactionBehavior::Immediate)?;
        store.migrate()?;
        migration.commit()?;
        Ok(store)
    }

    /// Creates the schema in an empty store or upgrades an older one; runs inside `open`'s
    /// transaction.
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
                // the held-out rows and record the new version.
                self.conn.execute_batch(&format!(
                    "{add_origin}
                     {SCHEMA}
                     {UPGRADE_TO_4}
                     UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version';"
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
}
