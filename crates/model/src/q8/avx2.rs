//! The AVX2 kernel for Q8_0 and Q5_0 tiles (x86-64 without AVX-512 VNNI).
//!
//! AVX2 has no `vpdpbusd`; `vpmaddubsw` multiplies unsigned by signed bytes into pairs of
//! saturating 16-bit sums, and `vpmaddwd` against ones adds each pair into the 32-bit lane of
//! its feature (a tile's layout, `[group of 4 inputs][feature][4]`, puts one feature's four
//! inputs in each 32-bit lane, so a broadcast of four activation quants meets them in one
//! instruction, as in the VNNI kernel). The sums stay exact: Q5_0's five-bit values (the
//! weights plus 16) times activation quants of at most 127 in magnitude give pairs of at most
//! 7,874; Q8_0's weights enter as their magnitudes (≤ 128) with their signs moved onto the
//! activations (`vpsignb`; the quants never reach −128, see `activations`), pairs of at most
//! 32,512. Per block the integer sums are converted and accumulate with one fused
//! multiply-add, as in the portable kernel, so the results are bit-identical to it.

use super::activations::QuantizedRows;
use super::{BLOCK, TILE, Target};
use half::f16;
use std::arch::x86_64::*;

/// Features per 256-bit vector of 32-bit lanes: a tile is two halves.
const HALF: usize = TILE / 2;

/// `N` rows against one strip of tiles: Q5_0 tiles (`Q5`, of `T` = `Q5Tile`) or Q8_0 ones
/// (`T` = `Q8Tile`).
///
/// # Safety
/// The CPU must support AVX2, FMA and F16C; `T` must be the tile type `Q5` says; the output
/// places must be valid and exclusive.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn strip<const N: usize, const Q5: bool, T>(
    tiles: &[T],
    scales: &[[f16; TILE]],
    &Target {
        acts,
        first,
        out,
        features,
        strip,
    }: &Target<'_>,
) {
    let blocks = scales.len();
    assert_eq!(tiles.len(), blocks);
    let mut acc = [[_mm256_setzero_ps(); 2]; N];
    for (block, block_scales) in scales.iter().enumerate() {
        let tile = (&raw const tiles[block]).cast::<u8>();
        for (half, weight_scales) in block_scales.chunks_exact(HALF).enumerate() {
            // SAFETY: the tile type is the one `Q5` says (the caller), `half` < 2.
            let sums = unsafe { half_block::<N, Q5>(tile, half, acts, first, block) };
            // SAFETY: 8 halves.
            let weight_scales =
                _mm256_cvtph_ps(unsafe { _mm_loadu_si128(weight_scales.as_ptr().cast()) });
            for r in 0..N {
                let dot = _mm256_cvtepi32_ps(sums[r]);
                let scale =
                    _mm256_mul_ps(weight_scales, _mm256_set1_ps(acts.scale(first + r, block)));
                acc[r][half] = _mm256_fmadd_ps(dot, scale, acc[r][half]);
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        // SAFETY: guaranteed by the caller.
        let slot = unsafe { out.slice((first + r) * features + strip * TILE, TILE) };
        // SAFETY: the slot holds 16 floats.
        unsafe {
            _mm256_storeu_ps(slot.as_mut_ptr(), acc[0]);
            _mm256_storeu_ps(slot.as_mut_ptr().add(HALF), acc[1]);
        }
    }
}

/// The exact integer dot products of features `8 · half..8 · half + 8` of one tile with `N`
/// rows' quants of block `block`, one 32-bit lane per feature.
///
/// # Safety
/// The CPU must support AVX2; `tile` must point at a `Q5Tile` if `Q5`, else at a `Q8Tile`.
#[target_feature(enable = "avx2")]
unsafe fn half_block<const N: usize, const Q5: bool>(
    tile: *const u8,
    half: usize,
    acts: &QuantizedRows,
    first: usize,
    block: usize,
) -> [__m256i; N] {
    let ones = _mm256_set1_epi16(1);
    let mut sums = [_mm256_setzero_si256(); N];
    for group in 0..BLOCK / 4 {
        let (weights, signs) = if Q5 {
            // SAFETY: the caller's tile is a Q5Tile.
            (unsafe { q5_group(tile, group, half) }, None)
        } else {
            // SAFETY: a Q8Tile is 8 groups of 64 bytes.
            let v = unsafe { _mm256_loadu_si256(tile.add(group * 64 + half * 32).cast()) };
            let signed = _mm256_xor_si256(v, _mm256_set1_epi8(-128));
            (_mm256_abs_epi8(signed), Some(signed))
        };
        for (r, sum) in sums.iter_mut().enumerate() {
            let word = acts.words[((first + r) * acts.inputs + block * BLOCK) / 4 + group];
            let mut a = _mm256_set1_epi32(word as i32);
            if let Some(signed) = signs {
                a = _mm256_sign_epi8(a, signed);
            }
            let pairs = _mm256_maddubs_epi16(weights, a);
            *sum = _mm256_add_epi32(*sum, _mm256_madd_epi16(pairs, ones));
        }
    }
    if Q5 {
        for (r, sum) in sums.iter_mut().enumerate() {
            let total = acts.sums[(first + r) * (acts.inputs / BLOCK) + block];
            *sum = _mm256_sub_epi32(*sum, _mm256_set1_epi32(16 * total));
        }
    }
    sums
}

/// The five-bit values (the weights + 16) of one group of 4 inputs of a Q5_0 tile, features
/// `8 · half..8 · half + 8`, as unsigned bytes.
///
/// # Safety
/// The CPU must support AVX2; `tile` must point at a `Q5Tile`.
#[target_feature(enable = "avx2")]
unsafe fn q5_group(tile: *const u8, group: usize, half: usize) -> __m256i {
    let lows = _mm256_set1_epi8(0x0F);
    // SAFETY: a Q5Tile is 256 bytes of nibbles (4 pairs of groups × 64) then 8 words.
    let (v, fifth) = unsafe {
        let v = _mm256_loadu_si256(tile.add(group / 2 * 64 + half * 32).cast());
        let word = tile
            .add(BLOCK * TILE / 2)
            .cast::<u64>()
            .add(group)
            .read_unaligned();
        (v, (word >> (32 * half)) as u32)
    };
    let nibbles = if group.is_multiple_of(2) {
        _mm256_and_si256(v, lows)
    } else {
        _mm256_and_si256(_mm256_srli_epi16::<4>(v), lows)
    };
    // Byte j of the vector gets bit j of `fifth`: spread the word's bytes over 8 bytes each,
    // keep each byte's own bit, compare.
    let spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(fifth as i32),
        _mm256_setr_epi8(
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, //
            2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,
        ),
    );
    let bits = _mm256_set1_epi64x(0x8040_2010_0804_0201_u64 as i64);
    let set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bits), bits);
    _mm256_or_si256(nibbles, _mm256_and_si256(set, _mm256_set1_epi8(16)))
}
