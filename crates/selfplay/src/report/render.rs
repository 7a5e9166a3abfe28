//! The plain-text summary for the terminal and the Markdown report written to a folder.

use super::charts::bar_chart;
use super::summary::{BUCKETS, RoundSummary};
use super::training::TrainingSummary;
use crate::SelfplayError;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
        if s.kinds.len() > 1
            || s.kinds
                .values()
                .any(|k| k.found_inputs > 0 || k.repaired > 0)
        {
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
