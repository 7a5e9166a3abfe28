//! Matrix products with Q8_0 weights that get cheaper per row as rows are added.
//!
//! candle's CPU backend multiplies Q8_0 weights one dot product at a time unless the inner
//! dimension is a multiple of 256 (it is not for most of our matrices: 576 in SmolLM2, 896 in
//! Qwen2.5-0.5B), so a batch of rows costs nearly as much per row as rows one by one. Here the
//! weights are repacked at load into tiles of 16 output features × one block of 32 inputs, and
//! each tile is multiplied with up to four activation rows while it is in registers; on CPUs
//! with AVX-512 VNNI one instruction does 64 multiply-adds. The weights are read from memory
//! once per call, whatever the number of rows.
//!
//! The numerics are those of ggml's Q8_0 × Q8_0 product: activations are quantized per block of
//! 32 with an f16 scale (as candle does), each block's integer dot product is exact, and the
//! blocks accumulate in order as `acc = dot · (weight scale · activation scale) + acc`, one fused
//! multiply-add each. The SIMD kernel and the portable one give bit-identical results, and a
//! row's result never depends on the other rows.

use crate::parallel::{self, Base};
use candle_core::quantized::{GgmlDType, QTensor};
use half::f16;

/// Values per quantization block.
const BLOCK: usize = 32;
/// Output features per tile.
const TILE: usize = 16;
/// Activation rows multiplied with a tile at once.
const ROWS: usize = 4;
/// Activation rows whose quants stay in cache while a worker walks the weights (prefill).
const PANEL: usize = 64;
/// Bytes of one Q8_0 block in a GGUF tensor: an f16 scale and 32 signed bytes.
const BLOCK_BYTES: usize = 2 + BLOCK;

/// One block of 32 inputs for 16 output features: 576 bytes, as compact as the Q8_0 blocks
/// it comes from (16 × 34 bytes) plus the sums.
#[derive(Clone)]
#[repr(C, align(64))]
struct Tile {
    /// Each feature's scale.
    scales: [f16; TILE],
    /// Each feature's sum of quants in this block (corrects the unsigned-activation trick).
    sums: [i16; TILE],
    /// Quants as `[group of 4 inputs (8)][feature (16)][4]`, the layout a 4-byte broadcast of
    /// activations meets in one instruction.
    quants: [i8; BLOCK * TILE],
}

/// A Q8_0 weight matrix (features × inputs), repacked into tiles.
pub(crate) struct Q8Matrix {
    features: usize,
    inputs: usize,
    /// Tiles as `[feature tile][input block]`.
    tiles: Vec<Tile>,
}

impl Q8Matrix {
    /// Repacks a Q8_0 tensor of shape (features, inputs); `None` for other types or when the
    /// features are not a multiple of 16.
    pub(crate) fn from_qtensor(tensor: &QTensor) -> candle_core::Result<Option<Self>> {
        let Ok((features, inputs)) = tensor.shape().dims2() else {
            return Ok(None);
        };
        if tensor.dtype() != GgmlDType::Q8_0
            || !features.is_multiple_of(TILE)
            || !inputs.is_multiple_of(BLOCK)
        {
            return Ok(None);
        }
        let data = tensor.data()?;
        let blocks = inputs / BLOCK;
        if data.len() != features * blocks * BLOCK_BYTES {
            candle_core::bail!(
                "Q8_0 tensor of {features}x{inputs} has {} bytes",
                data.len()
            );
        }
        let mut tiles = Vec::with_capacity(features / TILE * blocks);
        for tile in 0..features / TILE {
            for block in 0..blocks {
                tiles.push(pack_tile(&data, blocks, tile, block));
            }
        }
        Ok(Some(Q8Matrix {
            features,
            inputs,
            tiles,
        }))
    }

    /// Output features.
    pub(crate) fn features(&self) -> usize {
        self.features
    }

    /// `x · Wᵀ` for `x` of `rows × inputs` values (row-major); returns `rows × features`.
    pub(crate) fn matmul(&self, x: &[f32], rows: usize) -> candle_core::Result<Vec<f32>> {
        if x.len() != rows * self.inputs {
            candle_core::bail!("{} values are not {rows} rows of {}", x.len(), self.inputs);
        }
        let acts = QuantizedRows::new(x, rows, self.inputs);
        let mut out = vec![0f32; rows * self.features];
        let target = Base(out.as_mut_ptr());
        let kernel = Kernel::detect();
        let blocks = self.inputs / BLOCK;
        let strips = self.features / TILE;
        let panels = rows.div_ceil(PANEL);
        // Work items are (panel of rows, strip of features), panel-major: a worker walks
        // strips with one panel's activations hot in cache.
        let work = rows * self.features * self.inputs;
        parallel::for_each_range(panels * strips, work, |items| {
            for item in items {
                let (panel, strip) = (item / strips, item % strips);
                let tiles = &self.tiles[strip * blocks..(strip + 1) * blocks];
                let end = rows.min((panel + 1) * PANEL);
                for first in (panel * PANEL..end).step_by(ROWS) {
                    let count = ROWS.min(end - first);
                    // SAFETY: an item writes only columns 16s..16s+16 (s its strip) of its
                    // panel's rows, within `out` (rows × features); the ranges cover each item
                    // once, so no two writers overlap, and `out` outlives the call.
                    unsafe { kernel.run(tiles, &acts, first, count, target, self.features, strip) };
                }
            }
        });
        Ok(out)
    }
}

/// Tile (`tile`, `block`) from raw Q8_0 data of `blocks` blocks per feature.
fn pack_tile(data: &[u8], blocks: usize, tile: usize, block: usize) -> Tile {
    let mut packed = Tile {
        scales: [f16::ZERO; TILE],
        sums: [0; TILE],
        quants: [0; BLOCK * TILE],
    };
    for f in 0..TILE {
        let at = ((tile * TILE + f) * blocks + block) * BLOCK_BYTES;
        let raw = &data[at..at + BLOCK_BYTES];
        packed.scales[f] = f16::from_le_bytes([raw[0], raw[1]]);
        let quants = raw[2..].iter().map(|&b| b as i8);
        for (i, q) in quants.enumerate() {
            packed.quants[(i / 4) * TILE * 4 + f * 4 + i % 4] = q;
            packed.sums[f] += i16::from(q);
        }
    }
    packed
}

/// Activation rows quantized to Q8_0.
struct QuantizedRows {
    inputs: usize,
    /// `rows × blocks` scales (f16-rounded, as ggml stores them).
    scales: Vec<f32>,
    /// `rows × inputs` quants offset by +128 (unsigned bytes, the operand `vpdpbusd` takes),
    /// four to a little-endian word.
    words: Vec<u32>,
}

impl QuantizedRows {
    /// Quantizes each block of 32 like candle's `BlockQ8_0::from_float`.
    fn new(x: &[f32], rows: usize, inputs: usize) -> Self {
        let blocks = rows * inputs / BLOCK;
        let mut rows = QuantizedRows {
            inputs,
            scales: vec![0.0; blocks],
            words: vec![0; blocks * BLOCK / 4],
        };
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            unsafe { quantize_avx2(x, &mut rows.scales, &mut rows.words) };
            return rows;
        }
        quantize(x, &mut rows.scales, &mut rows.words);
        rows
    }

    fn scale(&self, row: usize, block: usize) -> f32 {
        self.scales[row * (self.inputs / BLOCK) + block]
    }

    /// The signed quant of input `i` of `row`.
    fn quant(&self, row: usize, i: usize) -> i32 {
        let at = row * self.inputs + i;
        let byte = (self.words[at / 4] >> (8 * (at % 4))) & 0xFF;
        byte as i32 - 128
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn quantize_avx2(x: &[f32], scales: &mut [f32], words: &mut [u32]) {
    quantize(x, scales, words);
}

/// Fills `scales` and `words` (see [`QuantizedRows`]) from `x`, rounding as [`round_quant`].
/// Written so that the AVX2 compilation vectorises it: index loops, the largest magnitude
/// found on the bit patterns (for floats that are not NaN, their order), and an unchecked
/// conversion where the values are known to fit.
#[inline(always)]
fn quantize(x: &[f32], scales: &mut [f32], words: &mut [u32]) {
    for b in 0..scales.len() {
        let block = &x[b * BLOCK..(b + 1) * BLOCK];
        let mut bits = 0u32;
        for &v in block {
            bits = bits.max(v.to_bits() & 0x7FFF_FFFF);
        }
        let d = f32::from_bits(bits) / 127.0;
        let inverse = if d != 0.0 { 1.0 / d } else { 0.0 };
        scales[b] = f16::from_f32(d).to_f32();
        let mut bytes = [0u8; BLOCK];
        if inverse.is_finite() {
            for i in 0..BLOCK {
                let x = block[i] * inverse;
                let t = x + 0.499_999_97f32.copysign(x);
                // SAFETY: |block[i]| ≤ amax and inverse ≈ 127 / amax, both finite, so t is
                // finite and about 128 at most: it fits an i32.
                let q = unsafe { t.to_int_unchecked::<i32>() };
                bytes[i] = (q.clamp(-128, 127) + 128) as u8;
            }
        } else {
            // NaN or infinite activations, or a scale too small to invert.
            for i in 0..BLOCK {
                bytes[i] = (round_quant(block[i] * inverse) + 128) as u8;
            }
        }
        for w in 0..BLOCK / 4 {
            let four = [
                bytes[4 * w],
                bytes[4 * w + 1],
                bytes[4 * w + 2],
                bytes[4 * w + 3],
            ];
            words[b * BLOCK / 4 + w] = u32::from_le_bytes(four);
        }
    }
}

/// `x.round() as i8` (halves away from zero, saturating) for |x| < 2³¹, as an `i32`, without a
/// call to `roundf`: adding the float just below one half, then truncating, is how LLVM lowers
/// `round` where the CPU has no such instruction; the 32-bit conversion vectorises.
#[inline(always)]
fn round_quant(x: f32) -> i32 {
    ((x + 0.499_999_97f32.copysign(x)) as i32).clamp(-128, 127)
}

/// Which implementation multiplies tiles.
#[derive(Clone, Copy)]
enum Kernel {
    /// AVX-512 with VNNI (x86-64).
    #[cfg(target_arch = "x86_64")]
    Avx512Vnni,
    /// Plain Rust, the same numbers.
    Portable,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vnni")
        {
            return Kernel::Avx512Vnni;
        }
        Kernel::Portable
    }

    /// Multiplies one strip of tiles with `count` (≤ 4) rows from `first`.
    ///
    /// # Safety
    /// The output places of these rows and this strip must be valid and not written by others.
    #[allow(clippy::too_many_arguments)]
    unsafe fn run(
        self,
        tiles: &[Tile],
        acts: &QuantizedRows,
        first: usize,
        count: usize,
        out: Base,
        features: usize,
        strip: usize,
    ) {
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU has the features (detected), the caller guarantees the rest.
            Kernel::Avx512Vnni => unsafe {
                match count {
                    1 => vnni::strip::<1>(tiles, acts, first, out, features, strip),
                    2 => vnni::strip::<2>(tiles, acts, first, out, features, strip),
                    3 => vnni::strip::<3>(tiles, acts, first, out, features, strip),
                    _ => vnni::strip::<4>(tiles, acts, first, out, features, strip),
                }
            },
            Kernel::Portable => {
                for row in first..first + count {
                    let mut acc = [0f32; TILE];
                    portable_row(tiles, acts, row, &mut acc);
                    // SAFETY: guaranteed by the caller.
                    unsafe { out.slice(row * features + strip * TILE, TILE) }.copy_from_slice(&acc);
                }
            }
        }
    }
}

/// One row against one strip, in plain Rust.
fn portable_row(tiles: &[Tile], acts: &QuantizedRows, row: usize, acc: &mut [f32; TILE]) {
    for (block, tile) in tiles.iter().enumerate() {
        let scale = acts.scale(row, block);
        for (f, acc) in acc.iter_mut().enumerate() {
            let mut dot = 0i32;
            for i in 0..BLOCK {
                let weight = i32::from(tile.quants[(i / 4) * TILE * 4 + f * 4 + i % 4]);
                dot += weight * acts.quant(row, block * BLOCK + i);
            }
            *acc = (dot as f32).mul_add(tile.scales[f].to_f32() * scale, *acc);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod vnni {
    use super::{BLOCK, Base, QuantizedRows, TILE, Tile};
    use std::arch::x86_64::*;

    /// `N` rows from `first` against one strip of tiles.
    ///
    /// `vpdpbusd` multiplies unsigned by signed bytes, so activations enter offset by +128
    /// (`QuantizedRows::words`) and `128 · Σ weights` comes off each block's sum.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F/BW/VNNI; the output places must be valid and exclusive.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn strip<const N: usize>(
        tiles: &[Tile],
        acts: &QuantizedRows,
        first: usize,
        out: Base,
        features: usize,
        strip: usize,
    ) {
        let blocks = tiles.len();
        let words = &acts.words[first * acts.inputs / 4..(first + N) * acts.inputs / 4];
        let scales = &acts.scales[first * blocks..(first + N) * blocks];
        let mut acc = [_mm512_setzero_ps(); N];
        for (block, tile) in tiles.iter().enumerate() {
            let mut sums = [_mm512_setzero_si512(); N];
            for group in 0..BLOCK / 4 {
                // SAFETY: 64 bytes of the tile's quants, in bounds.
                let w = unsafe {
                    _mm512_loadu_si512(tile.quants.as_ptr().add(group * TILE * 4).cast())
                };
                for (r, sum) in sums.iter_mut().enumerate() {
                    let a = words[(r * acts.inputs + block * BLOCK) / 4 + group];
                    *sum = _mm512_dpbusd_epi32(*sum, _mm512_set1_epi32(a as i32), w);
                }
            }
            // SAFETY: 16 halves and 16 shorts of the tile.
            let (weight_scales, weight_sums) = unsafe {
                (
                    _mm512_cvtph_ps(_mm256_loadu_si256(tile.scales.as_ptr().cast())),
                    _mm512_cvtepi16_epi32(_mm256_loadu_si256(tile.sums.as_ptr().cast())),
                )
            };
            let correction = _mm512_slli_epi32::<7>(weight_sums);
            for (r, (acc, sum)) in acc.iter_mut().zip(sums).enumerate() {
                let dot = _mm512_cvtepi32_ps(_mm512_sub_epi32(sum, correction));
                let scale =
                    _mm512_mul_ps(weight_scales, _mm512_set1_ps(scales[r * blocks + block]));
                *acc = _mm512_fmadd_ps(dot, scale, *acc);
            }
        }
        for (r, acc) in acc.iter().enumerate() {
            // SAFETY: guaranteed by the caller.
            let slot = unsafe { out.slice((first + r) * features + strip * TILE, TILE) };
            // SAFETY: the slot holds 16 floats.
            unsafe { _mm512_storeu_ps(slot.as_mut_ptr(), *acc) };
        }
    }
}

const _: () = assert!(std::mem::size_of::<Tile>() == 576);

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};

    fn matrix(features: usize, inputs: usize) -> (Q8Matrix, Vec<f32>) {
        let values: Vec<f32> = (0..features * inputs)
            .map(|i| ((i * 7919 % 1013) as f32 / 1013.0 - 0.5) * (1.0 + (i % 5) as f32))
            .collect();
        let dense = Tensor::from_vec(values, (features, inputs), &Device::Cpu).expect("tensor");
        let q = QTensor::quantize(&dense, GgmlDType::Q8_0).expect("quantize");
        let weights = q.dequantize(&Device::Cpu).expect("dequantize");
        let m = Q8Matrix::from_qtensor(&q).expect("pack").expect("Q8_0");
        (
            m,
            weights.flatten_all().expect("flat").to_vec1().expect("vec"),
        )
    }

    fn activations(rows: usize, inputs: usize) -> Vec<f32> {
        (0..rows * inputs)
            .map(|i| ((i * 104_729 % 997) as f32 / 997.0 - 0.5) * 3.0)
            .collect()
    }

    #[test]
    fn product_is_the_dot_product_of_the_quantized_values() {
        let (m, w) = matrix(32, 96);
        let x = activations(5, 96);
        let y = m.matmul(&x, 5).expect("matmul");
        // candle's own Q8_0 rounding of the activations.
        let dense = Tensor::from_vec(x, (5, 96), &Device::Cpu).expect("tensor");
        let xq: Vec<f32> = QTensor::quantize(&dense, GgmlDType::Q8_0)
            .and_then(|q| q.dequantize(&Device::Cpu))
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1())
            .expect("round trip");
        for r in 0..5 {
            for f in 0..32 {
                let exact: f32 = (0..96).map(|i| xq[r * 96 + i] * w[f * 96 + i]).sum();
                let got = y[r * 32 + f];
                assert!(
                    (got - exact).abs() < 1e-4 * (1.0 + exact.abs()),
                    "{got} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn fast_rounding_matches_round() {
        let mut x = -128f32;
        while x <= 128.0 {
            for v in [x, x.next_up(), x.next_down()] {
                assert_eq!(round_quant(v), i32::from(v.round() as i8), "{v}");
            }
            x += 0.125;
        }
        for v in [
            0.499_999_97,
            -0.499_999_97,
            0.5,
            -0.5,
            126.5,
            -126.5,
            0.0,
            -0.0,
        ] {
            assert_eq!(round_quant(v), i32::from(v.round() as i8), "{v}");
        }
    }

    #[test]
    fn rows_do_not_depend_on_their_neighbours() {
        let (m, _) = matrix(48, 64);
        let x = activations(7, 64);
        let all = m.matmul(&x, 7).expect("matmul");
        for r in 0..7 {
            let alone = m.matmul(&x[r * 64..(r + 1) * 64], 1).expect("matmul");
            assert_eq!(alone, all[r * 48..(r + 1) * 48], "row {r}");
        }
    }

    #[test]
    fn simd_and_portable_kernels_agree_bit_for_bit() {
        let (m, _) = matrix(32, 128);
        let x = activations(6, 128);
        let acts = QuantizedRows::new(&x, 6, 128);
        let blocks = 128 / BLOCK;
        for strip in 0..2 {
            let tiles = &m.tiles[strip * blocks..(strip + 1) * blocks];
            for row in 0..6 {
                let mut portable = [0f32; TILE];
                portable_row(tiles, &acts, row, &mut portable);
                let mut detected = vec![0f32; 6 * 32];
                let target = Base(detected.as_mut_ptr());
                // SAFETY: one writer, places inside `detected`.
                unsafe { Kernel::detect().run(tiles, &acts, row, 1, target, 32, strip) };
                assert_eq!(portable[..], detected[row * 32 + strip * 16..][..16]);
            }
        }
    }

    #[test]
    fn other_types_and_shapes_are_declined() {
        let dense = Tensor::zeros((20, 64), candle_core::DType::F32, &Device::Cpu).expect("zeros");
        let q = QTensor::quantize(&dense, GgmlDType::Q8_0).expect("quantize");
        assert!(Q8Matrix::from_qtensor(&q).expect("pack").is_none());
        let f = QTensor::quantize(&dense, GgmlDType::F32).expect("f32");
        assert!(Q8Matrix::from_qtensor(&f).expect("pack").is_none());
    }
}
