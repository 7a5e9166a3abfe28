//! Sampling: temperature, top-k, top-p, a seeded generator, and the log-probability of each
//! sampled token.

use serde::{Deserialize, Serialize};

/// How to pick tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingParams {
    /// Softmax temperature; 0 means greedy (always the most likely token).
    pub temperature: f64,
    /// Nucleus sampling: keep the smallest set of tokens whose probability reaches `top_p`.
    pub top_p: f64,
    /// Keep only the `top_k` most likely tokens (0: no limit).
    pub top_k: usize,
    /// Seed: the same seed, prompt and settings give the same text.
    pub seed: u64,
    /// Most tokens to generate.
    pub max_new_tokens: usize,
    /// Generation stops when one of these strings appears (it is cut from the text).
    pub stop: Vec<String>,
    /// Generation stops right after the first complete fenced code block (the closing fence
    /// is kept): a solver's answer is complete there.
    pub stop_after_code_block: bool,
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams {
            temperature: 0.8,
            top_p: 0.95,
            top_k: 0,
            seed: 0,
            max_new_tokens: 512,
            stop: Vec::new(),
            stop_after_code_block: false,
        }
    }
}

impl SamplingParams {
    /// Greedy decoding with a token budget.
    pub fn greedy(max_new_tokens: usize) -> Self {
        SamplingParams {
            temperature: 0.0,
            max_new_tokens,
            ..SamplingParams::default()
        }
    }
}

/// A small, fast, seedable generator (SplitMix64): stable across platforms and crate versions,
/// so a seed means the same text forever.
#[derive(Debug, Clone)]
pub struct SeededRng(u64);

impl SeededRng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Picks the next token from `logits`; returns it with its log-probability under the
/// temperature-scaled distribution (before top-k/top-p truncation; greedy uses temperature 1).
pub fn sample(logits: &[f32], params: &SamplingParams, rng: &mut SeededRng) -> (u32, f32) {
    let temperature = if params.temperature > 0.0 {
        params.temperature
    } else {
        1.0
    };
    let scaled: Vec<f64> = logits.iter().map(|&l| f64::from(l) / temperature).collect();
    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_z = max + scaled.iter().map(|l| (l - max).exp()).sum::<f64>().ln();
    let logprob = |i: usize| (scaled[i] - log_z) as f32;
    if params.temperature <= 0.0 {
        let best = argmax(&scaled);
        return (best as u32, logprob(best));
    }
    let mut order: Vec<usize> = (0..scaled.len()).collect();
    order.sort_unstable_by(|&a, &b| scaled[b].total_cmp(&scaled[a]));
    if params.top_k > 0 {
        order.truncate(params.top_k);
    }
    let probs: Vec<f64> = order.iter().map(|&i| (scaled[i] - log_z).exp()).collect();
    let mut keep = probs.len();
    if params.top_p < 1.0 {
        let mut mass = 0.0;
        for (n, p) in probs.iter().enumerate() {
            mass += p;
            if mass >= params.top_p {
                keep = n + 1;
                break;
            }
        }
    }
    let total: f64 = probs[..keep].iter().sum();
    let mut target = rng.next_f64() * total;
    for (n, p) in probs[..keep].iter().enumerate() {
        target -= p;
        if target <= 0.0 {
            return (order[n] as u32, logprob(order[n]));
        }
    }
    let last = order[keep - 1];
    (last as u32, logprob(last))
}

fn argmax(values: &[f64]) -> usize {
    values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn greedy_takes_the_maximum() {
        let (tok, lp) = sample(
            &[0.1, 3.0, -1.0],
            &SamplingParams::greedy(8),
            &mut SeededRng::new(1),
        );
        assert_eq!(tok, 1);
        assert!(lp < 0.0 && lp > -0.2);
    }

    #[test]
    fn same_seed_same_choices() {
        let logits: Vec<f32> = (0..50).map(|i| (i as f32 * 0.37).sin()).collect();
        let params = SamplingParams {
            temperature: 1.0,
            top_p: 1.0,
            ..SamplingParams::default()
        };
        let run = |seed| {
            let mut rng = SeededRng::new(seed);
            (0..20)
                .map(|_| sample(&logits, &params, &mut rng).0)
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn top_k_one_is_greedy() {
        let params = SamplingParams {
            temperature: 2.0,
            top_k: 1,
            ..SamplingParams::default()
        };
        let mut rng = SeededRng::new(3);
        for _ in 0..20 {
            assert_eq!(sample(&[0.0, 0.5, 0.4], &params, &mut rng).0, 1);
        }
    }

    #[test]
    fn top_p_excludes_the_tail() {
        // p = [0.7, 0.2, 0.1] (approximately); top_p 0.6 keeps only the first token.
        let logits = [0.7f32.ln(), 0.2f32.ln(), 0.1f32.ln()];
        let params = SamplingParams {
            temperature: 1.0,
            top_p: 0.6,
            ..SamplingParams::default()
        };
        let mut rng = SeededRng::new(11);
        for _ in 0..50 {
            assert_eq!(sample(&logits, &params, &mut rng).0, 0);
        }
    }

    #[test]
    fn sampling_frequencies_follow_the_distribution() {
        let logits = [0.5f32.ln(), 0.3f32.ln(), 0.2f32.ln()];
        let params = SamplingParams {
            temperature: 1.0,
            top_p: 1.0,
            ..SamplingParams::default()
        };
        let mut rng = SeededRng::new(5);
        let mut counts = [0usize; 3];
        for _ in 0..20_000 {
            counts[sample(&logits, &params, &mut rng).0 as usize] += 1;
        }
        for (c, p) in counts.iter().zip([0.5, 0.3, 0.2]) {
            assert!((*c as f64 / 20_000.0 - p).abs() < 0.02, "{counts:?}");
        }
    }

    proptest! {
        #[test]
        fn logprobs_are_valid(logits in prop::collection::vec(-20.0f32..20.0, 1..64), seed in any::<u64>(), t in 0.0f64..2.0) {
            let params = SamplingParams { temperature: t, top_p: 0.9, top_k: 10, ..SamplingParams::default() };
            let (tok, lp) = sample(&logits, &params, &mut SeededRng::new(seed));
            prop_assert!((tok as usize) < logits.len());
            prop_assert!(lp <= 1e-6 && lp.is_finite());
        }
    }
}
