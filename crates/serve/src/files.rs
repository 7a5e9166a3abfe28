//! SandboxFusion's `files` and `fetch_files`: files given as base64 are placed in a fresh
//! directory that the program sees, read-only, as its working directory; fetched files are
//! read back from it. (The guest cannot write files: wasmtime-wasi has no disk quota, so a
//! writable directory would let a program fill the host's disk.)

use crate::ApiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use tempfile::TempDir;

/// The request's files, written to a temporary directory (removed on drop).
#[derive(Debug, Default)]
pub struct FileSet {
    dir: Option<TempDir>,
}

impl FileSet {
    /// Decodes and writes `files` (path → base64; `null` entries are skipped, as SandboxFusion
    /// does). A path that leaves the directory or content that is not base64 is 400.
    pub fn decode(files: &BTreeMap<String, Option<String>>) -> Result<Self, ApiError> {
        let present: Vec<(&String, &String)> = files
            .iter()
            .filter_map(|(name, content)| content.as_ref().map(|c| (name, c)))
            .collect();
        if present.is_empty() {
            return Ok(FileSet::default());
        }
        let dir = tempfile::Builder::new()
            .prefix("crucible-serve-")
            .tempdir()
            .map_err(|e| ApiError::BadRequest(format!("cannot create a work directory: {e}")))?;
        for (name, content) in present {
            let relative = safe_relative(name).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "file name `{name}` must be a relative path inside the work directory"
                ))
            })?;
            let bytes = STANDARD.decode(content.trim()).map_err(|e| {
                ApiError::BadRequest(format!("file `{name}` is not valid base64: {e}"))
            })?;
            write_file(&dir.path().join(relative), &bytes)
                .map_err(|e| ApiError::BadRequest(format!("cannot write file `{name}`: {e}")))?;
        }
        Ok(FileSet { dir: Some(dir) })
    }

    /// The directory to mount, when there are files.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(TempDir::path)
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)
}

/// `name` as a path that stays inside a directory (`a/b.txt`, `./x`), or `None`.
pub fn safe_relative(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// Reads back the files asked for that exist (others are left out, as SandboxFusion does).
pub fn fetch_files(dir: Option<&Path>, names: &[String]) -> BTreeMap<String, String> {
    let Some(dir) = dir else {
        return BTreeMap::new();
    };
    names
        .iter()
        .filter_map(|name| {
            let path = dir.join(safe_relative(name)?);
            let meta = std::fs::symlink_metadata(&path).ok()?;
            if !meta.is_file() {
                return None;
            }
            let bytes = std::fs::read(&path).ok()?;
            Some((name.clone(), STANDARD.encode(bytes)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        assert_eq!(safe_relative("a/b.txt"), Some(PathBuf::from("a/b.txt")));
        assert_eq!(safe_relative("./x"), Some(PathBuf::from("x")));
        assert_eq!(safe_relative("../x"), None);
        assert_eq!(safe_relative("/etc/passwd"), None);
        assert_eq!(safe_relative("a/../../x"), None);
        assert_eq!(safe_relative(""), None);
    }

    #[test]
    fn files_round_trip() {
        let mut files = BTreeMap::new();
        files.insert("d/in.txt".to_string(), Some(STANDARD.encode("hello")));
        files.insert("skipped".to_string(), None);
        let set = FileSet::decode(&files).expect("decode");
        let fetched = fetch_files(
            set.dir(),
            &["d/in.txt".into(), "missing".into(), "../x".into()],
        );
        assert_eq!(fetched.len(), 1);
        assert_eq!(fetched["d/in.txt"], STANDARD.encode("hello"));
        files.insert("bad".to_string(), Some("***".into()));
        assert!(FileSet::decode(&files).is_err());
    }
}
