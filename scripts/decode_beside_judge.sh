#!/usr/bin/env bash
# Decode throughput at 1 and 2 model threads, quiet and with the sandbox judging beside it, for
# our kernels' pool and for candle's barrier pool (`CRUCIBLE_CANDLE_POOL=1`), one invocation
# (BENCHMARKS.md, "The model beside the sandbox"). The judging load is a second process that
# judges HumanEval's reference solutions over and over (`crucible eval --solutions references`,
# one sandbox worker per core); its problems judged per second are shown beside each run
# (counted per problem from its results file, not per finished pass).
#
#   scripts/decode_beside_judge.sh   BATCHES=1,16 THREADS="1 2" POOLS="ours candle" NEW_TOKENS=64
#                                    LOAD_NICE=0 (the load's nice value) QUIET=1 (0: loaded runs only)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crucible/target}"
cargo build --quiet --release --locked -p crucible -p crucible-model --example throughput
bin="$CARGO_TARGET_DIR/release/crucible"
throughput="$CARGO_TARGET_DIR/release/examples/throughput"
scratch=$(mktemp -d)
load_pid=
stop_load() { [[ -z $load_pid ]] || { kill "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null || true; }; load_pid=; }
trap 'stop_load; rm -rf "$scratch"' EXIT

# The judging load: HumanEval's references, judged again and again; one line per pass.
start_load() {
  (
    i=0
    while true; do
      i=$((i + 1))
      rm -rf "$scratch/eval"
      nice -n "${LOAD_NICE:-0}" "$bin" eval --set puzzles/humaneval/HumanEval.jsonl.gz --solutions references \
        --out "$scratch/eval" >/dev/null 2>&1
      echo "$(date +%s.%N)" >>"$scratch/passes"
    done
  ) &
  load_pid=$!
  sleep 5
}

# judged_so_far: problems the load has judged (finished passes, plus the current pass's results;
# a finished pass still on disk counts once).
judged_so_far() {
  local passes lines
  passes=$(wc -l <"$scratch/passes")
  lines=$(cat "$scratch/eval/results.jsonl" 2>/dev/null | wc -l)
  echo $((passes * 164 + lines % 164))
}

# measure LABEL POOL THREADS: one throughput run; prints a table row per batch size.
measure() {
  local label=$1 pool=$2 threads=$3 env=()
  # ours: candle's own barrier pool idle (CANDLE_NUM_THREADS=1), as `crucible` sets it
  env=(CANDLE_NUM_THREADS=1)
  [[ $pool == candle ]] && env=(CRUCIBLE_CANDLE_POOL=1)
  local before after start end
  touch "$scratch/passes"
  before=$(judged_so_far)
  start=$(date +%s.%N)
  env "${env[@]}" RAYON_NUM_THREADS="$threads" "$throughput" --batches "${BATCHES:-1,16}" \
    --prompts 32 --new-tokens "${NEW_TOKENS:-64}" 2>/dev/null |
    awk -v l="$label" -v p="$pool" -v t="$threads" -F'|' \
      '/^\| *[0-9]+ *\|/ {printf "| %s | %s | %s | %s | %s | %s |", l, p, t, $2, $3, $4; print ""}' \
    >"$scratch/rows"
  end=$(date +%s.%N)
  after=$(judged_so_far)
  local judged
  judged=$(echo "($after - $before) / ($end - $start)" | bc -l)
  while read -r row; do
    if [[ $label == quiet ]]; then echo "$row — |"; else printf '%s %.1f |\n' "$row" "$judged"; fi
  done <"$scratch/rows"
}

echo "| machine | pool | threads | batch | prefill tok/s | decode tok/s | judged problems/s beside |"
echo "|---|---|---|---|---|---|---|"
if [[ ${QUIET:-1} == 1 ]]; then
  for pool in ${POOLS:-ours candle}; do
    for t in ${THREADS:-1 2}; do measure quiet "$pool" "$t"; done
  done
fi
start_load
for pool in ${POOLS:-ours candle}; do
  for t in ${THREADS:-1 2}; do measure "judging beside (nice ${LOAD_NICE:-0})" "$pool" "$t"; done
done
stop_load
