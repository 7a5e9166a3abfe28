#!/usr/bin/env bash
# The project's test command (README, .ci/run): set-up (idempotent), format and lint checks,
# then every test in the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

./setup.sh
# One target directory for every checkout on this machine: CI's fresh clone reuses the build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crucible/target}"
# Model tests: candle's CPU pool busy-waits; one thread is fastest on a small shared machine.
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-1}"

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> crate edges: the problem model and eval's statistics build without the engines"
# crucible-problems uses the sandbox's vocabulary only (Language, Limits, Checker), and
# crucible-eval without its `judge` and `model` features is extraction, pass@k, paired
# statistics and reports: neither may compile wasmtime or candle.
for crate in "crucible-problems" "crucible-eval --no-default-features"; do
    if heavy=$(cargo tree -p $crate -e normal --locked | grep -E "wasmtime|candle|landlock"); then
        echo "$crate depends on an engine:"; echo "$heavy"; exit 1
    fi
done
echo "==> no circle between the files of one crate"
python3 scripts/module_cycles.py
echo "==> cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> cargo test"
cargo test --workspace --locked
