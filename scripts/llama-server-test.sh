#!/usr/bin/env bash
# Opt-in test of the OpenAI-compatible remote backend against a real llama.cpp server.
#
# 1. Creates a venv at ~/.cache/crucible/venv-llama (or $CRUCIBLE_LLAMA_VENV) with
#    llama-cpp-python[server], unless it is already there. pip builds llama.cpp from source:
#    10-20 minutes on two cores (CMAKE_BUILD_PARALLEL_LEVEL defaults to 1 to keep the machine
#    usable; set it higher on a bigger one).
# 2. Starts `python -m llama_cpp.server` with SmolLM2-135M on a free port of 127.0.0.1.
# 3. Runs the ignored test crates/model/tests/remote_llama_cpp.rs against it, then stops it.
#
# Usage: scripts/llama-server-test.sh [--setup-only]
#   --setup-only   only create the venv (scripts/bench_llama_cpp.py uses it too)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${CRUCIBLE_LLAMA_VENV:-$HOME/.cache/crucible/venv-llama}
models=${CRUCIBLE_MODELS_DIR:-$HOME/.cache/crucible/models}
model=${CRUCIBLE_TEST_GGUF:-$models/SmolLM2-135M-Instruct.Q4_1.gguf}

setup_venv() {
    if [[ -x $venv/bin/python ]] && "$venv/bin/python" -c 'import llama_cpp.server' 2>/dev/null; then
        return
    fi
    echo "creating $venv and building llama-cpp-python (this takes a while)" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --upgrade pip
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-1} \
        "$venv/bin/python" -m pip install 'llama-cpp-python[server]'
}

free_port() {
    "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Polls /v1/models until the server answers; fails if it exits or takes over two minutes.
wait_ready() {
    local url=$1 pid=$2
    for _ in $(seq 240); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "llama.cpp server exited early; its log:" >&2
            cat "$log" >&2
            return 1
        fi
        if "$venv/bin/python" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1] + '/v1/models', timeout=2)" "$url" 2>/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    echo "llama.cpp server not ready after 120 s; its log:" >&2
    cat "$log" >&2
    return 1
}

setup_venv
if [[ ${1:-} == --setup-only ]]; then
    exit 0
fi
if [[ ! -f $model ]]; then
    echo "missing $model: run ./setup.sh (crucible model fetch smollm2-135m-instruct)" >&2
    exit 1
fi

port=$(free_port)
url=http://127.0.0.1:$port
log=$(mktemp -t llama-server.XXXXXX.log)
"$venv/bin/python" -m llama_cpp.server --model "$model" --host 127.0.0.1 --port "$port" \
    --n_ctx 2048 >"$log" 2>&1 &
server=$!
stop_server() {
    local status=$?
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true  # 143: it was terminated
    rm -f "$log"
    exit "$status"
}
trap stop_server EXIT
wait_ready "$url" "$server"
echo "llama.cpp server ready at $url (pid $server)" >&2

cd "$repo"
CRUCIBLE_TEST_OPENAI_URL=$url RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-1} \
    cargo test -p crucible-model --test remote_llama_cpp -- --ignored --nocapture
