//! Criterion benchmarks of the built-in checkers on a 1 MB output (a judging hot path).

use criterion::{Criterion, criterion_group, criterion_main};
use crucible_sandbox::Checker;
use std::hint::black_box;

fn outputs() -> (Vec<u8>, Vec<u8>) {
    let expected: String = (0..100_000)
        .map(|i| format!("{} ", i * 7919 % 1_000_003))
        .collect();
    let output = expected.replace(' ', "\n");
    (expected.into_bytes(), output.into_bytes())
}

fn bench_checkers(c: &mut Criterion) {
    let (expected, output) = outputs();
    let mut group = c.benchmark_group("check 100k tokens");
    for (name, checker) in [
        ("exact", Checker::Exact),
        ("tokens", Checker::default()),
        (
            "tokens-case",
            Checker::Tokens {
                case_sensitive: true,
            },
        ),
        ("float 1e-6", Checker::float(1e-6)),
    ] {
        let out = if name == "exact" { &expected } else { &output };
        group.bench_function(name, |b| {
            b.iter(|| black_box(checker.check(b"", black_box(&expected), black_box(out))))
        });
    }
    group.finish();
}

// `criterion_group!` defines an undocumented public function.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, bench_checkers);
}
use group::benches;
criterion_main!(benches);
