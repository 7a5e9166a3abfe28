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

use crate::parallel::Base;
use candle_core::quantized::{GgmlDType, QTensor};
use half::f16;

/// Values per quantization block.
const BLOCK: usize = 32;
/// Output features per tile.
const TILE: usize = 16;
/// Activation rows multiplied with a tile at once.
const ROWS: usize = 4;
/// Bytes of one Q8_0 block in a GGUF tensor: an f16 scale and 32 signed bytes.
const BLOCK_BYTES: usize = 2 + BLOCK;

/// One block of 32 inputs for 16 output features.
#[derive(Clone)]
#[repr(C, align(64))]
struct Tile {
    /// Each feature's scale.
    scales: [f32; TILE],
    /// Each feature's sum of quants in this block (corrects the unsigned-activation trick).
    sums: [i32; TILE],
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
        candle_core::utils::barrier_pool().execute_chunked(self.features / TILE, |strips| {
            for strip in strips {
                let tiles = &self.tiles[strip * blocks..(strip + 1) * blocks];
                for first in (0..rows).step_by(ROWS) {
                    let count = ROWS.min(rows - first);
                    // SAFETY: strip `s` writes only columns 16s..16s+16 of rows first..first+count,
                    // within `out` (rows × features); execute_chunked hands each strip to one
                    // worker, so no two writers overlap, and `out` outlives the call.
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
        scales: [0.0; TILE],
        sums: [0; TILE],
        quants: [0; BLOCK * TILE],
    };
    for f in 0..TILE {
        let at = ((tile * TILE + f) * blocks + block) * BLOCK_BYTES;
        let raw = &data[at..at + BLOCK_BYTES];
        packed.scales[f] = f16::from_le_bytes([raw[0], raw[1]]).to_f32();
        let quants = raw[2..].iter().map(|&b| b as i8);
        for (i, q) in quants.enumerate() {
            packed.quants[(i / 4) * TILE * 4 + f * 4 + i % 4] = q;
            packed.sums[f] += i32::from(q);
        }
    }
    packed
}

/// Activation rows quantized to Q8_0.
struct QuantizedRows {
    inputs: usize,
    /// `rows × blocks` scales (f16-rounded, as ggml stores them).
    scales: Vec<f32>,
    /// `rows × inputs` quants.
    quants: Vec<i8>,
    /// The quants offset by +128 as unsigned bytes, four to a word (`rows × inputs / 4`): the
    /// operand `vpdpbusd` broadcasts.
    words: Vec<u32>,
}

impl QuantizedRows {
    /// Quantizes each block of 32 like candle's `BlockQ8_0::from_float`.
    fn new(x: &[f32], rows: usize, inputs: usize) -> Self {
        let blocks = rows * inputs / BLOCK;
        let mut scales = Vec::with_capacity(blocks);
        let mut quants = Vec::with_capacity(rows * inputs);
        for block in x.chunks_exact(BLOCK) {
            let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
            let d = amax / 127.0;
            let inverse = if d != 0.0 { 1.0 / d } else { 0.0 };
            scales.push(f16::from_f32(d).to_f32());
            quants.extend(block.iter().map(|v| round_to_i8(v * inverse)));
        }
        let words = quants
            .chunks_exact(4)
            .map(|q| u32::from_le_bytes([0, 1, 2, 3].map(|i| (q[i] as u8) ^ 0x80)))
            .collect();
        QuantizedRows {
            inputs,
            scales,
            quants,
            words,
        }
    }

    fn scale(&self, row: usize, block: usize) -> f32 {
        self.scales[row * (self.inputs / BLOCK) + block]
    }

    fn block(&self, row: usize, block: usize) -> &[i8] {
        let at = row * self.inputs + block * BLOCK;
        &self.quants[at..at + BLOCK]
    }
}

/// `x.round() as i8` (halves away from zero) for |x| ≤ 128, without a call to `roundf`:
/// adding the float just below one half, then truncating, is how LLVM lowers `round` where the
/// CPU has no such instruction.
fn round_to_i8(x: f32) -> i8 {
    (x + 0.499_999_97f32.copysign(x)) as i8
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
        let a = acts.block(row, block);
        let scale = acts.scale(row, block);
        for (f, acc) in acc.iter_mut().enumerate() {
            let mut dot = 0i32;
            for (i, &q) in a.iter().enumerate() {
                dot += i32::from(tile.quants[(i / 4) * TILE * 4 + f * 4 + i % 4]) * i32::from(q);
            }
            *acc = (dot as f32).mul_add(tile.scales[f] * scale, *acc);
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
            // SAFETY: 16 floats and 16 ints of the tile.
            let (weight_scales, weight_sums) = unsafe {
                (
                    _mm512_loadu_ps(tile.scales.as_ptr()),
                    _mm512_loadu_si512(tile.sums.as_ptr().cast()),
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
                assert_eq!(round_to_i8(v), v.round() as i8, "{v}");
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
            assert_eq!(round_to_i8(v), v.round() as i8, "{v}");
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
