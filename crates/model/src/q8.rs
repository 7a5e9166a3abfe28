//! Matrix products with Q8_0 or Q5_0 weights that get cheaper per row as rows are added.
//!
//! candle's CPU backend multiplies Q8_0 weights one dot product at a time unless the inner
//! dimension is a multiple of 256 (it is not for most of our matrices: 576 in SmolLM2, 896 in
//! Qwen2.5-0.5B), and has no SIMD kernel for Q5_0 at all, so a batch of rows costs nearly as
//! much per row as rows one by one. Here the weights are repacked at load into tiles of 16
//! output features × one block of 32 inputs, and each tile is multiplied with up to four
//! activation rows while it is in registers; on CPUs with AVX-512 VNNI one instruction does 64
//! multiply-adds. The weights are read from memory once per call, whatever the number of rows.
//!
//! Q5_0 tiles keep the file's 5.5 bits per weight (four-bit lows, a bit mask of the fifth
//! bits, the scales apart): decoding a single sequence is bound by memory bandwidth, and
//! re-quantizing them to Q8_0 would read 8.5 bits per weight instead. The quants expand to
//! bytes in registers.
//!
//! The numerics are those of ggml's Q8_0 × Q8_0 (or Q5_0 × Q8_0) product: activations are
//! quantized per block of 32 with an f16 scale (as candle does), each block's integer dot
//! product is exact, and the blocks accumulate in order as
//! `acc = dot · (weight scale · activation scale) + acc`, one fused multiply-add each. The SIMD
//! kernel and the portable one give bit-identical results, and a row's result never depends on
//! the other rows.

use crate::parallel::{self, Base};
use candle_core::quantized::{GgmlDType, QTensor};
use half::f16;
use std::sync::OnceLock;

/// Values per quantization block.
const BLOCK: usize = 32;
/// Output features per tile.
const TILE: usize = 16;
/// Activation rows multiplied with a tile at once.
const ROWS: usize = 4;
/// Activation rows whose quants stay in cache while a worker walks the weights (prefill).
const PANEL: usize = 64;
/// Bytes of one Q8_0 block in a GGUF tensor: an f16 scale and 32 signed bytes.
const Q8_BLOCK_BYTES: usize = 2 + BLOCK;
/// Bytes of one Q5_0 block in a GGUF tensor: an f16 scale, 32 fifth bits, 32 nibbles.
const Q5_BLOCK_BYTES: usize = 2 + 4 + BLOCK / 2;

/// The quants of one Q8_0 tile (one block of 32 inputs for 16 output features), offset by +128
/// (unsigned bytes, the operand `vpdpbusd` takes for the weights).
#[derive(Clone)]
#[repr(C, align(64))]
struct Q8Tile {
    /// Quants + 128 as `[group of 4 inputs (8)][feature (16)][4]`, the layout a 4-byte
    /// broadcast of activations meets in one instruction.
    quants: [u8; BLOCK * TILE],
}

/// The quants of one Q5_0 tile: five-bit values `q` (the weight is `(q - 16) · scale`).
#[derive(Clone)]
#[repr(C, align(64))]
struct Q5Tile {
    /// Low four bits as `[pair of groups (4)][feature (16)][4]`: the low nibble of a byte
    /// belongs to group `2p` (inputs `8p..8p+4`), the high nibble to group `2p + 1`.
    nibbles: [u8; BLOCK * TILE / 2],
    /// Fifth bits, one word per group of 4 inputs: bit `4f + i` is input `i` of feature `f`
    /// (the byte positions of a group's 64-byte vector).
    highs: [u64; BLOCK / 4],
}

/// The packed quants of a matrix, as `[feature tile][input block]`.
enum Quants {
    Q8(Vec<Q8Tile>),
    Q5(Vec<Q5Tile>),
}

/// A Q8_0 or Q5_0 weight matrix (features × inputs), repacked into tiles.
pub(crate) struct PackedMatrix {
    features: usize,
    inputs: usize,
    /// Each tile's 16 feature scales, as `[feature tile][input block]`.
    scales: Vec<[f16; TILE]>,
    quants: Quants,
}

/// Whether a tensor of this type and shape (features, inputs) can be packed.
pub(crate) fn packable(dtype: GgmlDType, features: usize, inputs: usize) -> bool {
    matches!(dtype, GgmlDType::Q8_0 | GgmlDType::Q5_0)
        && features.is_multiple_of(TILE)
        && inputs.is_multiple_of(BLOCK)
        && features > 0
        && inputs > 0
}

/// Whether this CPU multiplies packed tiles with SIMD (else a portable kernel does).
pub(crate) fn has_simd_kernel() -> bool {
    !matches!(Kernel::detect(), Kernel::Portable)
}

impl PackedMatrix {
    /// Repacks a Q8_0 or Q5_0 tensor of shape (features, inputs); `None` for other types or
    /// when the features are not a multiple of 16.
    pub(crate) fn from_qtensor(tensor: &QTensor) -> candle_core::Result<Option<Self>> {
        let Ok((features, inputs)) = tensor.shape().dims2() else {
            return Ok(None);
        };
        let dtype = tensor.dtype();
        if !packable(dtype, features, inputs) {
            return Ok(None);
        }
        let data = tensor.data()?;
        let blocks = inputs / BLOCK;
        let block_bytes = match dtype {
            GgmlDType::Q5_0 => Q5_BLOCK_BYTES,
            _ => Q8_BLOCK_BYTES,
        };
        if data.len() != features * blocks * block_bytes {
            candle_core::bail!(
                "{dtype:?} tensor of {features}x{inputs} has {} bytes",
                data.len()
            );
        }
        let tiles = features / TILE * blocks;
        let mut scales = Vec::with_capacity(tiles);
        // Block `block` of feature `f` of tile `tile`.
        let raw = |tile: usize, f: usize, block: usize| {
            let at = ((tile * TILE + f) * blocks + block) * block_bytes;
            &data[at..at + block_bytes]
        };
        for tile in 0..features / TILE {
            for block in 0..blocks {
                scales.push(std::array::from_fn(|f| {
                    let raw = raw(tile, f, block);
                    f16::from_le_bytes([raw[0], raw[1]])
                }));
            }
        }
        let quants = if dtype == GgmlDType::Q5_0 {
            let mut packed = Vec::with_capacity(tiles);
            for tile in 0..features / TILE {
                for block in 0..blocks {
                    packed.push(pack_q5(|f| raw(tile, f, block)));
                }
            }
            Quants::Q5(packed)
        } else {
            let mut packed = Vec::with_capacity(tiles);
            for tile in 0..features / TILE {
                for block in 0..blocks {
                    packed.push(pack_q8(|f| raw(tile, f, block)));
                }
            }
            Quants::Q8(packed)
        };
        Ok(Some(PackedMatrix {
            features,
            inputs,
            scales,
            quants,
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
                let range = strip * blocks..(strip + 1) * blocks;
                let weights = Strip {
                    scales: &self.scales[range.clone()],
                    quants: match &self.quants {
                        Quants::Q8(tiles) => StripQuants::Q8(&tiles[range]),
                        Quants::Q5(tiles) => StripQuants::Q5(&tiles[range]),
                    },
                };
                let end = rows.min((panel + 1) * PANEL);
                for first in (panel * PANEL..end).step_by(ROWS) {
                    let count = ROWS.min(end - first);
                    // SAFETY: an item writes only columns 16s..16s+16 (s its strip) of its
                    // panel's rows, within `out` (rows × features); the ranges cover each item
                    // once, so no two writers overlap, and `out` outlives the call.
                    unsafe {
                        kernel.run(&weights, &acts, first, count, target, self.features, strip)
                    };
                }
            }
        });
        Ok(out)
    }
}

/// One strip of tiles: 16 features, every input block.
struct Strip<'a> {
    scales: &'a [[f16; TILE]],
    quants: StripQuants<'a>,
}

/// The quants of a [`Strip`].
#[derive(Clone, Copy)]
enum StripQuants<'a> {
    Q8(&'a [Q8Tile]),
    Q5(&'a [Q5Tile]),
}

impl Strip<'_> {
    /// The signed weight of input `i` of the block `block`, feature `f`.
    fn weight(&self, block: usize, f: usize, i: usize) -> i32 {
        let (group, lane) = (i / 4, f * 4 + i % 4);
        match self.quants {
            StripQuants::Q8(tiles) => i32::from(tiles[block].quants[group * TILE * 4 + lane]) - 128,
            StripQuants::Q5(tiles) => {
                let tile = &tiles[block];
                let byte = tile.nibbles[group / 2 * TILE * 4 + lane];
                let low = if group % 2 == 0 {
                    byte & 0x0F
                } else {
                    byte >> 4
                };
                let high = (tile.highs[group] >> lane) & 1;
                i32::from(low) + 16 * high as i32 - 16
            }
        }
    }
}

/// Tile quants from the raw Q8_0 blocks of its 16 features (`raw(f)`).
fn pack_q8<'a>(raw: impl Fn(usize) -> &'a [u8]) -> Q8Tile {
    let mut packed = Q8Tile {
        quants: [0; BLOCK * TILE],
    };
    for f in 0..TILE {
        for (i, &q) in raw(f)[2..].iter().enumerate() {
            packed.quants[(i / 4) * TILE * 4 + f * 4 + i % 4] = (q as i8 as i16 + 128) as u8;
        }
    }
    packed
}

/// Tile quants from the raw Q5_0 blocks of its 16 features (`raw(f)`): in ggml's layout, input
/// `j < 16` has the low nibble of byte `j` and input `j + 16` the high one; the fifth bit of
/// input `j` is bit `j` of the little-endian word before them.
fn pack_q5<'a>(raw: impl Fn(usize) -> &'a [u8]) -> Q5Tile {
    let mut packed = Q5Tile {
        nibbles: [0; BLOCK * TILE / 2],
        highs: [0; BLOCK / 4],
    };
    for f in 0..TILE {
        let raw = raw(f);
        let fifth = u32::from_le_bytes([raw[2], raw[3], raw[4], raw[5]]);
        let lows = &raw[6..];
        for i in 0..BLOCK {
            let low = if i < 16 {
                lows[i] & 0x0F
            } else {
                lows[i - 16] >> 4
            };
            let (group, lane) = (i / 4, f * 4 + i % 4);
            let shift = if group % 2 == 0 { 0 } else { 4 };
            packed.nibbles[group / 2 * TILE * 4 + lane] |= low << shift;
            packed.highs[group] |= u64::from((fifth >> i) & 1) << lane;
        }
    }
    packed
}

/// Activation rows quantized to Q8_0.
struct QuantizedRows {
    inputs: usize,
    /// `rows × blocks` scales (f16-rounded, as ggml stores them).
    scales: Vec<f32>,
    /// `rows × blocks` sums of each block's quants (for the weight offsets).
    sums: Vec<i32>,
    /// `rows × inputs` signed quants, four to a little-endian word.
    words: Vec<u32>,
}

impl QuantizedRows {
    /// Quantizes each block of 32 like candle's `BlockQ8_0::from_float`.
    fn new(x: &[f32], rows: usize, inputs: usize) -> Self {
        let blocks = rows * inputs / BLOCK;
        let mut rows = QuantizedRows {
            inputs,
            scales: vec![0.0; blocks],
            sums: vec![0; blocks],
            words: vec![0; blocks * BLOCK / 4],
        };
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            unsafe { quantize_avx2(x, &mut rows.scales, &mut rows.sums, &mut rows.words) };
            return rows;
        }
        quantize(x, &mut rows.scales, &mut rows.sums, &mut rows.words);
        rows
    }

    fn scale(&self, row: usize, block: usize) -> f32 {
        self.scales[row * (self.inputs / BLOCK) + block]
    }

    /// The signed quant of input `i` of `row`.
    fn quant(&self, row: usize, i: usize) -> i32 {
        let at = row * self.inputs + i;
        let byte = (self.words[at / 4] >> (8 * (at % 4))) & 0xFF;
        i32::from(byte as u8 as i8)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn quantize_avx2(x: &[f32], scales: &mut [f32], sums: &mut [i32], words: &mut [u32]) {
    quantize(x, scales, sums, words);
}

/// Fills `scales`, `sums` and `words` (see [`QuantizedRows`]) from `x`, rounding as
/// [`round_quant`]. Written so that the AVX2 compilation vectorises it: index loops, the
/// largest magnitude found on the bit patterns (for floats that are not NaN, their order), and
/// an unchecked conversion where the values are known to fit.
#[inline(always)]
fn quantize(x: &[f32], scales: &mut [f32], sums: &mut [i32], words: &mut [u32]) {
    for b in 0..scales.len() {
        let block = &x[b * BLOCK..(b + 1) * BLOCK];
        let mut bits = 0u32;
        for &v in block {
            bits = bits.max(v.to_bits() & 0x7FFF_FFFF);
        }
        let d = f32::from_bits(bits) / 127.0;
        let inverse = if d != 0.0 { 1.0 / d } else { 0.0 };
        scales[b] = f16::from_f32(d).to_f32();
        let mut quants = [0i32; BLOCK];
        if inverse.is_finite() {
            for i in 0..BLOCK {
                let x = block[i] * inverse;
                let t = x + 0.499_999_97f32.copysign(x);
                // SAFETY: |block[i]| ≤ amax and inverse ≈ 127 / amax, both finite, so t is
                // finite and about 128 at most: it fits an i32.
                let q = unsafe { t.to_int_unchecked::<i32>() };
                quants[i] = q.clamp(-128, 127);
            }
        } else {
            // NaN or infinite activations, or a scale too small to invert.
            for i in 0..BLOCK {
                quants[i] = round_quant(block[i] * inverse);
            }
        }
        let mut sum = 0i32;
        for q in quants {
            sum += q;
        }
        sums[b] = sum;
        for w in 0..BLOCK / 4 {
            let four = [
                quants[4 * w] as u8,
                quants[4 * w + 1] as u8,
                quants[4 * w + 2] as u8,
                quants[4 * w + 3] as u8,
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
    /// The kernel this CPU runs; `CRUCIBLE_PORTABLE_KERNELS` set (to anything) forces the
    /// portable one, to check it on CPUs that have the SIMD one.
    fn detect() -> Self {
        static KERNEL: OnceLock<Kernel> = OnceLock::new();
        *KERNEL.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            if std::env::var_os("CRUCIBLE_PORTABLE_KERNELS").is_none()
                && std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vnni")
            {
                return Kernel::Avx512Vnni;
            }
            Kernel::Portable
        })
    }

    /// Multiplies one strip of tiles with `count` (≤ 4) rows from `first`.
    ///
    /// # Safety
    /// The output places of these rows and this strip must be valid and not written by others.
    #[allow(clippy::too_many_arguments)]
    unsafe fn run(
        self,
        weights: &Strip<'_>,
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
                let at = (acts, first, out, features, strip);
                match (weights.quants, count) {
                    (StripQuants::Q8(t), 1) => vnni::strip::<1, false, _>(t, weights.scales, at),
                    (StripQuants::Q8(t), 2) => vnni::strip::<2, false, _>(t, weights.scales, at),
                    (StripQuants::Q8(t), 3) => vnni::strip::<3, false, _>(t, weights.scales, at),
                    (StripQuants::Q8(t), _) => vnni::strip::<4, false, _>(t, weights.scales, at),
                    (StripQuants::Q5(t), 1) => vnni::strip::<1, true, _>(t, weights.scales, at),
                    (StripQuants::Q5(t), 2) => vnni::strip::<2, true, _>(t, weights.scales, at),
                    (StripQuants::Q5(t), 3) => vnni::strip::<3, true, _>(t, weights.scales, at),
                    (StripQuants::Q5(t), _) => vnni::strip::<4, true, _>(t, weights.scales, at),
                }
            },
            Kernel::Portable => {
                for row in first..first + count {
                    let mut acc = [0f32; TILE];
                    portable_row(weights, acts, row, &mut acc);
                    // SAFETY: guaranteed by the caller.
                    unsafe { out.slice(row * features + strip * TILE, TILE) }.copy_from_slice(&acc);
                }
            }
        }
    }
}

/// One row against one strip, in plain Rust.
fn portable_row(weights: &Strip<'_>, acts: &QuantizedRows, row: usize, acc: &mut [f32; TILE]) {
    for (block, scales) in weights.scales.iter().enumerate() {
        let scale = acts.scale(row, block);
        for (f, acc) in acc.iter_mut().enumerate() {
            let mut dot = 0i32;
            for i in 0..BLOCK {
                dot += weights.weight(block, f, i) * acts.quant(row, block * BLOCK + i);
            }
            *acc = (dot as f32).mul_add(scales[f].to_f32() * scale, *acc);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod vnni {
    use super::{BLOCK, Base, QuantizedRows, TILE};
    use half::f16;
    use std::arch::x86_64::*;

    /// Where a strip's results go: the activations, the first of their rows, the output
    /// buffer, its width (features) and the strip.
    pub(super) type Target<'a> = (&'a QuantizedRows, usize, Base, usize, usize);

    /// `N` rows against one strip of tiles: Q5_0 tiles (`Q5`, of `T` = `Q5Tile`) or Q8_0 ones
    /// (`T` = `Q8Tile`).
    ///
    /// `vpdpbusd` multiplies unsigned by signed bytes, so the weights enter as unsigned bytes
    /// (Q8_0 quants + 128, Q5_0's five-bit values, which are the weights + 16) and
    /// `offset · Σ activation quants` comes off each block's integer sum, which is then exact.
    /// Even and odd groups of 4 inputs accumulate apart, to shorten the dependency chains.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F/BW/VNNI; `T` must be the tile type `Q5` says; the output
    /// places must be valid and exclusive.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn strip<const N: usize, const Q5: bool, T>(
        tiles: &[T],
        scales: &[[f16; TILE]],
        (acts, first, out, features, strip): Target<'_>,
    ) {
        let blocks = scales.len();
        assert_eq!(tiles.len(), blocks);
        let words = &acts.words[first * acts.inputs / 4..(first + N) * acts.inputs / 4];
        let act_scales = &acts.scales[first * blocks..(first + N) * blocks];
        let act_sums = &acts.sums[first * blocks..(first + N) * blocks];
        let (lows, sixteen) = (_mm512_set1_epi8(0x0F), _mm512_set1_epi8(16));
        let offset = if Q5 { 16 } else { 128 };
        let mut acc = [_mm512_setzero_ps(); N];
        for (block, block_scales) in scales.iter().enumerate() {
            let tile = (&raw const tiles[block]).cast::<u8>();
            let mut even = [_mm512_setzero_si512(); N];
            let mut odd = [_mm512_setzero_si512(); N];
            for pair in 0..BLOCK / 8 {
                let (w0, w1) = if Q5 {
                    // SAFETY: a Q5Tile is 256 bytes of nibbles then 8 words of fifth bits.
                    unsafe {
                        let v = _mm512_loadu_si512(tile.add(pair * 64).cast());
                        let low = _mm512_and_si512(v, lows);
                        let high = _mm512_and_si512(_mm512_srli_epi16::<4>(v), lows);
                        let fifth = tile.add(BLOCK * TILE / 2).cast::<u64>();
                        let k0 = fifth.add(2 * pair).read_unaligned();
                        let k1 = fifth.add(2 * pair + 1).read_unaligned();
                        (
                            _mm512_mask_add_epi8(low, k0, low, sixteen),
                            _mm512_mask_add_epi8(high, k1, high, sixteen),
                        )
                    }
                } else {
                    // SAFETY: a Q8Tile is 8 groups of 64 bytes.
                    unsafe {
                        (
                            _mm512_loadu_si512(tile.add(2 * pair * 64).cast()),
                            _mm512_loadu_si512(tile.add((2 * pair + 1) * 64).cast()),
                        )
                    }
                };
                for r in 0..N {
                    let at = (r * acts.inputs + block * BLOCK) / 4 + 2 * pair;
                    let (a0, a1) = (words[at] as i32, words[at + 1] as i32);
                    even[r] = _mm512_dpbusd_epi32(even[r], w0, _mm512_set1_epi32(a0));
                    odd[r] = _mm512_dpbusd_epi32(odd[r], w1, _mm512_set1_epi32(a1));
                }
            }
            // SAFETY: 16 halves.
            let weight_scales =
                _mm512_cvtph_ps(unsafe { _mm256_loadu_si256(block_scales.as_ptr().cast()) });
            for r in 0..N {
                let correction = _mm512_set1_epi32(offset * act_sums[r * blocks + block]);
                let sum = _mm512_sub_epi32(_mm512_add_epi32(even[r], odd[r]), correction);
                let dot = _mm512_cvtepi32_ps(sum);
                let scale = _mm512_mul_ps(
                    weight_scales,
                    _mm512_set1_ps(act_scales[r * blocks + block]),
                );
                acc[r] = _mm512_fmadd_ps(dot, scale, acc[r]);
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

const _: () = assert!(std::mem::size_of::<Q8Tile>() == 512);
const _: () = assert!(std::mem::size_of::<Q5Tile>() == 320);

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};

    fn matrix(dtype: GgmlDType, features: usize, inputs: usize) -> (PackedMatrix, Vec<f32>) {
        let values: Vec<f32> = (0..features * inputs)
            .map(|i| ((i * 7919 % 1013) as f32 / 1013.0 - 0.5) * (1.0 + (i % 5) as f32))
            .collect();
        let dense = Tensor::from_vec(values, (features, inputs), &Device::Cpu).expect("tensor");
        let q = QTensor::quantize(&dense, dtype).expect("quantize");
        let weights = q.dequantize(&Device::Cpu).expect("dequantize");
        let m = PackedMatrix::from_qtensor(&q)
            .expect("pack")
            .expect("packable");
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

    const TYPES: [GgmlDType; 2] = [GgmlDType::Q8_0, GgmlDType::Q5_0];

    #[test]
    fn product_is_the_dot_product_of_the_quantized_values() {
        for dtype in TYPES {
            let (m, w) = matrix(dtype, 32, 96);
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
                        "{dtype:?}: {got} vs {exact}"
                    );
                }
            }
        }
    }

    #[test]
    fn packed_weights_are_the_files_weights() {
        for dtype in TYPES {
            let (m, w) = matrix(dtype, 32, 64);
            let blocks = 2;
            for strip in 0..2 {
                let range = strip * blocks..(strip + 1) * blocks;
                let weights = Strip {
                    scales: &m.scales[range.clone()],
                    quants: match &m.quants {
                        Quants::Q8(t) => StripQuants::Q8(&t[range]),
                        Quants::Q5(t) => StripQuants::Q5(&t[range]),
                    },
                };
                for f in 0..TILE {
                    for i in 0..64 {
                        let (block, scale) = (i / BLOCK, weights.scales[i / BLOCK][f].to_f32());
                        let value = weights.weight(block, f, i % BLOCK) as f32 * scale;
                        assert_eq!(value, w[(strip * TILE + f) * 64 + i], "{dtype:?}");
                    }
                }
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
        for dtype in TYPES {
            let (m, _) = matrix(dtype, 48, 64);
            let x = activations(7, 64);
            let all = m.matmul(&x, 7).expect("matmul");
            for r in 0..7 {
                let alone = m.matmul(&x[r * 64..(r + 1) * 64], 1).expect("matmul");
                assert_eq!(alone, all[r * 48..(r + 1) * 48], "{dtype:?} row {r}");
            }
        }
    }

    #[test]
    fn simd_and_portable_kernels_agree_bit_for_bit() {
        for dtype in TYPES {
            let (m, _) = matrix(dtype, 32, 128);
            let x = activations(6, 128);
            let acts = QuantizedRows::new(&x, 6, 128);
            let blocks = 128 / BLOCK;
            for strip in 0..2 {
                let range = strip * blocks..(strip + 1) * blocks;
                let weights = Strip {
                    scales: &m.scales[range.clone()],
                    quants: match &m.quants {
                        Quants::Q8(t) => StripQuants::Q8(&t[range]),
                        Quants::Q5(t) => StripQuants::Q5(&t[range]),
                    },
                };
                for first in 0..6 {
                    for count in 1..=ROWS.min(6 - first) {
                        let mut detected = vec![0f32; 6 * 32];
                        let target = Base(detected.as_mut_ptr());
                        // SAFETY: one writer, places inside `detected`.
                        unsafe {
                            Kernel::detect().run(&weights, &acts, first, count, target, 32, strip)
                        };
                        for row in first..first + count {
                            let mut portable = [0f32; TILE];
                            portable_row(&weights, &acts, row, &mut portable);
                            assert_eq!(
                                portable[..],
                                detected[row * 32 + strip * 16..][..16],
                                "{dtype:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn other_types_and_shapes_are_declined() {
        let dense = Tensor::zeros((20, 64), candle_core::DType::F32, &Device::Cpu).expect("zeros");
        for dtype in TYPES {
            let q = QTensor::quantize(&dense, dtype).expect("quantize");
            assert!(PackedMatrix::from_qtensor(&q).expect("pack").is_none());
        }
        let f = QTensor::quantize(&dense, GgmlDType::F32).expect("f32");
        assert!(PackedMatrix::from_qtensor(&f).expect("pack").is_none());
    }
}
