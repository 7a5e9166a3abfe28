//! Attention of one row against its sequence's cached keys and values, and the cache itself.
//!
//! The arithmetic is plain Rust written so that it vectorises (independent partial sums, no
//! fused multiply-adds); on x86-64 CPUs with AVX2 the same code is compiled a second time for
//! AVX2 and picked at run time. Both versions give bit-identical results.

/// One layer's keys and values for one sequence: per key/value head, `positions × head_dim`.
#[derive(Debug, Clone)]
pub(crate) struct LayerCache {
    keys: Vec<Vec<f32>>,
    values: Vec<Vec<f32>>,
}

impl LayerCache {
    /// An empty cache for `kv_heads` heads.
    pub(crate) fn new(kv_heads: usize) -> Self {
        LayerCache {
            keys: vec![Vec::new(); kv_heads],
            values: vec![Vec::new(); kv_heads],
        }
    }

    /// Appends one position: `keys` and `values` hold every head's vector, head after head.
    pub(crate) fn push(&mut self, keys: &[f32], values: &[f32], head_dim: usize) {
        for (cached, new) in self.keys.iter_mut().zip(keys.chunks_exact(head_dim)) {
            cached.extend_from_slice(new);
        }
        for (cached, new) in self.values.iter_mut().zip(values.chunks_exact(head_dim)) {
            cached.extend_from_slice(new);
        }
    }
}

/// Head counts and width.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Heads {
    /// Query heads.
    pub heads: usize,
    /// Key/value heads; each serves `heads / kv_heads` query heads.
    pub kv_heads: usize,
    /// Width of a head.
    pub head_dim: usize,
}

/// Writes to `out` the attention of `query` (every head's query vector, head after head) over
/// the first `len` positions of `cache`.
pub(crate) fn attend(query: &[f32], cache: &LayerCache, len: usize, heads: Heads, out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2.
        unsafe { attend_avx2(query, cache, len, heads, out) };
        return;
    }
    attend_portable(query, cache, len, heads, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn attend_avx2(
    query: &[f32],
    cache: &LayerCache,
    len: usize,
    heads: Heads,
    out: &mut [f32],
) {
    attend_portable(query, cache, len, heads, out);
}

/// The query heads that share a key/value head are handled together, so each cached key and
/// value is loaded once for the whole group. Plain index loops: iterator adapters with
/// closures may stay out of line and lose the AVX2 compilation.
#[inline(always)]
fn attend_portable(query: &[f32], cache: &LayerCache, len: usize, heads: Heads, out: &mut [f32]) {
    let dim = heads.head_dim;
    let group = heads.heads / heads.kv_heads;
    let scale = (dim as f64).sqrt() as f32;
    let mut scores = vec![0f32; group * len];
    for kv in 0..heads.kv_heads {
        let keys = &cache.keys[kv][..len * dim];
        let values = &cache.values[kv][..len * dim];
        let queries = &query[kv * group * dim..(kv + 1) * group * dim];
        for pos in 0..len {
            let key = &keys[pos * dim..(pos + 1) * dim];
            for g in 0..group {
                scores[g * len + pos] = dot(&queries[g * dim..(g + 1) * dim], key) / scale;
            }
        }
        for g in 0..group {
            softmax(&mut scores[g * len..(g + 1) * len]);
        }
        let outs = &mut out[kv * group * dim..(kv + 1) * group * dim];
        outs.fill(0.0);
        for pos in 0..len {
            let value = &values[pos * dim..(pos + 1) * dim];
            for g in 0..group {
                let weight = scores[g * len + pos];
                for (o, v) in outs[g * dim..(g + 1) * dim].iter_mut().zip(value) {
                    *o += weight * v;
                }
            }
        }
    }
}

/// Dot product with sixteen independent partial sums.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 16];
    let (a16, b16) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = a16
        .remainder()
        .iter()
        .zip(b16.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a16.zip(b16) {
        for i in 0..16 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Softmax in place.
#[inline(always)]
fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0f32;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_the_plain_sum() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..19).map(|i| 1.0 - i as f32 * 0.25).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-4);
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let mut v = vec![1.0, 3.0, 2.0, -50.0];
        softmax(&mut v);
        assert!((v.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(v[1] > v[2] && v[2] > v[0] && v[3] < 1e-10);
    }

    #[test]
    fn grouped_heads_read_their_shared_key_value_head() {
        let heads = Heads {
            heads: 2,
            kv_heads: 1,
            head_dim: 2,
        };
        let mut cache = LayerCache::new(1);
        cache.push(&[1.0, 0.0], &[10.0, 0.0], 2);
        cache.push(&[0.0, 1.0], &[0.0, 20.0], 2);
        let mut out = [0f32; 4];
        // Head 0 looks along the first key, head 1 along the second, both sharpened.
        attend(&[50.0, 0.0, 0.0, 50.0], &cache, 2, heads, &mut out);
        assert!(
            (out[0] - 10.0).abs() < 1e-3 && out[1].abs() < 1e-3,
            "{out:?}"
        );
        assert!(
            out[2].abs() < 1e-3 && (out[3] - 20.0).abs() < 1e-3,
            "{out:?}"
        );
        // Only the first position visible: all weight on it.
        attend(&[0.0, 50.0, 0.0, 50.0], &cache, 1, heads, &mut out);
        assert_eq!(out, [10.0, 0.0, 10.0, 0.0]);
    }

    #[test]
    fn both_compilations_agree_bit_for_bit() {
        let heads = Heads {
            heads: 4,
            kv_heads: 2,
            head_dim: 40,
        };
        let mut cache = LayerCache::new(2);
        for p in 0..9 {
            let k: Vec<f32> = (0..80)
                .map(|i| ((i * 31 + p * 7) % 17) as f32 * 0.1 - 0.8)
                .collect();
            let v: Vec<f32> = (0..80)
                .map(|i| ((i * 13 + p * 5) % 11) as f32 * 0.2)
                .collect();
            cache.push(&k, &v, 40);
        }
        let q: Vec<f32> = (0..160)
            .map(|i| ((i * 7) % 23) as f32 * 0.05 - 0.5)
            .collect();
        let mut detected = vec![0f32; 160];
        let mut portable = vec![0f32; 160];
        attend(&q, &cache, 9, heads, &mut detected);
        attend_portable(&q, &cache, 9, heads, &mut portable);
        assert_eq!(detected, portable);
    }
}
