//! What training did: the models per round, the held-out scores and their paired comparisons,
//! as terminal lines and as the report's Markdown section.

use super::charts::line_chart;
use crate::SelfplayError;
use crate::store::{HeldoutRow, ModelRow, ProblemScore, Store};
use crucible_eval::{Paired, paired};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// What training did: the models each round sampled with and the held-out curve.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrainingSummary {
    /// Models training produced (or carried over), by round and role.
    pub models: Vec<ModelRow>,
    /// Held-out scores: before training (round 0) and after each round's training, per set.
    pub heldout: Vec<HeldoutRow>,
    /// Each set's later points compared with its first, problem by problem.
    pub comparisons: Vec<Comparison>,
}

/// Two points of one evaluation set compared problem by problem.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The evaluation set.
    pub set: String,
    /// The earlier point (0: before training).
    pub before_round: u32,
    /// The later point.
    pub after_round: u32,
    /// What is compared: `greedy pass@1`, or `pass@1` (share of accepted samples).
    pub measure: String,
    /// The difference with its 95 % interval.
    pub paired: Paired,
}

/// Each set's later points against its first one: greedy pass@1 when both points have it for
/// every problem, else the per-problem share of accepted samples.
pub fn comparisons(rows: &[HeldoutRow]) -> Vec<Comparison> {
    let mut out = Vec::new();
    for set in set_names(rows) {
        let points: Vec<&HeldoutRow> = rows.iter().filter(|r| r.set == set).collect();
        let Some((first, later)) = points.split_first() else {
            continue;
        };
        for after in later {
            if let Some(c) = compare_rows(first, after) {
                out.push(c);
            }
        }
    }
    out
}

/// The evaluation sets of `rows`, each once, in order of first appearance.
fn set_names(rows: &[HeldoutRow]) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.set.as_str()) {
            names.push(&row.set);
        }
    }
    names
}

fn compare_rows(before: &HeldoutRow, after: &HeldoutRow) -> Option<Comparison> {
    let matched: Vec<(&ProblemScore, &ProblemScore)> = before
        .results
        .iter()
        .filter_map(|b| after.results.iter().find(|a| a.id == b.id).map(|a| (b, a)))
        .collect();
    let greedy = matched
        .iter()
        .all(|(b, a)| b.greedy.is_some() && a.greedy.is_some());
    let score = |s: &ProblemScore| match (greedy, s.greedy) {
        (true, Some(g)) => f64::from(u8::from(g)),
        _ => s.c as f64 / s.n.max(1) as f64,
    };
    let (b, a): (Vec<f64>, Vec<f64>) = matched.iter().map(|(b, a)| (score(b), score(a))).unzip();
    Some(Comparison {
        set: before.set.clone(),
        before_round: before.round,
        after_round: after.round,
        measure: if greedy { "greedy pass@1" } else { "pass@1" }.into(),
        paired: paired(&b, &a)?,
    })
}

impl TrainingSummary {
    /// Reads the summary from the store.
    pub fn read(store: &Store) -> Result<Self, SelfplayError> {
        let heldout = store.heldout()?;
        Ok(TrainingSummary {
            models: store.models()?,
            comparisons: comparisons(&heldout),
            heldout,
        })
    }

    /// Plain-text lines for the terminal (empty when nothing was trained or evaluated).
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for m in &self.models {
            let _ = writeln!(out, "{}", model_line(m));
        }
        for h in &self.heldout {
            let _ = writeln!(
                out,
                "held-out {} on {}: {} on {} problems ({:.0} s)",
                heldout_label(h.round),
                h.set,
                h.scores(),
                h.problems,
                h.seconds
            );
        }
        for c in &self.comparisons {
            let _ = writeln!(
                out,
                "{} {}, {} vs {}: {}",
                c.set,
                c.measure,
                heldout_label(c.after_round),
                heldout_label(c.before_round),
                c.paired.describe()
            );
        }
        out
    }

    /// The Markdown section, with the held-out chart written into `dir`.
    pub(super) fn markdown(&self, dir: &Path) -> Result<String, SelfplayError> {
        let mut md = String::new();
        if self.heldout.is_empty() && self.models.is_empty() {
            return Ok(md);
        }
        md.push_str("\n## Training and held-out score\n\n");
        if !self.heldout.is_empty() {
            for set in set_names(&self.heldout) {
                let rows: Vec<HeldoutRow> = self
                    .heldout
                    .iter()
                    .filter(|h| h.set == set)
                    .cloned()
                    .collect();
                let file = format!("heldout-{set}.svg");
                let path = dir.join(&file);
                std::fs::write(&path, line_chart(&rows))
                    .map_err(|e| SelfplayError::io(&path, e))?;
                let _ = writeln!(md, "![{set}: pass@k by round]({file})\n");
            }
            md.push_str(
                "| solver | set | greedy pass@1 | pass@1 | pass@k | problems × samples | seconds | model |\n",
            );
            md.push_str("|---|---|---:|---:|---:|---:|---:|---|\n");
            for h in &self.heldout {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} × {} | {:.0} | `{}` |",
                    heldout_label(h.round),
                    h.set,
                    h.greedy.map_or("-".into(), |g| format!("{g:.3}")),
                    sampled(h.samples, h.pass1),
                    sampled(h.samples, h.passk) + &format!(" (k = {})", h.samples),
                    h.problems,
                    h.samples + u64::from(h.greedy.is_some()),
                    h.seconds,
                    h.solver
                );
            }
        }
        if !self.comparisons.is_empty() {
            md.push_str("\n| set | measure | points | before | after | difference (95 % CI) | up / down | McNemar p |\n");
            md.push_str("|---|---|---|---:|---:|---|---:|---:|\n");
            for c in &self.comparisons {
                let p = &c.paired;
                let _ = writeln!(
                    md,
                    "| {} | {} | {} → {} | {:.3} | {:.3} | {:+.1} ({:+.1} … {:+.1}) points | {} / {} | {} |",
                    c.set,
                    c.measure,
                    c.before_round,
                    c.after_round,
                    p.before,
                    p.after,
                    p.diff * 100.0,
                    p.low * 100.0,
                    p.high * 100.0,
                    p.improved,
                    p.regressed,
                    p.mcnemar_p.map_or("-".into(), |v| format!("{v:.3}"))
                );
            }
        }
        if !self.models.is_empty() {
            md.push_str("\n| trained | role | examples | final loss | train + merge s | model |\n");
            md.push_str("|---|---|---:|---:|---:|---|\n");
            for m in &self.models {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {:.0} | `{}` |",
                    trained_label(m.round),
                    m.role.name(),
                    m.examples,
                    m.final_loss.map_or("-".into(), |l| format!("{l:.4}")),
                    m.seconds,
                    m.spec
                );
            }
        }
        Ok(md)
    }
}

/// A sampled figure, or `-` when no samples were taken.
fn sampled(samples: u64, value: f64) -> String {
    if samples == 0 {
        "-".into()
    } else {
        format!("{value:.3}")
    }
}

/// "before training" or "after round N".
pub fn heldout_label(round: u32) -> String {
    match round {
        0 => "before training".into(),
        n => format!("after round {n}"),
    }
}

/// When a model that samples round `round` was trained: "after round N", or "in the warm-up"
/// for round 1's (only a warm-up records one).
fn trained_label(round: u32) -> String {
    match round {
        0 | 1 => "in the warm-up".into(),
        n => heldout_label(n - 1),
    }
}

/// One line per model, numbered as the training is everywhere: "after round N" (the model
/// samples round N + 1).
fn model_line(m: &ModelRow) -> String {
    let after = trained_label(m.round);
    match (m.examples, m.final_loss) {
        (0, _) => format!(
            "{} {after}: nothing to train on, {} carries over",
            m.role.name(),
            m.spec
        ),
        (n, loss) => format!(
            "{} {after}: trained on {n} examples (final loss {}) in {:.0} s -> {}",
            m.role.name(),
            loss.map_or("-".into(), |l| format!("{l:.4}")),
            m.seconds,
            m.spec
        ),
    }
}
