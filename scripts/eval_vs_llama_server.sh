#!/usr/bin/env bash
# `crucible eval` on HumanEval (greedy, one sample) with the local runtime and with the same
# command pointed at a llama.cpp server (llama-cpp-python's, built by
# `scripts/llama-server-test.sh --setup-only`) serving the same GGUF file; one invocation, the
# runs in turn (BENCHMARKS.md, "crucible eval next to a llama.cpp server"). For each run: wall,
# problems per minute, CPU seconds of the eval process and of the server, the machine's CPU
# use over the run (both cores), pass@1.
#
#   scripts/eval_vs_llama_server.sh [OUT_DIR]
#   THREADS="1 2" (local runs: one per --threads value)  SERVER_THREADS=2  LIMIT=164
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crucible/target}"
cargo build --quiet --release --locked -p crucible
bin="$CARGO_TARGET_DIR/release/crucible"
venv=${CRUCIBLE_LLAMA_VENV:-$HOME/.cache/crucible/venv-llama}
models=${CRUCIBLE_MODELS_DIR:-$HOME/.cache/crucible/models}
gguf="$models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
root="${1:-runs/eval-vs-llama}"
limit=${LIMIT:-164}
server_threads=${SERVER_THREADS:-2}
set_file=puzzles/humaneval/HumanEval.jsonl.gz

scripts/llama-server-test.sh --setup-only
[[ -f $gguf ]] || "$bin" model fetch qwen2.5-coder-0.5b-instruct

# Busy and total jiffies of all cores, from /proc/stat.
cpu_jiffies() { awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; print busy, busy+$5+$6}' /proc/stat; }
# utime + stime of a process, in jiffies.
proc_jiffies() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# run NAME SERVER_PID|- THREADS MODEL [EVAL_ARGS...]: one eval, timed; prints its table row.
run() {
  local name=$1 server=$2 threads=$3 model=$4
  shift 4
  local out="$root/$name"
  rm -rf "$out" && mkdir -p "$out"
  read -r busy0 total0 < <(cpu_jiffies)
  local s0=0
  [[ $server == - ]] || s0=$(proc_jiffies "$server")
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "cpu %U %S" "$bin" --threads "$threads" eval --set "$set_file" \
    --model "$model" --samples 1 --temperature 0 --limit "$limit" --out "$out" "$@" >"$out/log" 2>&1
  end=$(date +%s.%N)
  read -r busy1 total1 < <(cpu_jiffies)
  local s1=0
  [[ $server == - ]] || s1=$(proc_jiffies "$server")
  python3 - "$name" "$start" "$end" "$busy0" "$total0" "$busy1" "$total1" "$s0" "$s1" "$hz" \
    "$limit" "$out/log" <<'EOF'
import re, sys
name, start, end, b0, t0, b1, t1, s0, s1, hz, limit, log = sys.argv[1:]
wall = float(end) - float(start)
text = open(log).read()
user, system = map(float, re.search(r"^cpu (\S+) (\S+)", text, re.M).groups())
passed = re.search(r"^all .*", text, re.M)
busy = (int(b1) - int(b0)) / max(1, int(t1) - int(t0))
server = (int(s1) - int(s0)) / int(hz)
print(f"| {name} | {wall:.1f} s | {int(limit) / wall * 60:.1f} | {user + system:.1f} | "
      f"{server:.1f} | {busy * 100:.0f} % | {passed.group(0) if passed else '?'} |")
EOF
}

echo "| run | wall | problems/min | eval CPU s | server CPU s | both cores busy | result |"
echo "|---|---|---|---|---|---|---|"
for t in ${THREADS:-1 2}; do
  run "local-t$t" - "$t" qwen2.5-coder-0.5b-instruct
done

port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$root/server.log"
mkdir -p "$root"
"$venv/bin/python" -m llama_cpp.server --model "$gguf" --host 127.0.0.1 --port "$port" \
  --n_ctx 4096 --n_threads "$server_threads" --n_threads_batch "$server_threads" \
  --interrupt_requests False >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 240); do
  kill -0 "$server" || { cat "$log" >&2; exit 1; }
  curl -fs "http://127.0.0.1:$port/v1/models" >/dev/null && break
  sleep 0.5
done
# The chat endpoint: the server applies the GGUF's own chat template (Qwen's default system
# prompt included, as the local runtime does); repeat_penalty 1.0 makes its greedy plain greedy.
run "llama.cpp-server-t$server_threads" "$server" 1 "http://127.0.0.1:$port/v1" \
  --server-param repeat_penalty=1.0
