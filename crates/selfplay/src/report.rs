//! Per-round summaries (`crucible campaign status`) and the Markdown report with SVG charts.

use crate::SelfplayError;
use crate::store::{HeldoutRow, ModelRow, ProblemScore, StageTime, Store};
use crucible_eval::{Paired, paired};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
        let dups = self.count("near_duplicate") + self.count("copied_example");
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

    fn count(&self, reason: &str) -> u64 {
        self.rejected.get(reason).copied().unwrap_or(0)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn bucket(p: f64) -> usize {
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
            let kind = s.kinds.entry(puzzle.kind.clone()).or_default();
            kind.proposed += 1;
            match &puzzle.rejection {
                Some((reason, _)) => {
                    *s.rejected.entry(reason.clone()).or_default() += 1;
                    *kind.rejected.entry(reason.clone()).or_default() += 1;
                    kind.duplicates +=
                        u64::from(reason == "near_duplicate" || reason == "copied_example");
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
    fn markdown(&self, dir: &Path) -> Result<String, SelfplayError> {
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
                    heldout_label(m.round.saturating_sub(1)),
                    m.role,
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

/// One line per model, numbered as the training is everywhere: "after round N" (the model
/// samples round N + 1).
fn model_line(m: &ModelRow) -> String {
    let after = heldout_label(m.round.saturating_sub(1));
    match (m.examples, m.final_loss) {
        (0, _) => format!(
            "{} {after}: nothing to train on, {} carries over",
            m.role, m.spec
        ),
        (n, loss) => format!(
            "{} {after}: trained on {n} examples (final loss {}) in {:.0} s -> {}",
            m.role,
            loss.map_or("-".into(), |l| format!("{l:.4}")),
            m.seconds,
            m.spec
        ),
    }
}

/// An SVG line chart of pass@1 and pass@k against the evaluation points.
fn line_chart(rows: &[HeldoutRow]) -> String {
    let (left, top, width, height) = (50.0, 30.0, 340.0, 150.0);
    let step = width / (rows.len().max(2) - 1) as f64;
    let point = |i: usize, v: f64| {
        (
            left + step * i as f64,
            top + height * (1.0 - v.clamp(0.0, 1.0)),
        )
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"230\" font-family=\"sans-serif\" font-size=\"11\">\
         <text x=\"10\" y=\"16\" font-size=\"13\">Held-out pass@1 (blue) and pass@k (orange)</text>\
         <line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\"/>\
         <text x=\"10\" y=\"{}\">1.0</text><text x=\"10\" y=\"{}\">0.0</text>",
        top + height,
        left + width,
        top + height,
        top + 4.0,
        top + height
    );
    for (values, colour) in [
        (rows.iter().map(|r| r.pass1).collect::<Vec<_>>(), "#4a7bd0"),
        (rows.iter().map(|r| r.passk).collect::<Vec<_>>(), "#d08a4a"),
    ] {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let (x, y) = point(i, v);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        );
        for (i, &v) in values.iter().enumerate() {
            let (x, y) = point(i, v);
            let _ = write!(
                svg,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{colour}\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v:.2}</text>",
                y - 6.0
            );
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let (x, _) = point(i, 0.0);
        let label = if r.round == 0 {
            "base".to_string()
        } else {
            format!("r{}", r.round)
        };
        let _ = write!(
            svg,
            "<text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
            top + height + 16.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A plain-text summary for the terminal.
pub fn render_text(summaries: &[RoundSummary]) -> String {
    let mut out = String::new();
    for s in summaries {
        let _ = writeln!(
            out,
            "round {}{}: {} proposed, {} valid ({:.0}%), {} judged, {} learnable ({:.0}%), {} verified pairs, near-duplicates {:.0}%",
            s.round,
            if s.finished { "" } else { " (unfinished)" },
            s.proposed,
            s.valid,
            100.0 * s.valid_rate(),
            s.solved,
            s.learnable,
            100.0 * s.learnable_rate(),
            s.verified_pairs,
            100.0 * s.near_duplicate_rate(),
        );
        if !s.rejected.is_empty() {
            let reasons: Vec<String> = s.rejected.iter().map(|(r, n)| format!("{r} {n}")).collect();
            let _ = writeln!(out, "  rejected: {}", reasons.join(", "));
        }
        if s.kinds.len() > 1 || s.kinds.values().any(|k| k.found_inputs > 0) {
            for (name, kind) in &s.kinds {
                let _ = writeln!(out, "  {name}: {}", kind.describe());
            }
        }
        let hist: Vec<String> = BUCKETS
            .iter()
            .zip(s.histogram)
            .map(|(b, n)| format!("{b}: {n}"))
            .collect();
        let _ = writeln!(out, "  solve rate: {}", hist.join("  "));
        if s.seed_tasks > 0 {
            for (name, pool) in &s.pools {
                let _ = writeln!(out, "  pool {name}: {}", pool.describe());
            }
        }
        let t = &s.time;
        let _ = writeln!(
            out,
            "  time: propose {:.0}s, validate {:.0}s, solve {:.0}s, judge {:.0}s; wall {:.0}s, CPU {:.0}s; {:.1} pairs/CPU-hour, {:.1} pairs/hour",
            t.propose,
            t.validate,
            t.solve,
            t.judge,
            t.wall,
            t.cpu,
            s.pairs_per_cpu_hour(),
            s.pairs_per_hour()
        );
        let _ = writeln!(
            out,
            "  datasets: {} solver examples, {} proposer examples",
            s.solver_examples, s.proposer_examples
        );
    }
    out
}

/// Writes `report.md` and one solve-rate chart per round into `dir`; returns the report path.
pub fn write_report(
    summaries: &[RoundSummary],
    training: &TrainingSummary,
    name: &str,
    dir: &Path,
) -> Result<PathBuf, SelfplayError> {
    std::fs::create_dir_all(dir).map_err(|e| SelfplayError::io(dir, e))?;
    let mut md = format!("# Campaign `{name}`\n\n");
    md.push_str("| round | proposed | valid | learnable | near-dup | verified pairs | pairs/CPU-h | solver ex. | proposer ex. |\n");
    md.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for s in summaries {
        let _ = writeln!(
            md,
            "| {} | {} | {} ({:.0}%) | {} ({:.0}%) | {:.0}% | {} | {:.1} | {} | {} |",
            s.round,
            s.proposed,
            s.valid,
            100.0 * s.valid_rate(),
            s.learnable,
            100.0 * s.learnable_rate(),
            100.0 * s.near_duplicate_rate(),
            s.verified_pairs,
            s.pairs_per_cpu_hour(),
            s.solver_examples,
            s.proposer_examples
        );
    }
    for s in summaries {
        let chart = format!("round-{}-solve-rate.svg", s.round);
        let path = dir.join(&chart);
        std::fs::write(
            &path,
            bar_chart(
                &format!("Round {}: solve rate of judged puzzles", s.round),
                &s.histogram,
            ),
        )
        .map_err(|e| SelfplayError::io(&path, e))?;
        let _ = write!(
            md,
            "\n## Round {}\n\n![solve-rate histogram]({chart})\n\n",
            s.round
        );
        if s.seed_tasks > 0 {
            for (name, pool) in &s.pools {
                let _ = writeln!(md, "Pool {name}: {}.\n", pool.describe());
            }
        }
        for (name, kind) in &s.kinds {
            let _ = writeln!(md, "Kind {name}: {}.\n", kind.describe());
        }
        md.push_str("| rejection reason | count |\n|---|---:|\n");
        for (reason, n) in &s.rejected {
            let _ = writeln!(md, "| {reason} | {n} |");
        }
        let t = &s.time;
        let _ = writeln!(
            md,
            "\nTime: propose {:.0} s, validate {:.0} s, solve {:.0} s, judge {:.0} s (model time per stage; sandbox stages as busy wall time; the stages overlap); wall {:.0} s, CPU {:.0} s.",
            t.propose, t.validate, t.solve, t.judge, t.wall, t.cpu
        );
    }
    md.push_str(&training.markdown(dir)?);
    let path = dir.join("report.md");
    std::fs::write(&path, md).map_err(|e| SelfplayError::io(&path, e))?;
    Ok(path)
}

/// A small SVG bar chart of the histogram.
fn bar_chart(title: &str, counts: &[u64; 6]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"220\" font-family=\"sans-serif\" font-size=\"11\">\
         <text x=\"10\" y=\"16\" font-size=\"13\">{title}</text>"
    );
    for (i, (label, &n)) in BUCKETS.iter().zip(counts).enumerate() {
        let h = 140.0 * n as f64 / max;
        let x = 20 + i * 65;
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{:.1}\" width=\"50\" height=\"{h:.1}\" fill=\"#4a7bd0\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"middle\">{n}</text>\
             <text x=\"{}\" y=\"205\" text-anchor=\"middle\">{label}</text>",
            185.0 - h,
            x + 25,
            180.0 - h,
            x + 25
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_line_names_its_rejections_most_frequent_first() {
        let kind = KindSummary {
            proposed: 10,
            valid: 6,
            judged: 6,
            in_band: 3,
            verified: 9,
            rejected: [("trivial_sat", 1), ("unsolved", 3)]
                .into_iter()
                .map(|(r, n)| (r.to_string(), n))
                .collect(),
            ..KindSummary::default()
        };
        assert_eq!(
            kind.describe(),
            "10 proposed, 6 valid (60%), 3 in band (50% of 6 judged), near-duplicates 0%, 9 verified pairs; rejected: unsolved 3, trivial_sat 1"
        );
    }

    fn row(round: u32, set: &str, greedy: &[bool]) -> HeldoutRow {
        HeldoutRow {
            round,
            set: set.into(),
            solver: format!("solver-{round}"),
            problems: greedy.len() as u64,
            samples: 0,
            pass1: 0.0,
            passk: 0.0,
            greedy: Some(greedy.iter().filter(|g| **g).count() as f64 / greedy.len() as f64),
            seconds: 1.0,
            results: greedy
                .iter()
                .enumerate()
                .map(|(i, &g)| ProblemScore {
                    id: format!("p{i}"),
                    n: 0,
                    c: 0,
                    greedy: Some(g),
                })
                .collect(),
        }
    }

    #[test]
    fn every_set_compares_each_later_point_with_its_first_once() {
        let rows = [
            row(0, "mbpp", &[false, false, true, false]),
            row(0, "seed", &[false, true]),
            row(1, "mbpp", &[true, false, true, true]),
            row(1, "seed", &[false, true]),
            row(2, "mbpp", &[true, true, true, false]),
        ];
        let found: Vec<(String, u32, u32, String)> = comparisons(&rows)
            .into_iter()
            .map(|c| (c.set, c.before_round, c.after_round, c.measure))
            .collect();
        let greedy = || "greedy pass@1".to_string();
        assert_eq!(
            found,
            vec![
                ("mbpp".into(), 0, 1, greedy()),
                ("mbpp".into(), 0, 2, greedy()),
                ("seed".into(), 0, 1, greedy()),
            ]
        );
        let first = &comparisons(&rows)[0].paired;
        assert_eq!((first.improved, first.regressed), (2, 0));
        assert!((first.diff - 0.5).abs() < 1e-12);
    }

    #[test]
    fn buckets_cover_the_edges() {
        assert_eq!(bucket(0.0), 0);
        assert_eq!(bucket(0.125), 1);
        assert_eq!(bucket(0.5), 2);
        assert_eq!(bucket(0.875), 4);
        assert_eq!(bucket(1.0), 5);
    }

    #[test]
    fn rates_handle_empty_rounds() {
        let s = RoundSummary::default();
        assert_eq!(
            (
                s.valid_rate(),
                s.learnable_rate(),
                s.near_duplicate_rate(),
                s.pairs_per_cpu_hour()
            ),
            (0.0, 0.0, 0.0, 0.0)
        );
        let text = render_text(&[s]);
        assert!(text.contains("round 0 (unfinished): 0 proposed"), "{text}");
    }
}
