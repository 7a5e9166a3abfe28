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
//! (see [`faster_than_candle`]).
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

/// The quants and scales of one Q4_K tile (one super-block of 256 inputs for 16 features).
/// Input `i` of sub-block `j = i / 32` weighs `d · scale_j · q - dmin · min_j`.
#[derive(Clone)]
#[repr(C, align(64))]
struct Q4KTile {
    /// Four-bit quants as `[pair of groups of 4 inputs (32)][feature (16)][4]`, as in
    /// [`Q5Tile`]: the low nibble belongs to the even group, the high one to the odd group.
    nibbles: [u8; SUPER * TILE / 2],
    /// Six-bit sub-block scales as `[sub-block (8)][feature (16)]`.
    scales: [u8; SUPER / BLOCK * TILE],
    /// Six-bit sub-block mins as `[pair of sub-blocks (4)][feature (16)][2]` (pairs of 16-bit
    /// lanes once widened, for `vpdpwssd` with pairs of activation sums).
    mins: [u8; SUPER / BLOCK * TILE],
    d: [f16; TILE],
    dmin: [f16; TILE],
}

/// The quants and scales of one Q6_K tile. Input `i` weighs `d · scale_(i / 16) · (q - 32)`,
/// `q` six bits.
#[derive(Clone)]
#[repr(C, align(64))]
struct Q6KTile {
    /// Low four bits, laid out as [`Q4KTile::nibbles`].
    nibbles: [u8; SUPER * TILE / 2],
    /// High two bits as `[quad of groups of 4 inputs (16)][feature (16)][4]`: bits `2k..2k+2`
    /// belong to group `k` of the quad.
    highs: [u8; SUPER * TILE / 4],
    /// Signed scales as `[16 inputs (16)][feature (16)]`.
    scales: [i8; SUPER / SUM * TILE],
    d: [f16; TILE],
}

impl Q4KTile {
    /// The four-bit quant of input `i`, feature `f`.
    fn quant(&self, f: usize, i: usize) -> i32 {
        nibble(&self.nibbles, f, i)
    }

    fn scale(&self, f: usize, j: usize) -> i32 {
        i32::from(self.scales[j * TILE + f])
    }

    fn min(&self, f: usize, j: usize) -> i32 {
        i32::from(self.mins[j / 2 * TILE * 2 + f * 2 + j % 2])
    }
}

impl Q6KTile {
    /// The six-bit quant of input `i`, feature `f` (the weight is `q - 32` scaled).
    fn quant(&self, f: usize, i: usize) -> i32 {
        let (group, lane) = (i / 4, f * 4 + i % 4);
        let high = (self.highs[group / 4 * TILE * 4 + lane] >> (2 * (group % 4))) & 3;
        nibble(&self.nibbles, f, i) + 16 * i32::from(high)
    }

    fn scale(&self, f: usize, k: usize) -> i32 {
        i32::from(self.scales[k * TILE + f])
    }
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
/// always for Q8_0 and Q5_0 (candle's are per dot product or scalar), only with the SIMD
/// kernel for Q4_K and Q6_K (candle has AVX2 ones).
pub(crate) fn faster_than_candle(dtype: GgmlDType) -> bool {
    !matches!(dtype, GgmlDType::Q4K | GgmlDType::Q6K) || has_simd_kernel()
}

/// Whether this CPU multiplies packed tiles with SIMD (else a portable kernel does).
pub(crate) fn has_simd_kernel() -> bool {
    !matches!(Kernel::detect(), Kernel::Portable)
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

/// Tile from the raw Q4_K blocks of its 16 features (`raw(f)`). In ggml's layout, each 64
/// inputs share 32 bytes: the low nibbles are the first 32 inputs, the high ones the next 32;
/// sub-block `j`'s scale and min are six bits each in the 12 bytes after `d` and `dmin`.
fn pack_q4k<'a>(raw: impl Fn(usize) -> &'a [u8]) -> Q4KTile {
    let mut packed = Q4KTile {
        nibbles: [0; SUPER * TILE / 2],
        scales: [0; SUPER / BLOCK * TILE],
        mins: [0; SUPER / BLOCK * TILE],
        d: [f16::ZERO; TILE],
        dmin: [f16::ZERO; TILE],
    };
    for f in 0..TILE {
        let raw = raw(f);
        packed.d[f] = f16::from_le_bytes([raw[0], raw[1]]);
        packed.dmin[f] = f16::from_le_bytes([raw[2], raw[3]]);
        let (scales, qs) = (&raw[4..16], &raw[16..]);
        for j in 0..SUPER / BLOCK {
            let (scale, min) = if j < 4 {
                (scales[j] & 63, scales[j + 4] & 63)
            } else {
                (
                    (scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4),
                    (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4),
                )
            };
            packed.scales[j * TILE + f] = scale;
            packed.mins[j / 2 * TILE * 2 + f * 2 + j % 2] = min;
        }
        for i in 0..SUPER {
            let (chunk, within) = (i / 64, i % 64);
            let q = if within < 32 {
                qs[32 * chunk + within] & 0x0F
            } else {
                qs[32 * chunk + within - 32] >> 4
            };
            put_nibble(&mut packed.nibbles, f, i, q);
        }
    }
    packed
}

/// Tile from the raw Q6_K blocks of its 16 features (`raw(f)`). In ggml's layout, each 128
/// inputs have 64 bytes of nibbles (inputs `l` and `l + 64` in byte `l`, `l + 32` and `l + 96`
/// in byte `l + 32`) and 32 bytes of high bit pairs (input `l + 32c` at bits `2c..2c+2` of byte
/// `l`).
fn pack_q6k<'a>(raw: impl Fn(usize) -> &'a [u8]) -> Q6KTile {
    let mut packed = Q6KTile {
        nibbles: [0; SUPER * TILE / 2],
        highs: [0; SUPER * TILE / 4],
        scales: [0; SUPER / SUM * TILE],
        d: [f16::ZERO; TILE],
    };
    for f in 0..TILE {
        let raw = raw(f);
        let (ql, qh, scales) = (&raw[..128], &raw[128..192], &raw[192..208]);
        packed.d[f] = f16::from_le_bytes([raw[208], raw[209]]);
        for (k, &scale) in scales.iter().enumerate() {
            packed.scales[k * TILE + f] = scale as i8;
        }
        for i in 0..SUPER {
            let (half, c, l) = (i / 128, i % 128 / 32, i % 32);
            let low = ql[64 * half + l + 32 * (c % 2)];
            let low = if c < 2 { low & 0x0F } else { low >> 4 };
            let high = (qh[32 * half + l] >> (2 * c)) & 3;
            put_nibble(&mut packed.nibbles, f, i, low);
            let (group, lane) = (i / 4, f * 4 + i % 4);
            packed.highs[group / 4 * TILE * 4 + lane] |= high << (2 * (group % 4));
        }
    }
    packed
}

/// Stores the nibble of input `i`, feature `f` (see [`nibble`]).
fn put_nibble(nibbles: &mut [u8], f: usize, i: usize, q: u8) {
    let (group, lane) = (i / 4, f * 4 + i % 4);
    nibbles[group / 2 * TILE * 4 + lane] |= q << (4 * (group % 2));
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

/// Activation rows quantized to signed bytes: Q8_0 (blocks of 32, f16 scales) for Q8_0 and
/// Q5_0 weights, or like ggml's Q8_K (blocks of 256, f32 scales) for the k-quants.
struct QuantizedRows {
    inputs: usize,
    /// Values per block: 32 or 256.
    block: usize,
    /// `rows × inputs / block` scales (for blocks of 32, f16-rounded as ggml stores them).
    scales: Vec<f32>,
    /// Sums of the quants (for the weight offsets and mins): per block of 32, or per 16 values
    /// for blocks of 256.
    sums: Vec<i32>,
    /// `rows × inputs` signed quants, four to a little-endian word.
    words: Vec<u32>,
}

impl QuantizedRows {
    /// Rows `first..first + n` of activations quantized in super-blocks of [`SUPER`], for a
    /// strip of `supers` super-blocks: their quant words, their sums per [`SUM`] values and
    /// their scales per super-block.
    fn super_block_rows(&self, first: usize, n: usize, supers: usize) -> (&[u32], &[i32], &[f32]) {
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
    fn new(x: &[f32], rows: usize, inputs: usize) -> Self {
        Self::with::<BLOCK, BLOCK, true>(x, rows, inputs)
    }

    /// Quantizes each block of 256 with an f32 scale, summing each 16 quants.
    fn new_k(x: &[f32], rows: usize, inputs: usize) -> Self {
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

    fn scale(&self, row: usize, block: usize) -> f32 {
        self.scales[row * (self.inputs / self.block) + block]
    }

    /// The sum of the 16 quants `16 · chunk..16 · chunk + 16` of `row` (blocks of 256).
    fn sum(&self, row: usize, chunk: usize) -> i32 {
        self.sums[row * (self.inputs / SUM) + chunk]
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
                quants[i] = q.clamp(-128, 127);
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
                    (StripQuants::Q4K(t), 1) => vnni::q4k::<1>(t, at),
                    (StripQuants::Q4K(t), 2) => vnni::q4k::<2>(t, at),
                    (StripQuants::Q4K(t), 3) => vnni::q4k::<3>(t, at),
                    (StripQuants::Q4K(t), _) => vnni::q4k::<4>(t, at),
                    (StripQuants::Q6K(t), 1) => vnni::q6k::<1>(t, at),
                    (StripQuants::Q6K(t), 2) => vnni::q6k::<2>(t, at),
                    (StripQuants::Q6K(t), 3) => vnni::q6k::<3>(t, at),
                    (StripQuants::Q6K(t), _) => vnni::q6k::<4>(t, at),
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
    match weights.quants {
        StripQuants::Q4K(tiles) => return portable_q4k(tiles, acts, row, acc),
        StripQuants::Q6K(tiles) => return portable_q6k(tiles, acts, row, acc),
        StripQuants::Q8(_) | StripQuants::Q5(_) => {}
    }
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

/// One row against a strip of Q4_K tiles, in plain Rust: per super-block, the exact integer
/// sums `Σ_j scale_j · Σ q·x` and `Σ_j min_j · Σ x` over the sub-blocks, then two fused
/// multiply-adds.
fn portable_q4k(tiles: &[Q4KTile], acts: &QuantizedRows, row: usize, acc: &mut [f32; TILE]) {
    for (sb, tile) in tiles.iter().enumerate() {
        let scale = acts.scale(row, sb);
        for (f, acc) in acc.iter_mut().enumerate() {
            let (mut dot, mut mins) = (0i32, 0i32);
            for j in 0..SUPER / BLOCK {
                let mut sub = 0i32;
                for i in j * BLOCK..(j + 1) * BLOCK {
                    sub += tile.quant(f, i) * acts.quant(row, sb * SUPER + i);
                }
                dot += tile.scale(f, j) * sub;
                let sum = acts.sum(row, sb * SUPER / SUM + 2 * j)
                    + acts.sum(row, sb * SUPER / SUM + 2 * j + 1);
                mins += tile.min(f, j) * sum;
            }
            *acc = (dot as f32).mul_add(tile.d[f].to_f32() * scale, *acc);
            *acc = (-(mins as f32)).mul_add(tile.dmin[f].to_f32() * scale, *acc);
        }
    }
}

/// One row against a strip of Q6_K tiles, in plain Rust: per super-block, the exact integer
/// sum `Σ_k scale_k · Σ (q - 32)·x` over the 16-value sub-blocks, then a fused multiply-add.
fn portable_q6k(tiles: &[Q6KTile], acts: &QuantizedRows, row: usize, acc: &mut [f32; TILE]) {
    for (sb, tile) in tiles.iter().enumerate() {
        let scale = acts.scale(row, sb);
        for (f, acc) in acc.iter_mut().enumerate() {
            let mut dot = 0i32;
            for k in 0..SUPER / SUM {
                let mut sub = 0i32;
                for i in k * SUM..(k + 1) * SUM {
                    sub += (tile.quant(f, i) - 32) * acts.quant(row, sb * SUPER + i);
                }
                dot += tile.scale(f, k) * sub;
            }
            *acc = (dot as f32).mul_add(tile.d[f].to_f32() * scale, *acc);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod vnni {
    use super::{BLOCK, Base, Q4KTile, Q6KTile, QuantizedRows, SUM, SUPER, TILE};
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

    /// `N` rows against one strip of Q4_K tiles.
    ///
    /// The four-bit quants enter `vpdpbusd` as they are (unsigned); each sub-block's integer
    /// products are scaled by its six-bit scales (`vpmulld`) and summed over the super-block,
    /// and `Σ_j min_j · Σ x` comes from `vpdpwssd` on pairs of mins and pairs of activation
    /// sums. All integer sums are exact (|·| < 2³¹).
    ///
    /// # Safety
    /// The CPU must support AVX-512 F/BW/VNNI; the output places must be valid and exclusive.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn q4k<const N: usize>(
        tiles: &[Q4KTile],
        (acts, first, out, features, strip): Target<'_>,
    ) {
        let supers = tiles.len();
        let (words, sums, act_scales) = acts.super_block_rows(first, N, supers);
        let (row_words, row_sums) = (acts.inputs / 4, acts.inputs / SUM);
        let lows = _mm512_set1_epi8(0x0F);
        let mut acc = [_mm512_setzero_ps(); N];
        for (sb, tile) in tiles.iter().enumerate() {
            let nibbles = tile.nibbles.as_ptr();
            let mut dots = [_mm512_setzero_si512(); N];
            for j in 0..SUPER / BLOCK {
                let mut even = [_mm512_setzero_si512(); N];
                let mut odd = [_mm512_setzero_si512(); N];
                for pair in 0..BLOCK / 8 {
                    // SAFETY: pair 4j + pair of the tile's 32 pairs of 64 bytes.
                    let v = unsafe { _mm512_loadu_si512(nibbles.add((4 * j + pair) * 64).cast()) };
                    let w0 = _mm512_and_si512(v, lows);
                    let w1 = _mm512_and_si512(_mm512_srli_epi16::<4>(v), lows);
                    for r in 0..N {
                        let at = r * row_words + sb * SUPER / 4 + j * BLOCK / 4 + 2 * pair;
                        let (a0, a1) = (words[at] as i32, words[at + 1] as i32);
                        even[r] = _mm512_dpbusd_epi32(even[r], w0, _mm512_set1_epi32(a0));
                        odd[r] = _mm512_dpbusd_epi32(odd[r], w1, _mm512_set1_epi32(a1));
                    }
                }
                // SAFETY: the 16 scales of sub-block j.
                let scales = unsafe { _mm_loadu_si128(tile.scales.as_ptr().add(j * TILE).cast()) };
                let scales = _mm512_cvtepu8_epi32(scales);
                for r in 0..N {
                    let sub = _mm512_add_epi32(even[r], odd[r]);
                    dots[r] = _mm512_add_epi32(dots[r], _mm512_mullo_epi32(scales, sub));
                }
            }
            let mut mins = [_mm512_setzero_si512(); N];
            for pair in 0..SUPER / BLOCK / 2 {
                // SAFETY: the 32 mins of sub-blocks 2·pair and 2·pair + 1.
                let m = unsafe { _mm256_loadu_si256(tile.mins.as_ptr().add(pair * 32).cast()) };
                let m = _mm512_cvtepu8_epi16(m);
                for r in 0..N {
                    let s = &sums[r * row_sums + sb * SUPER / SUM + 4 * pair..][..4];
                    // Sums of 32 quants fit 16 bits.
                    let (s0, s1) = ((s[0] + s[1]) as u16, (s[2] + s[3]) as u16);
                    let both = (u32::from(s0) | (u32::from(s1) << 16)) as i32;
                    mins[r] = _mm512_dpwssd_epi32(mins[r], m, _mm512_set1_epi32(both));
                }
            }
            // SAFETY: 16 halves each.
            let (d, dmin) = unsafe {
                (
                    _mm512_cvtph_ps(_mm256_loadu_si256(tile.d.as_ptr().cast())),
                    _mm512_cvtph_ps(_mm256_loadu_si256(tile.dmin.as_ptr().cast())),
                )
            };
            for r in 0..N {
                let a = _mm512_set1_ps(act_scales[r * supers + sb]);
                let dot = _mm512_cvtepi32_ps(dots[r]);
                acc[r] = _mm512_fmadd_ps(dot, _mm512_mul_ps(d, a), acc[r]);
                let mins = _mm512_cvtepi32_ps(mins[r]);
                acc[r] = _mm512_fnmadd_ps(mins, _mm512_mul_ps(dmin, a), acc[r]);
            }
        }
        // SAFETY: guaranteed by the caller.
        unsafe { store(&acc, out, first, features, strip) };
    }

    /// `N` rows against one strip of Q6_K tiles.
    ///
    /// The six-bit quants `q` (the weights + 32) are assembled in registers from the nibbles
    /// and the high bit pairs and enter `vpdpbusd` unsigned; each 16-value sub-block's sum
    /// starts at `-32 · Σ x`, so that it ends as the exact `Σ (q - 32)·x`, and is scaled by the
    /// sub-block's signed scales (`vpmulld`). All integer sums are exact (|·| < 2³¹).
    ///
    /// # Safety
    /// The CPU must support AVX-512 F/BW/VNNI; the output places must be valid and exclusive.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn q6k<const N: usize>(
        tiles: &[Q6KTile],
        (acts, first, out, features, strip): Target<'_>,
    ) {
        let supers = tiles.len();
        let (words, sums, act_scales) = acts.super_block_rows(first, N, supers);
        let (row_words, row_sums) = (acts.inputs / 4, acts.inputs / SUM);
        let (lows, highs) = (_mm512_set1_epi8(0x0F), _mm512_set1_epi8(0x30));
        let mut acc = [_mm512_setzero_ps(); N];
        for (sb, tile) in tiles.iter().enumerate() {
            let nibbles = tile.nibbles.as_ptr();
            let mut dots = [_mm512_setzero_si512(); N];
            for k in 0..SUPER / SUM {
                // Groups 4k..4k+4: the nibble pairs 2k and 2k + 1, the high bits' quad k.
                // SAFETY: quad k of the 16 quads of 64 bytes.
                let h = unsafe { _mm512_loadu_si512(tile.highs.as_ptr().add(k * 64).cast()) };
                let mut sub: [__m512i; N] = std::array::from_fn(|r| {
                    _mm512_set1_epi32(-32 * sums[r * row_sums + sb * SUPER / SUM + k])
                });
                for half in 0..2 {
                    // SAFETY: pair 2k + half of the 32 pairs of 64 bytes.
                    let v = unsafe { _mm512_loadu_si512(nibbles.add((2 * k + half) * 64).cast()) };
                    let lo = _mm512_and_si512(v, lows);
                    let hi = _mm512_and_si512(_mm512_srli_epi16::<4>(v), lows);
                    // The high bits of groups 2·half and 2·half + 1 of the quad, moved to bits
                    // 4 and 5 (what crosses bytes in the 16-bit shifts is masked off).
                    let (h0, h1) = if half == 0 {
                        (_mm512_slli_epi16::<4>(h), _mm512_slli_epi16::<2>(h))
                    } else {
                        (h, _mm512_srli_epi16::<2>(h))
                    };
                    // lo | (h0 & 0x30)
                    let w0 = _mm512_ternarylogic_epi32::<0xF8>(lo, h0, highs);
                    let w1 = _mm512_ternarylogic_epi32::<0xF8>(hi, h1, highs);
                    for (r, sub) in sub.iter_mut().enumerate() {
                        let at = r * row_words + sb * SUPER / 4 + k * SUM / 4 + 2 * half;
                        let (a0, a1) = (words[at] as i32, words[at + 1] as i32);
                        *sub = _mm512_dpbusd_epi32(*sub, w0, _mm512_set1_epi32(a0));
                        *sub = _mm512_dpbusd_epi32(*sub, w1, _mm512_set1_epi32(a1));
                    }
                }
                // SAFETY: the 16 scales of sub-block k.
                let scales = unsafe { _mm_loadu_si128(tile.scales.as_ptr().add(k * TILE).cast()) };
                let scales = _mm512_cvtepi8_epi32(scales);
                for r in 0..N {
                    dots[r] = _mm512_add_epi32(dots[r], _mm512_mullo_epi32(scales, sub[r]));
                }
            }
            // SAFETY: 16 halves.
            let d = _mm512_cvtph_ps(unsafe { _mm256_loadu_si256(tile.d.as_ptr().cast()) });
            for r in 0..N {
                let a = _mm512_set1_ps(act_scales[r * supers + sb]);
                let dot = _mm512_cvtepi32_ps(dots[r]);
                acc[r] = _mm512_fmadd_ps(dot, _mm512_mul_ps(d, a), acc[r]);
            }
        }
        // SAFETY: guaranteed by the caller.
        unsafe { store(&acc, out, first, features, strip) };
    }

    /// Writes `N` rows' 16 results to their places.
    ///
    /// # Safety
    /// The places must be valid and exclusive.
    #[target_feature(enable = "avx512f")]
    unsafe fn store<const N: usize>(
        acc: &[__m512; N],
        out: Base,
        first: usize,
        features: usize,
        strip: usize,
    ) {
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
const _: () = assert!(std::mem::size_of::<Q4KTile>() == 2368);
const _: () = assert!(std::mem::size_of::<Q6KTile>() == 3392);

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
    const ALL_TYPES: [GgmlDType; 4] = [
        GgmlDType::Q8_0,
        GgmlDType::Q5_0,
        GgmlDType::Q4K,
        GgmlDType::Q6K,
    ];
    const K_TYPES: [GgmlDType; 2] = [GgmlDType::Q4K, GgmlDType::Q6K];

    /// Inputs of `blocks` blocks of this type.
    fn inputs(dtype: GgmlDType, blocks: usize) -> usize {
        blocks * block_len(dtype).expect("packable type")
    }

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
                let weights = m.strip(strip);
                assert_eq!(weights.scales.len(), blocks);
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
        for dtype in ALL_TYPES {
            let n = inputs(dtype, 2);
            let (m, _) = matrix(dtype, 48, n);
            let x = activations(7, n);
            let all = m.matmul(&x, 7).expect("matmul");
            for r in 0..7 {
                let alone = m.matmul(&x[r * n..(r + 1) * n], 1).expect("matmul");
                assert_eq!(alone, all[r * 48..(r + 1) * 48], "{dtype:?} row {r}");
            }
        }
    }

    #[test]
    fn simd_and_portable_kernels_agree_bit_for_bit() {
        for dtype in ALL_TYPES {
            let n = inputs(dtype, 4);
            let (m, _) = matrix(dtype, 32, n);
            let x = activations(6, n);
            let acts = m.quantize(&x, 6);
            for strip in 0..2 {
                let weights = m.strip(strip);
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
    fn k_quant_products_are_the_dot_products_of_the_quantized_values() {
        for dtype in K_TYPES {
            let (features, n, rows) = (32, 512, 5);
            let (m, w) = matrix(dtype, features, n);
            let x = activations(rows, n);
            let y = m.matmul(&x, rows).expect("matmul");
            let acts = m.quantize(&x, rows);
            for r in 0..rows {
                for f in 0..features {
                    let terms = (0..n)
                        .map(|i| acts.quant(r, i) as f32 * acts.scale(r, i / SUPER) * w[f * n + i]);
                    let exact: f32 = terms.clone().sum();
                    let size: f32 = terms.map(f32::abs).sum();
                    let got = y[r * features + f];
                    assert!(
                        (got - exact).abs() <= 1e-5 * (1.0 + size),
                        "{dtype:?}: {got} vs {exact}"
                    );
                }
            }
        }
    }

    #[test]
    fn packed_k_quant_weights_are_the_files_weights() {
        let n = 512;
        let (q4, w4) = matrix(GgmlDType::Q4K, 32, n);
        let (q6, w6) = matrix(GgmlDType::Q6K, 32, n);
        for strip in 0..2 {
            let (StripQuants::Q4K(t4), StripQuants::Q6K(t6)) =
                (q4.strip(strip).quants, q6.strip(strip).quants)
            else {
                panic!("k-quant strips expected");
            };
            for f in 0..TILE {
                for i in 0..n {
                    let (tile, at) = (&t4[i / SUPER], i % SUPER);
                    let (j, q) = (at / BLOCK, tile.quant(f, at) as f32);
                    let scale = tile.d[f].to_f32() * tile.scale(f, j) as f32;
                    let min = tile.dmin[f].to_f32() * tile.min(f, j) as f32;
                    assert_eq!(
                        scale * q - min,
                        w4[(strip * TILE + f) * n + i],
                        "Q4K {f} {i}"
                    );
                    let tile = &t6[i / SUPER];
                    let scale = tile.d[f].to_f32() * tile.scale(f, at / SUM) as f32;
                    let value = scale * (tile.quant(f, at) - 32) as f32;
                    assert_eq!(value, w6[(strip * TILE + f) * n + i], "Q6K {f} {i}");
                }
            }
        }
    }

    #[test]
    fn products_are_close_to_candles() {
        for dtype in ALL_TYPES {
            // An even block count: candle's Q5_0/Q8_0 dot products assert one (in debug builds).
            let (features, n, rows) = (48, inputs(dtype, 4), 3);
            let (m, _) = matrix(dtype, features, n);
            let x = activations(rows, n);
            let y = m.matmul(&x, rows).expect("matmul");
            let dense = Tensor::from_vec(x, (rows, n), &Device::Cpu).expect("tensor");
            let values: Vec<f32> = (0..features * n)
                .map(|i| ((i * 7919 % 1013) as f32 / 1013.0 - 0.5) * (1.0 + (i % 5) as f32))
                .collect();
            let weights = Tensor::from_vec(values, (features, n), &Device::Cpu).expect("tensor");
            let q = QTensor::quantize(&weights, dtype).expect("quantize");
            let expected: Vec<f32> = candle_core::quantized::QMatMul::from_qtensor(q)
                .and_then(|q| candle_core::Module::forward(&q, &dense))
                .and_then(|t| t.flatten_all())
                .and_then(|t| t.to_vec1())
                .expect("candle");
            let largest = expected.iter().fold(0f32, |a, v| a.max(v.abs()));
            for (got, want) in y.iter().zip(&expected) {
                assert!(
                    (got - want).abs() <= 1e-2 * largest,
                    "{dtype:?}: {got} vs {want} (largest {largest})"
                );
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
        let wide = Tensor::zeros((20, 256), candle_core::DType::F32, &Device::Cpu).expect("zeros");
        for dtype in K_TYPES {
            let q = QTensor::quantize(&wide, dtype).expect("quantize");
            assert!(PackedMatrix::from_qtensor(&q).expect("pack").is_none());
        }
        let f = QTensor::quantize(&dense, GgmlDType::F32).expect("f32");
        assert!(PackedMatrix::from_qtensor(&f).expect("pack").is_none());
    }
}
