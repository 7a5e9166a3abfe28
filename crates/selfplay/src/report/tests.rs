//! Tests of the summaries, the held-out comparisons and the terminal text.

use super::summary::bucket;
use super::training::comparisons;
use super::*;
use crate::store::{HeldoutRow, ProblemScore};

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
