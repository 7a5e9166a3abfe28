//! Q5_0 tiles: four-bit lows and a bit mask of the fifth bits, the scales kept apart.

use super::{BLOCK, TILE};

/// The quants of one Q5_0 tile: five-bit values `q` (the weight is `(q - 16) · scale`).
#[derive(Clone)]
#[repr(C, align(64))]
pub(super) struct Q5Tile {
    /// Low four bits as `[pair of groups (4)][feature (16)][4]`: the low nibble of a byte
    /// belongs to group `2p` (inputs `8p..8p+4`), the high nibble to group `2p + 1`.
    pub(super) nibbles: [u8; BLOCK * TILE / 2],
    /// Fifth bits, one word per group of 4 inputs: bit `4f + i` is input `i` of feature `f`
    /// (the byte positions of a group's 64-byte vector).
    pub(super) highs: [u64; BLOCK / 4],
}

/// Tile quants from the raw Q5_0 blocks of its 16 features (`raw(f)`): in ggml's layout, input
/// `j < 16` has the low nibble of byte `j` and input `j + 16` the high one; the fifth bit of
/// input `j` is bit `j` of the little-endian word before them.
pub(super) fn pack_q5<'a>(raw: impl Fn(usize) -> &'a [u8]) -> Q5Tile {
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

const _: () = assert!(std::mem::size_of::<Q5Tile>() == 320);
