use super::activations::round_quant;
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
            assert_eq!(round_quant(v), i32::from(v.round() as i8).max(-127), "{v}");
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
        assert_eq!(round_quant(v), i32::from(v.round() as i8).max(-127), "{v}");
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

/// Every SIMD kernel this CPU runs: the detected one and, on x86-64, the AVX2 one where the
/// CPU has it (a CPU with AVX-512 VNNI runs the other, so it is checked apart).
fn kernels() -> Vec<Kernel> {
    #[allow(unused_mut)]
    let mut kernels = vec![Kernel::detect()];
    #[cfg(target_arch = "x86_64")]
    if Kernel::avx2_detected() && !matches!(Kernel::detect(), Kernel::Avx2) {
        kernels.push(Kernel::Avx2);
    }
    kernels
}

/// Asserts that each kernel gives the portable kernel's results, bit for bit, on every strip
/// of `m` and every run of up to 4 of the rows of `x`.
fn assert_kernels_agree(m: &PackedMatrix, x: &[f32], rows: usize, what: &str) {
    let acts = m.quantize(x, rows);
    let features = m.features();
    for kernel in kernels() {
        for strip in 0..features / TILE {
            let weights = m.strip(strip);
            for first in 0..rows {
                for count in 1..=ROWS.min(rows - first) {
                    let mut detected = vec![0f32; rows * features];
                    let target = Base(detected.as_mut_ptr());
                    // SAFETY: one writer, places inside `detected`.
                    unsafe { kernel.run(&weights, &acts, first, count, target, features, strip) };
                    for row in first..first + count {
                        let mut portable = [0f32; TILE];
                        portable_row(&weights, &acts, row, &mut portable);
                        assert_eq!(
                            portable[..],
                            detected[row * features + strip * TILE..][..TILE],
                            "{what}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn simd_and_portable_kernels_agree_bit_for_bit() {
    for dtype in ALL_TYPES {
        let n = inputs(dtype, 4);
        let (m, _) = matrix(dtype, 32, n);
        assert_kernels_agree(&m, &activations(6, n), 6, &format!("{dtype:?}"));
    }
}

/// A packed matrix of one tile by two blocks whose every raw block (after its f16 scale of
/// one) is `quants`.
fn extreme(dtype: GgmlDType, quants: &[u8]) -> PackedMatrix {
    let mut block = f16::ONE.to_le_bytes().to_vec();
    block.extend_from_slice(quants);
    let scales = vec![[f16::ONE; TILE]; 2];
    let quants = match dtype {
        GgmlDType::Q5_0 => Quants::Q5(vec![pack_q5(|_| &block[..]); 2]),
        _ => Quants::Q8(vec![pack_q8(|_| &block[..]); 2]),
    };
    PackedMatrix {
        features: TILE,
        inputs: 2 * BLOCK,
        scales,
        quants,
    }
}

#[test]
fn the_largest_quants_do_not_saturate_the_simd_sums() {
    // Rows whose quants are all -127, all 127, alternating, and -127 with one larger value.
    let mut x = [vec![-1.0f32; 64], vec![1.0; 64]].concat();
    x.extend((0..64).map(|i| if i % 2 == 0 { -1.0 } else { 1.0 }));
    x.extend((0..64).map(|i| if i % 32 == 5 { 1.0 } else { -0.999 }));
    let rows = x.len() / 64;
    // Q8_0: every weight -128, every weight 127, alternating.
    for quants in [
        [0x80u8; 32],
        [0x7F; 32],
        std::array::from_fn(|i| if i % 2 == 0 { 0x80 } else { 0x7F }),
    ] {
        let m = extreme(GgmlDType::Q8_0, &quants);
        assert_kernels_agree(&m, &x, rows, "Q8_0");
        let y = m.matmul(&x, rows).expect("matmul");
        let w = |i: usize| f32::from(quants[i % BLOCK] as i8);
        let expected: f32 = (0..64).map(|i| w(i) * -127.0).sum::<f32>() * (1.0 / 127.0);
        assert!(
            (y[0] - expected).abs() <= 1e-3 * expected.abs(),
            "{} vs {expected}",
            y[0]
        );
    }
    // Q5_0: every five-bit value 31 (weight 15), every one 0 (weight -16).
    for byte in [0xFFu8, 0x00] {
        let m = extreme(GgmlDType::Q5_0, &[byte; 20]);
        assert_kernels_agree(&m, &x, rows, "Q5_0");
        let weight = if byte == 0xFF { 15.0 } else { -16.0 };
        let y = m.matmul(&x, rows).expect("matmul");
        assert!(
            (y[0] - weight * -64.0).abs() <= 1e-3 * 64.0 * 16.0,
            "{} vs {}",
            y[0],
            weight * -64.0
        );
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
