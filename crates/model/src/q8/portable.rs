//! The portable kernel: plain Rust, the same numbers as the SIMD one.

use super::activations::QuantizedRows;
use super::q4_k::Q4KTile;
use super::q6_k::Q6KTile;
use super::{BLOCK, SUM, SUPER, Strip, StripQuants, TILE};

/// One row against one strip, in plain Rust.
pub(super) fn portable_row(
    weights: &Strip<'_>,
    acts: &QuantizedRows,
    row: usize,
    acc: &mut [f32; TILE],
) {
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
