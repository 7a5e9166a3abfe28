//! Q4_K tiles: one super-block of 256 inputs for 16 features, four-bit quants with their
//! six-bit sub-block scales and mins unpacked to bytes.

use super::{BLOCK, SUPER, TILE, nibble, put_nibble};
use half::f16;

/// The quants and scales of one Q4_K tile (one super-block of 256 inputs for 16 features).
/// Input `i` of sub-block `j = i / 32` weighs `d · scale_j · q - dmin · min_j`.
#[derive(Clone)]
#[repr(C, align(64))]
pub(super) struct Q4KTile {
    /// Four-bit quants as `[pair of groups of 4 inputs (32)][feature (16)][4]`, as in
    /// [`Q5Tile`](super::q5_0::Q5Tile): the low nibble belongs to the even group, the high
    /// one to the odd group.
    pub(super) nibbles: [u8; SUPER * TILE / 2],
    /// Six-bit sub-block scales as `[sub-block (8)][feature (16)]`.
    pub(super) scales: [u8; SUPER / BLOCK * TILE],
    /// Six-bit sub-block mins as `[pair of sub-blocks (4)][feature (16)][2]` (pairs of 16-bit
    /// lanes once widened, for `vpdpwssd` with pairs of activation sums).
    pub(super) mins: [u8; SUPER / BLOCK * TILE],
    pub(super) d: [f16; TILE],
    pub(super) dmin: [f16; TILE],
}

impl Q4KTile {
    /// The four-bit quant of input `i`, feature `f`.
    pub(super) fn quant(&self, f: usize, i: usize) -> i32 {
        nibble(&self.nibbles, f, i)
    }

    pub(super) fn scale(&self, f: usize, j: usize) -> i32 {
        i32::from(self.scales[j * TILE + f])
    }

    pub(super) fn min(&self, f: usize, j: usize) -> i32 {
        i32::from(self.mins[j / 2 * TILE * 2 + f * 2 + j % 2])
    }
}

/// Tile from the raw Q4_K blocks of its 16 features (`raw(f)`). In ggml's layout, each 64
/// inputs share 32 bytes: the low nibbles are the first 32 inputs, the high ones the next 32;
/// sub-block `j`'s scale and min are six bits each in the 12 bytes after `d` and `dmin`.
pub(super) fn pack_q4k<'a>(raw: impl Fn(usize) -> &'a [u8]) -> Q4KTile {
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

const _: () = assert!(std::mem::size_of::<Q4KTile>() == 2368);
