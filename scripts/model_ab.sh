#!/usr/bin/env bash
# Decode/prefill throughput of the model crate at two commits, one invocation: builds the
# `throughput` example (release) of each in one temporary worktree and target directory (the
# dependencies are built once; only crucible-model's own sources differ between the two
# builds), then times them alternately with farm-bench (A = NEW, B = OLD, ratio pair by pair).
#
#   scripts/model_ab.sh OLD NEW [throughput args...]     # default: --prompts 8 --batches 1,8
#
# For issue 16's "no regression" check of the q8 split: scripts/model_ab.sh 27dee93^ 27dee93
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
# Commit ids, not names: `HEAD` inside the worktree would name the worktree's own checkout.
old=$(git -C "$repo" rev-parse --verify "${1:?usage: scripts/model_ab.sh OLD NEW [throughput args]}^{commit}")
new=$(git -C "$repo" rev-parse --verify "${2:?usage: scripts/model_ab.sh OLD NEW [throughput args]}^{commit}")
shift 2
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--prompts 8 --batches 1,8)
tree=${TMPDIR:-/tmp}/crucible-model-ab
target=${TMPDIR:-/tmp}/crucible-model-ab-target
bin=${TMPDIR:-/tmp}/crucible-model-ab-bin
git -C "$repo" worktree remove --force "$tree" 2>/dev/null || true
rm -rf "$tree" "$bin"
mkdir -p "$bin"
git -C "$repo" worktree add --detach -f "$tree" "$new" >/dev/null
trap 'git -C "$repo" worktree remove --force "$tree"' EXIT
build() { # commit, name
  git -C "$tree" checkout -q --detach "$1"
  CARGO_TARGET_DIR="$target" cargo build --release --locked --manifest-path "$tree/Cargo.toml" \
    -p crucible-model --example throughput
  cp "$target/release/examples/throughput" "$bin/$2"
}
build "$old" old
build "$new" new
# Both use the default model from the models cache (`CRUCIBLE_MODELS_DIR` to point elsewhere).
export RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-1}
farm-bench -n 3 --timeout 3600 --vs "$bin/old ${args[*]}" -- "$bin/new" "${args[@]}"
echo "old: ${old:0:7}, new: ${new:0:7}, threads: $RAYON_NUM_THREADS"
