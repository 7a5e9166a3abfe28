//! C and C++ to wasm32-wasi with Debian's clang 19, jailed (see [`crate::jail`]).
//!
//! The compiler's `PATH` holds only a private directory with `wasm-ld-19`, so clang never finds
//! (and silently runs) `wasm-opt`. C++ gets our `<bits/stdc++.h>`, a precompiled header for it
//! (used when the source includes it), a 64 MiB stack placed first in memory (so an overflow
//! traps instead of corrupting data) and an exception shim so `throw` links.

use crate::jail::{JailSpec, run_jailed};
use crate::{CompileError, Language, SandboxError};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const STDCXX_HEADER: &str = include_str!("../include/bits/stdc++.h");
const CXX_RUNTIME_SHIM: &str = include_str!("../include/crucible_cxxrt.cpp");
const C_RUNTIME_SHIM: &str = include_str!("../include/crucible_rt.c");

/// Stack given to C and C++ programs, in bytes.
pub const STACK_BYTES: u64 = 64 << 20;

/// Where the toolchain lives and how the compiler is confined.
#[derive(Debug, Clone)]
pub struct ToolchainConfig {
    /// The clang driver (`clang-19`; `clang++` mode is chosen by flag).
    pub clang: PathBuf,
    /// The wasm linker clang should use.
    pub wasm_ld: PathBuf,
    /// Wall-clock limit for one compilation.
    pub timeout: Duration,
    /// Address-space limit for the compiler process.
    pub memory_bytes: u64,
    /// Compile even where Landlock cannot confine the compiler.
    pub allow_unconfined: bool,
}

impl Default for ToolchainConfig {
    fn default() -> Self {
        ToolchainConfig {
            clang: PathBuf::from("/usr/bin/clang-19"),
            wasm_ld: PathBuf::from("/usr/bin/wasm-ld-19"),
            timeout: Duration::from_secs(20),
            memory_bytes: 2 << 30,
            allow_unconfined: false,
        }
    }
}

/// A prepared toolchain: private bin directory, headers, precompiled header and shim object.
#[derive(Debug)]
pub struct Toolchain {
    config: ToolchainConfig,
    clang: PathBuf,
    dir: PathBuf,
    fingerprint: String,
}

impl Toolchain {
    /// Checks that clang is installed and prepares the support files under `cache_dir`.
    pub fn prepare(config: ToolchainConfig, cache_dir: &Path) -> Result<Self, SandboxError> {
        let clang = std::fs::canonicalize(&config.clang).map_err(|_| {
            SandboxError::ToolchainMissing(format!(
                "{} not found; run ./setup.sh (installs clang-19, lld-19, wasi-libc, libc++ for wasm32)",
                config.clang.display()
            ))
        })?;
        let wasm_ld = std::fs::canonicalize(&config.wasm_ld).map_err(|_| {
            SandboxError::ToolchainMissing(format!(
                "{} not found (package lld-19)",
                config.wasm_ld.display()
            ))
        })?;
        let version = clang_version(&clang)?;
        let fingerprint = hex::encode(
            Sha256::new()
                .chain_update(version.as_bytes())
                .chain_update(STDCXX_HEADER)
                .chain_update(CXX_RUNTIME_SHIM)
                .chain_update(C_RUNTIME_SHIM)
                .chain_update(format!("{:?}", base_flags(Language::Cpp)))
                .chain_update(format!("{:?}", base_flags(Language::C)))
                .chain_update(format!("{:?}", link_flags()))
                .finalize(),
        );
        let dir = cache_dir.join("toolchain").join(&fingerprint[..16]);
        let tc = Toolchain {
            config,
            clang,
            dir,
            fingerprint,
        };
        tc.install_support_files(&wasm_ld)?;
        Ok(tc)
    }

    /// Identifies compiler version, flags and support files (part of every cache key).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Compiles C or C++ `source` to a wasm32-wasi command module.
    pub fn compile(&self, lang: Language, source: &[u8]) -> Result<Vec<u8>, CompileError> {
        let work = tempfile::Builder::new()
            .prefix("crucible-cc-")
            .tempdir()
            .map_err(|e| SandboxError::io(std::env::temp_dir(), e))?;
        let src_name = format!("solution.{}", lang.extension());
        let src_path = work.path().join(&src_name);
        std::fs::write(&src_path, source).map_err(|e| SandboxError::io(&src_path, e))?;
        let mut args = base_flags(lang);
        args.push(format!("-I{}", self.include_dir().display()));
        if lang == Language::Cpp && mentions_stdcxx_header(source) {
            args.push("-include-pch".into());
            args.push(self.pch_path().display().to_string());
        }
        args.extend(link_flags());
        args.push(src_name);
        args.push(self.c_shim_path().display().to_string());
        if lang == Language::Cpp {
            args.push(self.shim_path().display().to_string());
        }
        args.extend(["-o".into(), "solution.wasm".into()]);
        let outcome = self.run_clang(lang, &args, work.path())?;
        if outcome.timed_out {
            return Err(CompileError::Rejected {
                diagnostics: format!(
                    "compilation exceeded the {:.0} s limit",
                    self.config.timeout.as_secs_f64()
                ),
            });
        }
        if outcome.code != Some(0) {
            let mut diagnostics = String::from_utf8_lossy(&outcome.stderr).into_owned();
            if let Some(sig) = outcome.signal {
                diagnostics.push_str(&format!(
                    "\ncompiler killed by signal {sig} (memory limit of {} MiB?)",
                    self.config.memory_bytes >> 20
                ));
            }
            return Err(CompileError::Rejected { diagnostics });
        }
        let out = work.path().join("solution.wasm");
        Ok(std::fs::read(&out).map_err(|e| SandboxError::io(&out, e))?)
    }

    fn include_dir(&self) -> PathBuf {
        self.dir.join("include")
    }

    fn bin_dir(&self) -> PathBuf {
        self.dir.join("bin")
    }

    fn pch_path(&self) -> PathBuf {
        self.dir.join("stdc++.h.pch")
    }

    fn shim_path(&self) -> PathBuf {
        self.dir.join("crucible_cxxrt.o")
    }

    fn c_shim_path(&self) -> PathBuf {
        self.dir.join("crucible_rt.o")
    }

    /// Writes headers, links the linker, builds the shim object and the PCH (once per
    /// fingerprint; concurrent processes race benignly through atomic renames).
    fn install_support_files(&self, wasm_ld: &Path) -> Result<(), SandboxError> {
        let bits = self.include_dir().join("bits");
        std::fs::create_dir_all(&bits).map_err(|e| SandboxError::io(&bits, e))?;
        std::fs::create_dir_all(self.bin_dir()).map_err(|e| SandboxError::io(self.bin_dir(), e))?;
        write_if_changed(&bits.join("stdc++.h"), STDCXX_HEADER.as_bytes())?;
        let link = self.bin_dir().join("wasm-ld-19");
        if std::fs::read_link(&link).ok().as_deref() != Some(wasm_ld) {
            let tmp = self
                .bin_dir()
                .join(format!(".wasm-ld-{}", std::process::id()));
            let _ = std::fs::remove_file(&tmp);
            std::os::unix::fs::symlink(wasm_ld, &tmp).map_err(|e| SandboxError::io(&tmp, e))?;
            std::fs::rename(&tmp, &link).map_err(|e| SandboxError::io(&link, e))?;
        }
        self.build_shim(
            Language::Cpp,
            "crucible_cxxrt.cpp",
            CXX_RUNTIME_SHIM,
            &self.shim_path(),
        )?;
        self.build_shim(
            Language::C,
            "crucible_rt.c",
            C_RUNTIME_SHIM,
            &self.c_shim_path(),
        )?;
        if !self.pch_path().exists() {
            let mut args = base_flags(Language::Cpp);
            args.push(format!("-I{}", self.include_dir().display()));
            args.extend(["-x".into(), "c++-header".into()]);
            args.push(bits.join("stdc++.h").display().to_string());
            self.build_support(Language::Cpp, &args, &self.pch_path())?;
        }
        Ok(())
    }

    /// Compiles a runtime shim to an object file, once.
    fn build_shim(
        &self,
        lang: Language,
        name: &str,
        source: &str,
        object: &Path,
    ) -> Result<(), SandboxError> {
        if object.exists() {
            return Ok(());
        }
        let src = self.dir.join(name);
        write_if_changed(&src, source.as_bytes())?;
        let mut args = base_flags(lang);
        args.extend(["-c".into(), src.display().to_string()]);
        self.build_support(lang, &args, object)
    }

    /// Builds one support artifact into a temporary name, then renames it into place.
    fn build_support(
        &self,
        lang: Language,
        args: &[String],
        target: &Path,
    ) -> Result<(), SandboxError> {
        let work = tempfile::Builder::new()
            .prefix("crucible-tc-")
            .tempdir_in(&self.dir)
            .map_err(|e| SandboxError::io(&self.dir, e))?;
        let tmp_out = work.path().join("out");
        let mut args = args.to_vec();
        args.extend(["-o".into(), tmp_out.display().to_string()]);
        let outcome = self
            .run_clang(lang, &args, work.path())
            .map_err(|e| match e {
                CompileError::Sandbox(e) => e,
                CompileError::Rejected { diagnostics } => {
                    SandboxError::CompilerProcess(diagnostics)
                }
            })?;
        if outcome.code != Some(0) {
            return Err(SandboxError::CompilerProcess(format!(
                "building {} failed: {}",
                target.display(),
                String::from_utf8_lossy(&outcome.stderr)
            )));
        }
        std::fs::rename(&tmp_out, target).map_err(|e| SandboxError::io(target, e))
    }

    /// Runs clang in the jail with a scrubbed environment and `cwd` as its only writable place.
    fn run_clang(
        &self,
        lang: Language,
        args: &[String],
        cwd: &Path,
    ) -> Result<crate::jail::JailOutcome, CompileError> {
        let mut cmd = Command::new(&self.clang);
        if lang == Language::Cpp {
            cmd.arg("--driver-mode=g++");
        }
        cmd.args(args)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", self.bin_dir())
            .env("TMPDIR", cwd)
            .env("LC_ALL", "C");
        let spec = JailSpec {
            read_only: self.readable_paths(),
            read_write: vec![cwd.to_path_buf(), PathBuf::from("/dev/null")],
            timeout: self.config.timeout,
            memory_bytes: self.config.memory_bytes,
            // Zero-initialised globals are written out in full in wasm object files, so a
            // legitimate `static int a[1 << 28]` needs a 1 GiB temporary; wasm32 caps data at 4 GiB.
            file_bytes: 9 << 29,
            output_bytes: 64 << 10,
            allow_unconfined: self.config.allow_unconfined,
        };
        Ok(run_jailed(cmd, &spec)?)
    }

    /// What the compiler may read: its installation, the wasm32 sysroot, shared libraries and
    /// our support files. Not `/etc` (but for the loader cache), not `/home`, not `/proc`.
    fn readable_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = [
            "/usr/lib/llvm-19",
            "/usr/include/wasm32-wasi",
            "/usr/lib/wasm32-wasi",
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/lib64",
            "/etc/ld.so.cache",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        if let Some(dir) = self.clang.parent() {
            paths.push(dir.to_path_buf());
        }
        paths.push(self.dir.clone());
        paths
    }
}

/// Compiler flags shared by every compilation of `lang` (and by the PCH, which must match).
fn base_flags(lang: Language) -> Vec<String> {
    let mut flags: Vec<String> = [
        "--target=wasm32-wasi",
        "-O2",
        "-w",
        "-fno-color-diagnostics",
        "-ferror-limit=20",
        "-msimd128",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    flags.push(
        if lang == Language::C {
            "-std=gnu17"
        } else {
            "-std=gnu++20"
        }
        .into(),
    );
    flags
}

/// Linker flags: no symbols, a 64 MiB stack placed below the data so an overflow traps.
fn link_flags() -> Vec<String> {
    vec![
        "-Wl,--strip-all".into(),
        format!("-Wl,-z,stack-size={STACK_BYTES}"),
        "-Wl,--stack-first".into(),
        // Lets the runner tell a stack overflow from any other out-of-bounds access.
        "-Wl,--export=__stack_pointer".into(),
    ]
}

/// Whether the source includes `<bits/stdc++.h>` (then the precompiled header applies).
fn mentions_stdcxx_header(source: &[u8]) -> bool {
    source
        .windows(b"bits/stdc++.h".len())
        .any(|w| w == b"bits/stdc++.h")
}

/// The first line of `clang --version` (trusted binary, no untrusted input).
fn clang_version(clang: &Path) -> Result<String, SandboxError> {
    let out = Command::new(clang)
        .arg("--version")
        .env_clear()
        .output()
        .map_err(|e| SandboxError::ToolchainMissing(format!("{}: {e}", clang.display())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or("unknown clang").to_string())
}

/// Writes a support file unless it already holds `bytes` (atomically, via `write_atomic`).
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), SandboxError> {
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(());
    }
    crate::cache::write_atomic(path, bytes).map_err(|e| SandboxError::io(path, e))
}
