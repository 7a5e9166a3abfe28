#!/usr/bin/env bash
# Prefill and decode of Qwen2.5-Coder-0.5B-Instruct (Q4_K_M), 1 thread: our runtime and llama.cpp
# (llama-cpp-python) alternately, ROUNDS times each, in one invocation, so both see the same
# machine state. Needs the venv of `scripts/llama-server-test.sh --setup-only`.
#   scripts/bench_vs_llama_cpp.sh [MODEL.gguf]      (ROUNDS=3, BATCHES=1 by default;
#                                                    e.g. ROUNDS=1 BATCHES=1,8,32)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crucible/target}"
export RAYON_NUM_THREADS=1
model="${1:-${CRUCIBLE_MODELS_DIR:-$HOME/.cache/crucible/models}/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf}"
python="${LLAMA_VENV:-$HOME/.cache/crucible/venv-llama}/bin/python"
cargo build --quiet --release --manifest-path "$here/Cargo.toml" -p crucible-model --example throughput
ours="$CARGO_TARGET_DIR/release/examples/throughput"
batches="${BATCHES:-1}"
for round in $(seq "${ROUNDS:-3}"); do
    for batch in ${batches//,/ }; do
        prompts=$(( batch > 4 ? batch : 4 ))
        echo "== round $round, batch $batch: ours (RESULT batch prefill decode decode-per-cpu-s peak-rss-MiB)"
        "$ours" "$model" --only "$batch" --prompts "$prompts" --prompt-tokens 100 --new-tokens 64 \
            | grep '^RESULT'
    done
    echo "== round $round: llama.cpp (| threads | batch | n_ctx | prefill | decode |)"
    "$python" "$here/scripts/bench_llama_cpp.py" --model "$model" --threads 1 --batches "$batches" \
        --runs 1 | grep -E '^\| 1 \| [0-9]+ \| '
done
