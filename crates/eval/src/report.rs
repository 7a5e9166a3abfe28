//! Evaluation reports: pass@k overall and per difficulty, verdict counts, time spent; rendered
//! as a terminal table, JSON, and Markdown with an SVG chart.

use crate::passk::mean_pass_at_k;
use crate::results::ProblemResult;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// pass@k for one group of problems.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Breakdown {
    /// Problems in the group.
    pub problems: usize,
    /// Samples judged in the group.
    pub samples: usize,
    /// Accepted samples.
    pub accepted: usize,
    /// pass@k for each reported k (absent when no problem has k samples).
    pub pass_at_k: BTreeMap<usize, f64>,
}

impl Breakdown {
    fn of(results: &[&ProblemResult], ks: &[usize]) -> Self {
        let counts: Vec<(usize, usize)> = results.iter().map(|r| (r.n, r.c)).collect();
        Breakdown {
            problems: results.len(),
            samples: counts.iter().map(|c| c.0).sum(),
            accepted: counts.iter().map(|c| c.1).sum(),
            pass_at_k: ks
                .iter()
                .filter_map(|&k| mean_pass_at_k(&counts, k).map(|v| (k, v)))
                .collect(),
        }
    }
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalReport {
    /// The problem set evaluated.
    pub set: String,
    /// Where samples came from.
    pub source: String,
    /// Samples requested per problem.
    pub samples_per_problem: usize,
    /// All problems.
    pub overall: Breakdown,
    /// Per difficulty (`unknown` when the set does not say).
    pub by_difficulty: BTreeMap<String, Breakdown>,
    /// How many samples got each verdict (`NO_CODE` for replies without code).
    pub verdicts: BTreeMap<String, usize>,
    /// Seconds spent generating samples (summed over samples).
    pub generation_seconds: f64,
    /// Seconds spent judging samples (summed over samples).
    pub judging_seconds: f64,
    /// Wall-clock seconds of this run (resumed problems took none).
    pub wall_seconds: f64,
    /// Per-problem results.
    pub problems: Vec<ProblemResult>,
}

impl EvalReport {
    /// Builds the report from per-problem results.
    pub fn build(
        set: &str,
        source: &str,
        samples: usize,
        ks: &[usize],
        results: Vec<ProblemResult>,
        wall_seconds: f64,
    ) -> Self {
        let all: Vec<&ProblemResult> = results.iter().collect();
        let mut groups: BTreeMap<String, Vec<&ProblemResult>> = BTreeMap::new();
        for r in &results {
            groups
                .entry(r.difficulty.clone().unwrap_or_else(|| "unknown".into()))
                .or_default()
                .push(r);
        }
        let mut verdicts = BTreeMap::new();
        let (mut generating, mut judging) = (0.0, 0.0);
        for s in results.iter().flat_map(|r| &r.samples) {
            let code = s
                .verdict
                .map_or("NO_CODE".to_string(), |v| v.code().to_string());
            *verdicts.entry(code).or_insert(0) += 1;
            generating += s.gen_seconds;
            judging += s.judge_seconds;
        }
        EvalReport {
            set: set.into(),
            source: source.into(),
            samples_per_problem: samples,
            overall: Breakdown::of(&all, ks),
            by_difficulty: groups
                .into_iter()
                .map(|(k, v)| (k, Breakdown::of(&v, ks)))
                .collect(),
            verdicts,
            generation_seconds: generating,
            judging_seconds: judging,
            wall_seconds,
            problems: results,
        }
    }

    /// The reported k values, in order.
    pub fn ks(&self) -> Vec<usize> {
        self.overall.pass_at_k.keys().copied().collect()
    }

    /// A plain-text table for the terminal.
    pub fn to_terminal(&self) -> String {
        let ks = self.ks();
        let mut out = String::new();
        let _ = write!(
            out,
            "{:<12} {:>8} {:>8}",
            "difficulty", "problems", "samples"
        );
        for k in &ks {
            let _ = write!(out, " {:>8}", format!("pass@{k}"));
        }
        out.push('\n');
        let mut row = |name: &str, b: &Breakdown| {
            let _ = write!(out, "{name:<12} {:>8} {:>8}", b.problems, b.samples);
            for k in &ks {
                let _ = write!(
                    out,
                    " {:>8}",
                    b.pass_at_k.get(k).map_or("-".into(), |v| format!("{v:.3}"))
                );
            }
            out.push('\n');
        };
        for (name, b) in &self.by_difficulty {
            row(name, b);
        }
        row("all", &self.overall);
        let verdicts: Vec<String> = self
            .verdicts
            .iter()
            .map(|(v, n)| format!("{v} {n}"))
            .collect();
        let _ = writeln!(out, "verdicts: {}", verdicts.join(" · "));
        let _ = writeln!(
            out,
            "time: generating {:.1} s · judging {:.1} s · wall {:.1} s",
            self.generation_seconds, self.judging_seconds, self.wall_seconds
        );
        out
    }

    /// A Markdown report that embeds the chart file `chart` (written by [`EvalReport::to_svg`]).
    pub fn to_markdown(&self, chart: &str) -> String {
        let ks = self.ks();
        let mut md = format!(
            "# Evaluation: {}\n\nSamples from `{}`, {} per problem.\n\n",
            self.set, self.source, self.samples_per_problem
        );
        let _ = writeln!(md, "![pass@k per difficulty]({chart})\n");
        let head: Vec<String> = ks.iter().map(|k| format!("pass@{k}")).collect();
        let _ = writeln!(
            md,
            "| difficulty | problems | samples | accepted | {} |",
            head.join(" | ")
        );
        let _ = writeln!(md, "|---|---|---|---|{}", "---|".repeat(ks.len()));
        let row = |name: &str, b: &Breakdown| {
            let vals: Vec<String> = ks
                .iter()
                .map(|k| b.pass_at_k.get(k).map_or("–".into(), |v| format!("{v:.3}")))
                .collect();
            format!(
                "| {name} | {} | {} | {} | {} |\n",
                b.problems,
                b.samples,
                b.accepted,
                vals.join(" | ")
            )
        };
        for (name, b) in &self.by_difficulty {
            md.push_str(&row(name, b));
        }
        md.push_str(&row("**all**", &self.overall));
        md.push_str("\n## Verdicts\n\n| verdict | samples |\n|---|---|\n");
        for (v, n) in &self.verdicts {
            let _ = writeln!(md, "| {v} | {n} |");
        }
        let _ = writeln!(
            md,
            "\nTime: generating {:.1} s, judging {:.1} s (summed over samples); wall {:.1} s.\n",
            self.generation_seconds, self.judging_seconds, self.wall_seconds
        );
        md.push_str("## Problems\n\n| problem | difficulty | accepted / samples | first failure |\n|---|---|---|---|\n");
        for p in &self.problems {
            let failure = p
                .samples
                .iter()
                .find(|s| !s.accepted())
                .map(|s| {
                    format!(
                        "{} {}",
                        s.verdict.map_or("NO_CODE", |v| v.code()),
                        crucible_sandbox::truncate(&s.message.replace(['\n', '|'], " "), 80)
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "| {} | {} | {}/{} | {} |",
                p.id,
                p.difficulty.as_deref().unwrap_or("–"),
                p.c,
                p.n,
                failure
            );
        }
        md
    }

    /// A grouped bar chart of pass@k per difficulty, as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        let ks = self.ks();
        let mut groups: Vec<(&str, &Breakdown)> = self
            .by_difficulty
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        groups.push(("all", &self.overall));
        let (left, top, height, bar, gap) = (50.0, 30.0, 200.0, 22.0, 28.0);
        let group_width = bar * ks.len().max(1) as f64 + gap;
        let width = left + group_width * groups.len() as f64 + 20.0;
        let colors = [
            "#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2",
        ];
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n",
            top + height + 60.0
        );
        let _ = writeln!(
            svg,
            "<text x=\"{left}\" y=\"18\" font-size=\"13\">pass@k per difficulty</text>"
        );
        for tick in 0..=4 {
            let v = tick as f64 / 4.0;
            let y = top + height * (1.0 - v);
            let _ = writeln!(
                svg,
                "<line x1=\"{left}\" x2=\"{:.0}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{v:.2}</text>",
                width - 10.0,
                left - 5.0,
                y + 4.0
            );
        }
        for (g, (name, b)) in groups.iter().enumerate() {
            let x0 = left + gap / 2.0 + g as f64 * group_width;
            for (i, k) in ks.iter().enumerate() {
                let v = b.pass_at_k.get(k).copied().unwrap_or(0.0);
                let h = height * v;
                let _ = writeln!(
                    svg,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{name} pass@{k} = {v:.3}</title></rect>",
                    x0 + i as f64 * bar,
                    top + height - h,
                    bar - 2.0,
                    colors[i % colors.len()]
                );
            }
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{name}</text>",
                x0 + bar * ks.len() as f64 / 2.0,
                top + height + 16.0
            );
        }
        for (i, k) in ks.iter().enumerate() {
            let x = left + i as f64 * 70.0;
            let y = top + height + 36.0;
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.0}\" y=\"{:.0}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.0}\" y=\"{y:.0}\">pass@{k}</text>",
                y - 9.0,
                colors[i % colors.len()],
                x + 14.0
            );
        }
        svg.push_str("</svg>\n");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::SampleResult;
    use crucible_sandbox::{Language, Verdict};

    fn problem(id: &str, difficulty: &str, verdicts: &[Option<Verdict>]) -> ProblemResult {
        let samples: Vec<SampleResult> = verdicts
            .iter()
            .map(|v| SampleResult {
                label: "s".into(),
                lang: Language::Cpp,
                verdict: *v,
                message: String::new(),
                passed_tests: 0,
                total_tests: 1,
                per_test: vec![v.is_some_and(|v| v.is_accepted())],
                gen_seconds: 0.5,
                judge_seconds: 0.25,
            })
            .collect();
        ProblemResult {
            id: id.into(),
            name: id.into(),
            difficulty: Some(difficulty.into()),
            n: samples.len(),
            c: samples.iter().filter(|s| s.accepted()).count(),
            samples,
        }
    }

    #[test]
    fn breakdowns_and_verdicts_add_up() {
        let ac = Some(Verdict::Accepted);
        let wa = Some(Verdict::WrongAnswer);
        let results = vec![
            problem("a", "easy", &[ac, ac]),
            problem("b", "hard", &[wa, None]),
        ];
        let report = EvalReport::build("set", "files", 2, &[1, 2], results, 1.0);
        assert_eq!(report.overall.pass_at_k[&1], 0.5);
        assert_eq!(report.by_difficulty["easy"].pass_at_k[&2], 1.0);
        assert_eq!(report.by_difficulty["hard"].pass_at_k[&1], 0.0);
        assert_eq!(report.verdicts["AC"], 2);
        assert_eq!(report.verdicts["NO_CODE"], 1);
        assert!((report.generation_seconds - 2.0).abs() < 1e-9);
        let svg = report.to_svg();
        assert!(svg.starts_with("<svg") && svg.contains("pass@2"));
        let md = report.to_markdown("chart.svg");
        assert!(
            md.contains("| **all** | 2 | 4 | 2 | 0.500 | 0.500 |"),
            "{md}"
        );
        assert!(report.to_terminal().contains("all"));
    }
}
