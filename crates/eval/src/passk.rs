//! The unbiased pass@k estimator of Chen et al. (2021), "Evaluating Large Language Models
//! Trained on Code": with n samples of which c pass, pass@k = 1 − C(n−c, k) / C(n, k).

/// pass@k for one problem with `n` samples and `c` correct; `None` when `k > n` (the estimator
/// is undefined) or `k == 0`.
pub fn pass_at_k(n: usize, c: usize, k: usize) -> Option<f64> {
    if k == 0 || k > n || c > n {
        return None;
    }
    if n - c < k {
        return Some(1.0);
    }
    // 1 − Π_{i=n−c+1}^{n} (1 − k/i): numerically stable, no large binomials.
    let product: f64 = ((n - c + 1)..=n)
        .map(|i| 1.0 - k as f64 / i as f64)
        .product();
    Some(1.0 - product)
}

/// The mean pass@k over problems given as `(n, c)` pairs; problems with fewer than `k` samples
/// are left out. `None` when no problem has `k` samples.
pub fn mean_pass_at_k(counts: &[(usize, usize)], k: usize) -> Option<f64> {
    let values: Vec<f64> = counts
        .iter()
        .filter_map(|&(n, c)| pass_at_k(n, c, k))
        .collect();
    if values.is_empty() {
        return None;
    }
    Some(values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Direct evaluation with exact binomials (small n only).
    fn binom(n: u64, k: u64) -> f64 {
        if k > n {
            return 0.0;
        }
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    }

    #[test]
    fn hand_computed_values() {
        // n=10, c=3, k=1: 1 - C(7,1)/C(10,1) = 1 - 7/10 = 0.3
        assert!(close(pass_at_k(10, 3, 1).expect("defined"), 0.3));
        // n=10, c=3, k=5: 1 - C(7,5)/C(10,5) = 1 - 21/252 = 0.916666...
        assert!(close(
            pass_at_k(10, 3, 5).expect("defined"),
            1.0 - 21.0 / 252.0
        ));
        // n=5, c=0: never passes; n=5, c=5: always.
        assert!(close(pass_at_k(5, 0, 3).expect("defined"), 0.0));
        assert!(close(pass_at_k(5, 5, 1).expect("defined"), 1.0));
        // n=4, c=2, k=3: n-c < k so any 3 of 4 contain a pass.
        assert!(close(pass_at_k(4, 2, 3).expect("defined"), 1.0));
        // n=2, c=1, k=2: 1 - C(1,2)/C(2,2) = 1
        assert!(close(pass_at_k(2, 1, 2).expect("defined"), 1.0));
        // n=20, c=1, k=10: 1 - C(19,10)/C(20,10) = 1 - 92378/184756 = 0.5
        assert!(close(pass_at_k(20, 1, 10).expect("defined"), 0.5));
    }

    #[test]
    fn undefined_cases() {
        assert_eq!(pass_at_k(3, 1, 5), None);
        assert_eq!(pass_at_k(3, 1, 0), None);
        assert_eq!(pass_at_k(3, 4, 1), None);
    }

    #[test]
    fn mean_skips_problems_with_too_few_samples() {
        let counts = [(10, 3), (1, 1)];
        assert!(close(
            mean_pass_at_k(&counts, 1).expect("defined"),
            (0.3 + 1.0) / 2.0
        ));
        assert!(close(
            mean_pass_at_k(&counts, 5).expect("defined"),
            1.0 - 21.0 / 252.0
        ));
        assert_eq!(mean_pass_at_k(&counts, 11), None);
    }

    proptest! {
        #[test]
        fn matches_the_binomial_formula(n in 1usize..40, c_frac in 0.0f64..=1.0, k_frac in 0.0f64..=1.0) {
            let c = (c_frac * n as f64) as usize;
            let k = ((k_frac * n as f64) as usize).max(1);
            let expected = 1.0 - binom((n - c) as u64, k as u64) / binom(n as u64, k as u64);
            let got = pass_at_k(n, c, k).expect("defined");
            prop_assert!((got - expected).abs() < 1e-9, "n={} c={} k={} got={} expected={}", n, c, k, got, expected);
        }

        #[test]
        fn monotone_in_k_and_c(n in 2usize..30, c in 0usize..30, k in 1usize..29) {
            prop_assume!(c <= n && k < n);
            let a = pass_at_k(n, c, k).expect("defined");
            prop_assert!(pass_at_k(n, c, k + 1).expect("defined") >= a - 1e-12);
            if c < n {
                prop_assert!(pass_at_k(n, c + 1, k).expect("defined") >= a - 1e-12);
            }
        }
    }
}
