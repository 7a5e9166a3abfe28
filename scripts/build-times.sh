#!/usr/bin/env bash
# Clean-checkout build times of a commit: each package built cold (its own fresh target
# directory, dev profile as `cargo build` gives it), wall and CPU seconds.
#
#   scripts/build-times.sh COMMIT [OUT.tsv [WHAT ...]]
#
# WHAT (default: all four, in this order): `sandbox` (crucible-sandbox, default features),
# `sandbox-light` (crucible-sandbox without default features, where the commit has the
# `engine` feature), `problems` (crucible-problems), `workspace`. Appends one line per build to
# OUT.tsv (default build-times.tsv): commit, what, wall s, user+sys CPU s, packages compiled.
# CPU seconds hardly depend on other load; wall seconds do. Each target directory is deleted
# after its build. The worktree goes under $TMPDIR (default /tmp).
set -euo pipefail
commit=${1:?usage: scripts/build-times.sh COMMIT [OUT.tsv]}
out=$(realpath -m "${2:-build-times.tsv}")
shift $(($# < 2 ? $# : 2))
whats=("$@")
[ ${#whats[@]} -gt 0 ] || whats=(sandbox sandbox-light problems workspace)
repo=$(git rev-parse --show-toplevel)
short=$(git -C "$repo" rev-parse --short "$commit")
tree=${TMPDIR:-/tmp}/crucible-build-times-$short
target=${TMPDIR:-/tmp}/crucible-build-times-target-$short
rm -rf "$tree" "$target"
git -C "$repo" worktree add --detach -f "$tree" "$commit" >/dev/null
trap 'git -C "$repo" worktree remove --force "$tree"; rm -rf "$target"' EXIT
cd "$tree"

measure() { # what, cargo args...
  local what=$1
  shift
  rm -rf "$target"
  local log
  log=$(mktemp)
  /usr/bin/time -f '%e %U %S' -o "$log.time" \
    env CARGO_TARGET_DIR="$target" cargo build --locked "$@" 2>"$log"
  local crates
  crates=$(grep -c '^ *Compiling ' "$log" || true)
  read -r wall user sys <"$log.time"
  printf '%s\t%s\t%s\t%.0f\t%s\n' "$short" "$what" "$wall" \
    "$(echo "$user + $sys" | bc)" "$crates" | tee -a "$out"
  rm -f "$log" "$log.time"
}

for what in "${whats[@]}"; do
  case $what in
    sandbox) measure "crucible-sandbox" -p crucible-sandbox ;;
    sandbox-light)
      if grep -q '^engine' sandbox/Cargo.toml; then
        measure "crucible-sandbox --no-default-features" -p crucible-sandbox --no-default-features
      fi ;;
    problems) measure "crucible-problems" -p crucible-problems ;;
    workspace) measure "workspace" --workspace ;;
    *) echo "unknown: $what (sandbox, sandbox-light, problems, workspace)" >&2; exit 2 ;;
  esac
done
