//! Q8_0 tiles: one block of 32 signed bytes per feature, repacked for `vpdpbusd`.

use super::{BLOCK, TILE};

/// The quants of one Q8_0 tile (one block of 32 inputs for 16 output features), offset by +128
/// (unsigned bytes, the operand `vpdpbusd` takes for the weights).
#[derive(Clone)]
#[repr(C, align(64))]
pub(super) struct Q8Tile {
    /// Quants + 128 as `[group of 4 inputs (8)][feature (16)][4]`, the layout a 4-byte
    /// broadcast of activations meets in one instruction.
    pub(super) quants: [u8; BLOCK * TILE],
}

/// Tile quants from the raw Q8_0 blocks of its 16 features (`raw(f)`).
pub(super) fn pack_q8<'a>(raw: impl Fn(usize) -> &'a [u8]) -> Q8Tile {
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

const _: () = assert!(std::mem::size_of::<Q8Tile>() == 512);
