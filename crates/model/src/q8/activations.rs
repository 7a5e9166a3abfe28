//! Activation rows quantized to signed bytes, as the kernels take them.

use super::{BLOCK, SUM, SUPER};
use half::f16;

/// Activation rows quantized to signed bytes: Q8_0 (blocks of 32, f16 scales) for Q8_0 and
/// Q5_0 weights, or like ggml's Q8_K (blocks of 256, f32 scales) for the k-quants.
pub(super) struct QuantizedRows {
    pub(super) inputs: usize,
    /// Values per block: 32 or 256.
    block: usize,
    /// `rows × inputs / block` scales (for blocks of 32, f16-rounded as ggml stores them).
    pub(super) scales: Vec<f32>,
    /// Sums of the quants (for the weight offsets and mins): per block of 32, or per 16 values
    /// for blocks of 256.
    pub(super) sums: Vec<i32>,
    /// `rows × inputs` signed quants, four to a little-endian word.
    pub(super) words: Vec<u32>,
}

impl QuantizedRows {
    /// Rows `first..first + n` of activations quantized in super-blocks of [`SUPER`], for a
    /// strip of `supers` super-blocks: their quant words, their sums per [`SUM`] values and
    /// their scales per super-block.
    pub(super) fn super_block_rows(
        &self,
        first: usize,
        n: usize,
        supers: usize,
    ) -> (&[u32], &[i32], &[f32]) {
        let row_words = self.inputs / 4;
        let row_sums = self.inputs / SUM;
        assert_eq!(self.block, SUPER);
        assert_eq!(row_words, supers * SUPER / 4);
        (
            &self.words[first * row_words..(first + n) * row_words],
            &self.sums[first * row_sums..(first + n) * row_sums],
            &self.scales[first * supers..(first + n) * supers],
        )
    }

    /// Quantizes each block of 32 like candle's `BlockQ8_0::from_float`.
    pub(super) fn new(x: &[f32], rows: usize, inputs: usize) -> Self {
        Self::with::<BLOCK, BLOCK, true>(x, rows, inputs)
    }

    /// Quantizes each block of 256 with an f32 scale, summing each 16 quants.
    pub(super) fn new_k(x: &[f32], rows: usize, inputs: usize) -> Self {
        Self::with::<SUPER, SUM, false>(x, rows, inputs)
    }

    /// Blocks of `B` values, sums of `S`, scales rounded to f16 if `F16`.
    fn with<const B: usize, const S: usize, const F16: bool>(
        x: &[f32],
        rows: usize,
        inputs: usize,
    ) -> Self {
        let blocks = rows * inputs / B;
        let mut rows = QuantizedRows {
            inputs,
            block: B,
            scales: vec![0.0; blocks],
            sums: vec![0; rows * inputs / S],
            words: vec![0; blocks * B / 4],
        };
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            unsafe {
                quantize_avx2::<B, S, F16>(x, &mut rows.scales, &mut rows.sums, &mut rows.words)
            };
            return rows;
        }
        quantize::<B, S, F16>(x, &mut rows.scales, &mut rows.sums, &mut rows.words);
        rows
    }

    pub(super) fn scale(&self, row: usize, block: usize) -> f32 {
        self.scales[row * (self.inputs / self.block) + block]
    }

    /// The sum of the 16 quants `16 · chunk..16 · chunk + 16` of `row` (blocks of 256).
    pub(super) fn sum(&self, row: usize, chunk: usize) -> i32 {
        self.sums[row * (self.inputs / SUM) + chunk]
    }

    /// The signed quant of input `i` of `row`.
    pub(super) fn quant(&self, row: usize, i: usize) -> i32 {
        let at = row * self.inputs + i;
        let byte = (self.words[at / 4] >> (8 * (at % 4))) & 0xFF;
        i32::from(byte as u8 as i8)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn quantize_avx2<const B: usize, const S: usize, const F16: bool>(
    x: &[f32],
    scales: &mut [f32],
    sums: &mut [i32],
    words: &mut [u32],
) {
    quantize::<B, S, F16>(x, scales, sums, words);
}

/// Fills `scales`, `sums` and `words` (see [`QuantizedRows`]) from `x` in blocks of `B`
/// (sums of `S`), rounding as [`round_quant`]. Written so that the AVX2 compilation vectorises
/// it: index loops, the largest magnitude found on the bit patterns (for floats that are not
/// NaN, their order), and an unchecked conversion where the values are known to fit.
#[inline(always)]
fn quantize<const B: usize, const S: usize, const F16: bool>(
    x: &[f32],
    scales: &mut [f32],
    sums: &mut [i32],
    words: &mut [u32],
) {
    for b in 0..scales.len() {
        let block = &x[b * B..(b + 1) * B];
        let mut bits = 0u32;
        for &v in block {
            bits = bits.max(v.to_bits() & 0x7FFF_FFFF);
        }
        let d = f32::from_bits(bits) / 127.0;
        let inverse = if d != 0.0 { 1.0 / d } else { 0.0 };
        scales[b] = if F16 { f16::from_f32(d).to_f32() } else { d };
        let mut quants = [0i32; B];
        if inverse.is_finite() {
            for i in 0..B {
                let x = block[i] * inverse;
                let t = x + 0.499_999_97f32.copysign(x);
                // SAFETY: |block[i]| ≤ amax and inverse ≈ 127 / amax, both finite, so t is
                // finite and about 128 at most: it fits an i32.
                let q = unsafe { t.to_int_unchecked::<i32>() };
                quants[i] = q.clamp(-127, 127);
            }
        } else {
            // NaN or infinite activations, or a scale too small to invert.
            for i in 0..B {
                quants[i] = round_quant(block[i] * inverse);
            }
        }
        for s in 0..B / S {
            let mut sum = 0i32;
            for i in 0..S {
                sum += quants[s * S + i];
            }
            sums[b * (B / S) + s] = sum;
        }
        for w in 0..B / 4 {
            let four = [
                quants[4 * w] as u8,
                quants[4 * w + 1] as u8,
                quants[4 * w + 2] as u8,
                quants[4 * w + 3] as u8,
            ];
            words[b * B / 4 + w] = u32::from_le_bytes(four);
        }
    }
}

/// `x.round() as i8` (halves away from zero, saturating at ±127: a quant is never −128, which
/// the AVX2 kernel's sign trick needs) for |x| < 2³¹, as an `i32`, without a
/// call to `roundf`: adding the float just below one half, then truncating, is how LLVM lowers
/// `round` where the CPU has no such instruction; the 32-bit conversion vectorises.
#[inline(always)]
pub(super) fn round_quant(x: f32) -> i32 {
    ((x + 0.499_999_97f32.copysign(x)) as i32).clamp(-127, 127)
}
