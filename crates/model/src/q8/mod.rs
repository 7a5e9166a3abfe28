//! Matrix products with Q8_0, Q5_0, Q4_K or Q6_K weights that get cheaper per row as rows are
//! added.
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
//! Q4_K and Q6_K tiles (16 features × one super-block of 256 inputs) likewise keep the file's
//! quants and integer sub-block scales (Q4_K's 6-bit scales and mins unpacked to bytes: 4.625
//! bits per weight where the file has 4.5; Q6_K 6.625 where it has 6.5625). candle multiplies
//! them one dot product at a time with AVX2; here they expand in registers, and `vpdpbusd`
//! does the sub-block products. Without AVX-512 VNNI, candle's kernels multiply them instead
//! (see [`faster_than_candle`]); Q8_0 and Q5_0 tiles then go through an AVX2 kernel
//! (`vpmaddubsw`, `avx2`) where the CPU has AVX2, FMA and F16C, else a portable one.
//!
//! The numerics are those of ggml's Q8_0 × Q8_0 (or Q5_0 × Q8_0) product: activations are
//! quantized per block of 32 with an f16 scale (as candle does), each block's integer dot
//! product is exact, and the blocks accumulate in order as
//! `acc = dot · (weight scale · activation scale) + acc`, one fused multiply-add each. For the
//! k-quants, activations are quantized per super-block of 256 with an f32 scale (as ggml's
//! Q8_K, with sums per 16 for the offsets), the super-block's integer sum over its scaled
//! sub-blocks is exact, and it accumulates as `acc = dot · (d · activation scale) + acc`
//! (then, for Q4_K, `acc = -mins · (dmin · activation scale) + acc`). The SIMD kernel and the
//! portable one give bit-identical results, and a row's result never depends on the other rows.

mod activations;
#[cfg(target_arch = "x86_64")]
mod avx2;
mod portable;
mod q4_k;
mod q5_0;
mod q6_k;
mod q8_0;
#[cfg(test)]
mod tests;
#[cfg(target_arch = "x86_64")]
mod vnni;

use crate::parallel::{self, Base};
use activations::QuantizedRows;
use candle_core::quantized::{GgmlDType, QTensor};
use half::f16;
use portable::portable_row;
use q4_k::{Q4KTile, pack_q4k};
use q5_0::{Q5Tile, pack_q5};
use q6_k::{Q6KTile, pack_q6k};
use q8_0::{Q8Tile, pack_q8};
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
/// Values per k-quant super-block.
const SUPER: usize = 256;
/// Bytes of one Q4_K block: f16 `d` and `dmin`, 12 bytes of 6-bit scales and mins, 128 bytes of
/// nibbles.
const Q4K_BLOCK_BYTES: usize = 2 + 2 + 12 + SUPER / 2;
/// Bytes of one Q6_K block: 128 bytes of low nibbles, 64 of high bit pairs, 16 signed scales,
/// an f16 `d`.
const Q6K_BLOCK_BYTES: usize = SUPER / 2 + SUPER / 4 + SUPER / 16 + 2;
/// Activation values per sum (the k-quant paths; Q6_K's scales cover 16 values).
const SUM: usize = 16;

/// The packed quants of a matrix, as `[feature tile][input block]` (blocks of 32 inputs for
/// Q8_0 and Q5_0, super-blocks of 256 for the k-quants).
enum Quants {
    Q8(Vec<Q8Tile>),
    Q5(Vec<Q5Tile>),
    Q4K(Vec<Q4KTile>),
    Q6K(Vec<Q6KTile>),
}

/// A Q8_0, Q5_0, Q4_K or Q6_K weight matrix (features × inputs), repacked into tiles.
pub(crate) struct PackedMatrix {
    features: usize,
    inputs: usize,
    /// Each Q8_0 or Q5_0 tile's 16 feature scales, as `[feature tile][input block]` (the
    /// k-quant tiles hold their own).
    scales: Vec<[f16; TILE]>,
    quants: Quants,
}

/// Inputs per block of a packable type.
fn block_len(dtype: GgmlDType) -> Option<usize> {
    match dtype {
        GgmlDType::Q8_0 | GgmlDType::Q5_0 => Some(BLOCK),
        GgmlDType::Q4K | GgmlDType::Q6K => Some(SUPER),
        _ => None,
    }
}

/// Whether a tensor of this type and shape (features, inputs) can be packed.
pub(crate) fn packable(dtype: GgmlDType, features: usize, inputs: usize) -> bool {
    block_len(dtype).is_some_and(|block| {
        features.is_multiple_of(TILE) && inputs.is_multiple_of(block) && features > 0 && inputs > 0
    })
}

/// Whether packing a matrix of this type makes it faster than candle's kernels on this CPU:
/// always for Q8_0 and Q5_0 (candle's are per dot product or scalar), only with the AVX-512
/// VNNI kernel for Q4_K and Q6_K (candle has AVX2 ones).
pub(crate) fn faster_than_candle(dtype: GgmlDType) -> bool {
    match dtype {
        GgmlDType::Q4K | GgmlDType::Q6K => has_k_quant_kernel(),
        _ => true,
    }
}

/// Whether this CPU multiplies packed Q8_0 and Q5_0 tiles with SIMD (else a portable kernel
/// does).
pub(crate) fn has_simd_kernel() -> bool {
    !matches!(Kernel::detect(), Kernel::Portable)
}

/// Whether this CPU multiplies packed Q4_K and Q6_K tiles with SIMD.
fn has_k_quant_kernel() -> bool {
    #[cfg(target_arch = "x86_64")]
    if matches!(Kernel::detect(), Kernel::Avx512Vnni) {
        return true;
    }
    false
}

impl PackedMatrix {
    /// Repacks a Q8_0, Q5_0, Q4_K or Q6_K tensor of shape (features, inputs); `None` for
    /// other types or shapes that are not [`packable`].
    pub(crate) fn from_qtensor(tensor: &QTensor) -> candle_core::Result<Option<Self>> {
        let Ok((features, inputs)) = tensor.shape().dims2() else {
            return Ok(None);
        };
        let dtype = tensor.dtype();
        if !packable(dtype, features, inputs) {
            return Ok(None);
        }
        let data = tensor.data()?;
        let (block_len, block_bytes) = match dtype {
            GgmlDType::Q5_0 => (BLOCK, Q5_BLOCK_BYTES),
            GgmlDType::Q4K => (SUPER, Q4K_BLOCK_BYTES),
            GgmlDType::Q6K => (SUPER, Q6K_BLOCK_BYTES),
            _ => (BLOCK, Q8_BLOCK_BYTES),
        };
        let blocks = inputs / block_len;
        if data.len() != features * blocks * block_bytes {
            candle_core::bail!(
                "{dtype:?} tensor of {features}x{inputs} has {} bytes",
                data.len()
            );
        }
        let mut scales = Vec::new();
        // Block `block` of feature `f` of tile `tile`.
        let raw = |tile: usize, f: usize, block: usize| {
            let at = ((tile * TILE + f) * blocks + block) * block_bytes;
            &data[at..at + block_bytes]
        };
        if block_len == BLOCK {
            for tile in 0..features / TILE {
                for block in 0..blocks {
                    scales.push(std::array::from_fn(|f| {
                        let raw = raw(tile, f, block);
                        f16::from_le_bytes([raw[0], raw[1]])
                    }));
                }
            }
        }
        let strips = features / TILE;
        let quants = match dtype {
            GgmlDType::Q5_0 => {
                Quants::Q5(pack_tiles(strips, blocks, |t, b| pack_q5(|f| raw(t, f, b))))
            }
            GgmlDType::Q4K => Quants::Q4K(pack_tiles(strips, blocks, |t, b| {
                pack_q4k(|f| raw(t, f, b))
            })),
            GgmlDType::Q6K => Quants::Q6K(pack_tiles(strips, blocks, |t, b| {
                pack_q6k(|f| raw(t, f, b))
            })),
            _ => Quants::Q8(pack_tiles(strips, blocks, |t, b| pack_q8(|f| raw(t, f, b)))),
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
        let acts = self.quantize(x, rows);
        let mut out = vec![0f32; rows * self.features];
        let target = Base(out.as_mut_ptr());
        let kernel = Kernel::detect();
        let strips = self.features / TILE;
        let panels = rows.div_ceil(PANEL);
        // Work items are (panel of rows, strip of features), panel-major: a worker walks
        // strips with one panel's activations hot in cache.
        let work = rows * self.features * self.inputs;
        parallel::for_each_range(panels * strips, work, |items| {
            for item in items {
                let (panel, strip) = (item / strips, item % strips);
                let weights = self.strip(strip);
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

    /// The activation rows `x` quantized as this matrix's kernels take them.
    fn quantize(&self, x: &[f32], rows: usize) -> QuantizedRows {
        match self.quants {
            Quants::Q4K(_) | Quants::Q6K(_) => QuantizedRows::new_k(x, rows, self.inputs),
            Quants::Q8(_) | Quants::Q5(_) => QuantizedRows::new(x, rows, self.inputs),
        }
    }

    /// The tiles of features `16 · strip..16 · strip + 16`.
    fn strip(&self, strip: usize) -> Strip<'_> {
        let blocks = match self.quants {
            Quants::Q4K(_) | Quants::Q6K(_) => self.inputs / SUPER,
            _ => self.inputs / BLOCK,
        };
        let range = strip * blocks..(strip + 1) * blocks;
        Strip {
            scales: self.scales.get(range.clone()).unwrap_or_default(),
            quants: match &self.quants {
                Quants::Q8(tiles) => StripQuants::Q8(&tiles[range]),
                Quants::Q5(tiles) => StripQuants::Q5(&tiles[range]),
                Quants::Q4K(tiles) => StripQuants::Q4K(&tiles[range]),
                Quants::Q6K(tiles) => StripQuants::Q6K(&tiles[range]),
            },
        }
    }
}

/// One strip of tiles: 16 features, every input block.
struct Strip<'a> {
    /// The Q8_0 or Q5_0 tiles' scales (empty for the k-quants).
    scales: &'a [[f16; TILE]],
    quants: StripQuants<'a>,
}

/// The quants of a [`Strip`].
#[derive(Clone, Copy)]
enum StripQuants<'a> {
    Q8(&'a [Q8Tile]),
    Q5(&'a [Q5Tile]),
    Q4K(&'a [Q4KTile]),
    Q6K(&'a [Q6KTile]),
}

impl Strip<'_> {
    /// The signed weight of input `i` of the block `block`, feature `f` (Q8_0 and Q5_0).
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
            StripQuants::Q4K(_) | StripQuants::Q6K(_) => {
                unreachable!("k-quant weights have no single scale")
            }
        }
    }
}

/// The tiles of `strips` strips of `blocks` blocks, `pack(strip, block)` each.
fn pack_tiles<T>(strips: usize, blocks: usize, pack: impl Fn(usize, usize) -> T) -> Vec<T> {
    let mut tiles = Vec::with_capacity(strips * blocks);
    for strip in 0..strips {
        for block in 0..blocks {
            tiles.push(pack(strip, block));
        }
    }
    tiles
}

/// Input `i` of feature `f` in nibbles laid out as `[pair of groups][feature (16)][4]`.
fn nibble(nibbles: &[u8], f: usize, i: usize) -> i32 {
    let (group, lane) = (i / 4, f * 4 + i % 4);
    let byte = nibbles[group / 2 * TILE * 4 + lane];
    i32::from(if group % 2 == 0 {
        byte & 0x0F
    } else {
        byte >> 4
    })
}

/// Stores the nibble of input `i`, feature `f` (see [`nibble`]).
fn put_nibble(nibbles: &mut [u8], f: usize, i: usize, q: u8) {
    let (group, lane) = (i / 4, f * 4 + i % 4);
    nibbles[group / 2 * TILE * 4 + lane] |= q << (4 * (group % 2));
}

#[cfg(target_arch = "x86_64")]
/// Where a strip's results go.
struct Target<'a> {
    /// The quantized activations.
    acts: &'a QuantizedRows,
    /// The first of their rows.
    first: usize,
    /// The output buffer.
    out: Base,
    /// Its width (features).
    features: usize,
    /// The strip of features.
    strip: usize,
}

/// `$kernel::<N, …>(args)` with `N` the row count `$count` (1 to 4, more taken as 4) as a
/// constant: the kernels keep each row's accumulators in registers.
#[cfg(target_arch = "x86_64")]
macro_rules! with_rows {
    ($count:expr, $module:ident::$kernel:ident[$($generic:tt)*]($($arg:expr),*)) => {
        match $count {
            1 => $module::$kernel::<1 $($generic)*>($($arg),*),
            2 => $module::$kernel::<2 $($generic)*>($($arg),*),
            3 => $module::$kernel::<3 $($generic)*>($($arg),*),
            _ => $module::$kernel::<4 $($generic)*>($($arg),*),
        }
    };
}

/// Which implementation multiplies tiles.
#[derive(Clone, Copy)]
enum Kernel {
    /// AVX-512 with VNNI (x86-64).
    #[cfg(target_arch = "x86_64")]
    Avx512Vnni,
    /// AVX2 with FMA and F16C (x86-64): Q8_0 and Q5_0 tiles; the k-quants are left to
    /// candle's AVX2 kernels (see [`faster_than_candle`]).
    #[cfg(target_arch = "x86_64")]
    Avx2,
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
            #[cfg(target_arch = "x86_64")]
            if std::env::var_os("CRUCIBLE_PORTABLE_KERNELS").is_none() && Kernel::avx2_detected() {
                return Kernel::Avx2;
            }
            Kernel::Portable
        })
    }

    /// Whether this CPU has what [`Kernel::Avx2`] needs.
    #[cfg(target_arch = "x86_64")]
    fn avx2_detected() -> bool {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
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
        #[cfg(target_arch = "x86_64")]
        let at = &Target {
            acts,
            first,
            out,
            features,
            strip,
        };
        #[cfg(target_arch = "x86_64")]
        let scales = weights.scales;
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU has the features (detected), the caller guarantees the rest.
            Kernel::Avx512Vnni => unsafe {
                match weights.quants {
                    StripQuants::Q8(t) => with_rows!(count, vnni::strip[, false, _](t, scales, at)),
                    StripQuants::Q5(t) => with_rows!(count, vnni::strip[, true, _](t, scales, at)),
                    StripQuants::Q4K(t) => with_rows!(count, vnni::q4k[](t, at)),
                    StripQuants::Q6K(t) => with_rows!(count, vnni::q6k[](t, at)),
                }
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU has the features (detected), the caller guarantees the rest.
            Kernel::Avx2 => unsafe {
                match weights.quants {
                    StripQuants::Q8(t) => with_rows!(count, avx2::strip[, false, _](t, scales, at)),
                    StripQuants::Q5(t) => with_rows!(count, avx2::strip[, true, _](t, scales, at)),
                    StripQuants::Q4K(_) | StripQuants::Q6K(_) => {
                        Kernel::Portable.run(weights, acts, first, count, out, features, strip)
                    }
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
