//! The AVX-512 VNNI kernel (x86-64).

use super::q4_k::Q4KTile;
use super::q6_k::Q6KTile;
use super::{BLOCK, SUM, SUPER, TILE, Target};
use crate::parallel::Base;
use half::f16;
use std::arch::x86_64::*;

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
    &Target {
        acts,
        first,
        out,
        features,
        strip,
    }: &Target<'_>,
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
    &Target {
        acts,
        first,
        out,
        features,
        strip,
    }: &Target<'_>,
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
