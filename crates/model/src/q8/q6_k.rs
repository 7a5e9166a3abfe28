//! Q6_K tiles: one super-block of 256 inputs for 16 features, four-bit lows and two-bit
//! highs with their signed sub-block scales.

use super::{SUM, SUPER, TILE, nibble, put_nibble};
use half::f16;

/// The quants and scales of one Q6_K tile. Input `i` weighs `d · scale_(i / 16) · (q - 32)`,
/// `q` six bits.
#[derive(Clone)]
#[repr(C, align(64))]
pub(super) struct Q6KTile {
    /// Low four bits, laid out as [`Q4KTile::nibbles`](super::q4_k::Q4KTile::nibbles).
    pub(super) nibbles: [u8; SUPER * TILE / 2],
    /// High two bits as `[quad of groups of 4 inputs (16)][feature (16)][4]`: bits `2k..2k+2`
    /// belong to group `k` of the quad.
    pub(super) highs: [u8; SUPER * TILE / 4],
    /// Signed scales as `[16 inputs (16)][feature (16)]`.
    pub(super) scales: [i8; SUPER / SUM * TILE],
    pub(super) d: [f16; TILE],
}

impl Q6KTile {
    /// The six-bit quant of input `i`, feature `f` (the weight is `q - 32` scaled).
    pub(super) fn quant(&self, f: usize, i: usize) -> i32 {
        let (group, lane) = (i / 4, f * 4 + i % 4);
        let high = (self.highs[group / 4 * TILE * 4 + lane] >> (2 * (group % 4))) & 3;
        nibble(&self.nibbles, f, i) + 16 * i32::from(high)
    }

    pub(super) fn scale(&self, f: usize, k: usize) -> i32 {
        i32::from(self.scales[k * TILE + f])
    }
}

/// Tile from the raw Q6_K blocks of its 16 features (`raw(f)`). In ggml's layout, each 128
/// inputs have 64 bytes of nibbles (inputs `l` and `l + 64` in byte `l`, `l + 32` and `l + 96`
/// in byte `l + 32`) and 32 bytes of high bit pairs (input `l + 32c` at bits `2c..2c+2` of byte
/// `l`).
pub(super) fn pack_q6k<'a>(raw: impl Fn(usize) -> &'a [u8]) -> Q6KTile {
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

const _: () = assert!(std::mem::size_of::<Q6KTile>() == 3392);
