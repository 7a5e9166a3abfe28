#!/usr/bin/env bash
# `crucible eval` with the model asked one problem at a time (--batch 1) and 32 at a time,
# alternately, ROUNDS times, in one invocation (BENCHMARKS.md, "crucible eval keeps the model's
# batch full"). Greedy, one model thread, the first LIMIT HumanEval problems.
#   scripts/eval_batch_ab.sh [OUT_DIR]        (ROUNDS=2, LIMIT=32, BATCHES="1 32")
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crucible/target}"
cargo build --quiet --release --locked -p crucible
bin="$CARGO_TARGET_DIR/release/crucible"
root="${1:-runs/eval-batch-ab}"
for round in $(seq "${ROUNDS:-2}"); do
  for b in ${BATCHES:-1 32}; do
    out="$root/r$round-b$b"
    rm -rf "$out" && mkdir -p "$out"
    start=$(date +%s.%N)
    /usr/bin/time -f "cpu %U %S" "$bin" --threads 1 eval --set puzzles/humaneval/HumanEval.jsonl.gz \
      --model qwen2.5-coder-0.5b-instruct --samples 1 --temperature 0 --limit "${LIMIT:-32}" \
      --batch "$b" --out "$out" >"$out/log" 2>&1
    end=$(date +%s.%N)
    echo "round $round batch $b wall $(echo "$end - $start" | bc) s, $(grep '^cpu' "$out/log"), $(grep '^all ' "$out/log")"
  done
done
