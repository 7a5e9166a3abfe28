//! The models each role samples with per round, and the held-out evaluations.

use super::Store;
use super::rows::{HeldoutRow, ModelRow};
use crate::SelfplayError;
use crate::config::TrainRole;
use rusqlite::params;

impl Store {
    /// Records the model `row.role` samples with in `row.round` (replacing an earlier record).
    pub fn set_model(&self, row: &ModelRow) -> Result<(), SelfplayError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO model (round, role, spec, examples, final_loss, seconds)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                row.round,
                row.role.name(),
                row.spec,
                row.examples as i64,
                row.final_loss,
                row.seconds
            ],
        )?;
        Ok(())
    }

    /// The recorded model of `role` for `round`, if training produced one.
    pub fn model(&self, round: u32, role: TrainRole) -> Result<Option<ModelRow>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT round, role, spec, examples, final_loss, seconds FROM model
             WHERE round = ?1 AND role = ?2",
        )?;
        let mut rows = stmt.query(params![round, role.name()])?;
        rows.next()?.map(|r| self.model_row(r)).transpose()
    }

    /// Every recorded model, by round and role.
    pub fn models(&self) -> Result<Vec<ModelRow>, SelfplayError> {
        let mut stmt = self.conn.prepare(
            "SELECT round, role, spec, examples, final_loss, seconds FROM model ORDER BY round, role",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(self.model_row(r)?);
        }
        Ok(out)
    }

    fn model_row(&self, r: &rusqlite::Row<'_>) -> Result<ModelRow, SelfplayError> {
        let round: u32 = r.get(0)?;
        let role: String = r.get(1)?;
        let role = TrainRole::parse(&role).ok_or_else(|| {
            self.unreadable(format!(
                "the model of round {round} has the role `{role}`, which this crucible does not know"
            ))
        })?;
        Ok(ModelRow {
            round,
            role,
            spec: r.get(2)?,
            examples: r.get::<_, i64>(3)? as u64,
            final_loss: r.get(4)?,
            seconds: r.get(5)?,
        })
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
