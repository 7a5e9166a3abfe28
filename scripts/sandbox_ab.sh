#!/usr/bin/env bash
# The sandbox benchmark (`cargo bench -p crucible-sandbox --bench sandbox`) at two commits, one
# invocation: both bench binaries are built in one temporary worktree and target directory (the
# dependencies once; only crucible-sandbox's sources differ), then run in turn OLD NEW OLD NEW.
# Each run measures its own native baselines, so its ratios (tests/s against fork/exec, CPU
# time against native) compare across runs even on a loaded machine.
#
#   scripts/sandbox_ab.sh OLD NEW [ROUNDS]      # default 2 rounds
#
# For issue 16's "no regression" check of the engine split: scripts/sandbox_ab.sh a3b46bc HEAD
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
# Commit ids, not names: `HEAD` inside the worktree would name the worktree's own checkout.
old=$(git -C "$repo" rev-parse --verify "${1:?usage: scripts/sandbox_ab.sh OLD NEW [ROUNDS]}^{commit}")
new=$(git -C "$repo" rev-parse --verify "${2:?usage: scripts/sandbox_ab.sh OLD NEW [ROUNDS]}^{commit}")
rounds=${3:-2}
tree=${TMPDIR:-/tmp}/crucible-sandbox-ab
target=${TMPDIR:-/tmp}/crucible-sandbox-ab-target
bin=${TMPDIR:-/tmp}/crucible-sandbox-ab-bin
git -C "$repo" worktree remove --force "$tree" 2>/dev/null || true
rm -rf "$tree" "$bin"
mkdir -p "$bin"
git -C "$repo" worktree add --detach -f "$tree" "$new" >/dev/null
trap 'git -C "$repo" worktree remove --force "$tree"' EXIT
build() { # commit, name
  git -C "$tree" checkout -q --detach "$1"
  local exe
  exe=$(CARGO_TARGET_DIR="$target" cargo bench --no-run --locked \
    --manifest-path "$tree/Cargo.toml" -p crucible-sandbox --bench sandbox 2>&1 |
    sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)
  cp "$exe" "$bin/$2"
}
build "$old" old
build "$new" new
# Benches run from their package's directory, as under `cargo bench`.
cd "$tree/sandbox"
for i in $(seq "$rounds"); do
  for which in old new; do
    commit=$old
    [ "$which" = new ] && commit=$new
    echo "=== $which (${commit:0:7}), round $i"
    "$bin/$which"
  done
done
