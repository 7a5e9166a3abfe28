//! Paired comparison of two evaluations of the same problems: the mean per-problem difference
//! with a 95 % confidence interval, and, for pass/fail scores, McNemar's exact test. A change
//! whose interval contains zero is inside the noise.

use crate::results::ProblemResult;
use serde::{Deserialize, Serialize};

/// Two evaluations compared problem by problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// Problems in both evaluations.
    pub problems: usize,
    /// Mean score before.
    pub before: f64,
    /// Mean score after.
    pub after: f64,
    /// Mean per-problem difference (after − before).
    pub diff: f64,
    /// Lower end of the 95 % interval of `diff`.
    pub low: f64,
    /// Upper end of the 95 % interval of `diff`.
    pub high: f64,
    /// Problems whose score rose.
    pub improved: usize,
    /// Problems whose score fell.
    pub regressed: usize,
    /// McNemar's exact two-sided p-value, when every score is 0 or 1.
    pub mcnemar_p: Option<f64>,
}

impl Paired {
    /// Whether the whole interval lies above zero.
    pub fn gain(&self) -> bool {
        self.low > 0.0
    }

    /// One line: `0.330 → 0.372 (+4.2 points, 95 % CI +1.1 … +7.3; 31 up, 10 down; McNemar p = 0.001)`.
    pub fn describe(&self) -> String {
        let p = self
            .mcnemar_p
            .map_or(String::new(), |p| format!("; McNemar p = {p:.3}"));
        format!(
            "{:.3} → {:.3} ({:+.1} points, 95 % CI {:+.1} … {:+.1}; {} up, {} down{p}; {} problems)",
            self.before,
            self.after,
            self.diff * 100.0,
            self.low * 100.0,
            self.high * 100.0,
            self.improved,
            self.regressed,
            self.problems
        )
    }
}

/// Compares per-problem scores (in [0, 1]) of the same problems, in the same order. The
/// interval is mean ± t·s/√n over the per-problem differences (Student's t with n − 1 degrees
/// of freedom); `None` when there are no problems or the slices differ in length.
pub fn paired(before: &[f64], after: &[f64]) -> Option<Paired> {
    let n = before.len();
    if n == 0 || after.len() != n {
        return None;
    }
    let diffs: Vec<f64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let diff = mean(&diffs);
    let half = if n > 1 {
        let var = diffs.iter().map(|d| (d - diff).powi(2)).sum::<f64>() / (n - 1) as f64;
        t_975(n - 1) * (var / n as f64).sqrt()
    } else {
        f64::INFINITY
    };
    let binary = before.iter().chain(after).all(|&x| x == 0.0 || x == 1.0);
    let improved = diffs.iter().filter(|&&d| d > 0.0).count();
    let regressed = diffs.iter().filter(|&&d| d < 0.0).count();
    Some(Paired {
        problems: n,
        before: mean(before),
        after: mean(after),
        diff,
        low: diff - half,
        high: diff + half,
        improved,
        regressed,
        mcnemar_p: binary.then(|| mcnemar(improved, regressed)),
    })
}

/// Compares two evaluations' results on the problems both hold (matched by id; each problem's
/// score is its share of accepted samples); also returns how many problems only one holds.
pub fn compare_results(
    before: &[ProblemResult],
    after: &[ProblemResult],
) -> (Option<Paired>, usize) {
    let score = |r: &ProblemResult| r.c as f64 / r.n.max(1) as f64;
    let mut pairs = (Vec::new(), Vec::new());
    for b in before {
        if let Some(a) = after.iter().find(|a| a.id == b.id) {
            pairs.0.push(score(b));
            pairs.1.push(score(a));
        }
    }
    let unmatched = before.len() + after.len() - 2 * pairs.0.len();
    (paired(&pairs.0, &pairs.1), unmatched)
}

/// McNemar's exact two-sided p-value for `b` and `c` discordant pairs: twice the binomial
/// (b + c, ½) tail at min(b, c), capped at 1.
pub fn mcnemar(b: usize, c: usize) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    // ln C(n, i) accumulated, to stay finite for large n.
    let mut ln_choose = 0.0f64;
    let mut tail = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        tail += (ln_choose - n as f64 * std::f64::consts::LN_2).exp();
    }
    (2.0 * tail).min(1.0)
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (exact table to 30, then
/// the Cornish–Fisher expansion, within 0.001 of the exact value).
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => {
            let z: f64 = 1.959_964;
            let v = df as f64;
            z + (z.powi(3) + z) / (4.0 * v)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_values() {
        // Ten problems: four improve (0 → 1), one regresses (1 → 0), five stay.
        let before = [0., 0., 0., 0., 1., 1., 1., 0., 0., 1.];
        let after = [1., 1., 1., 1., 0., 1., 1., 0., 0., 1.];
        let p = paired(&before, &after).expect("comparable");
        // Differences: four 1s, one −1, five 0s → mean 0.3, sample variance
        // (4·0.49 + 1.69 + 5·0.09) / 9 = 4.1 / 9, s/√n = 0.21344, t(9) = 2.262.
        assert!((p.diff - 0.3).abs() < 1e-12);
        assert!((p.before - 0.4).abs() < 1e-12 && (p.after - 0.7).abs() < 1e-12);
        let half = 2.262 * (4.1f64 / 9.0 / 10.0).sqrt();
        assert!((p.low - (0.3 - half)).abs() < 1e-9, "{p:?}");
        assert!((p.high - (0.3 + half)).abs() < 1e-9);
        assert_eq!((p.improved, p.regressed), (4, 1));
        // McNemar exact: 2 · P(X ≤ 1), X ~ Bin(5, ½) = 2 · 6/32 = 0.375.
        assert!((p.mcnemar_p.unwrap() - 0.375).abs() < 1e-12);
        assert!(!p.gain());
    }

    #[test]
    fn fractional_scores_have_no_mcnemar_and_large_samples_use_the_expansion() {
        let p = paired(&[0.2, 0.4], &[0.6, 0.4]).unwrap();
        assert_eq!(p.mcnemar_p, None);
        assert!((t_975(120) - 1.980).abs() < 1e-3);
        assert!((t_975(1000) - 1.962).abs() < 1e-3);
        assert_eq!(paired(&[], &[]), None);
        assert_eq!(paired(&[1.0], &[1.0, 0.0]), None);
        assert!(paired(&[0.0], &[1.0]).unwrap().low.is_infinite());
    }

    #[test]
    fn a_consistent_gain_has_an_interval_above_zero() {
        let before = vec![0.0; 100];
        let mut after = vec![0.0; 100];
        after[..20].iter_mut().for_each(|x| *x = 1.0);
        let p = paired(&before, &after).unwrap();
        assert!(p.gain(), "{}", p.describe());
        assert!(p.mcnemar_p.unwrap() < 1e-5);
        assert!(mcnemar(0, 0) == 1.0 && (mcnemar(3, 3) - 1.0).abs() < 1e-12);
    }
}
