//! The campaign store: one SQLite file (WAL) with campaign, round, puzzle, attempt and dataset
//! tables. Each unit of work is committed in one transaction under a unique key
//! (round + slot for puzzles, puzzle + index for attempts), so a campaign killed at any moment
//! resumes without losing committed work or storing anything twice.

mod models;
mod read;
mod rows;
mod schema;
mod write;

pub use rows::{
    AttemptRow, DatasetRow, Decision, FEEDBACK_MARK, HeldoutRow, ModelRow, ProblemScore, PuzzleRow,
    PuzzleScore, StageTime,
};
pub use schema::SCHEMA_VERSION;

use crate::SelfplayError;
use rusqlite::Connection;
use std::path::PathBuf;

/// The open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// The error for a row holding a value this version cannot read (a store written by
    /// another version, or edited by hand): `what` says which row and value.
    fn unreadable(&self, what: String) -> SelfplayError {
        SelfplayError::Schema {
            path: self.path.clone(),
            message: what,
        }
    }
}

#[cfg(test)]
mod tests;
