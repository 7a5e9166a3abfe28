//! Where samples come from: files on disk, the problems' own reference solutions, or (with the
//! model runtime) a model.

use crate::EvalError;
use crucible_problems::{Problem, Task};
use crucible_sandbox::Language;
use std::path::{Path, PathBuf};

/// One candidate solution for a problem.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Its language.
    pub lang: Language,
    /// The program, or `None` when the reply contained no code (a counted failure).
    pub code: Option<String>,
    /// Where it came from (file name, or "sample 3").
    pub label: String,
    /// Seconds spent producing it (generation time; 0 for files).
    pub gen_seconds: f64,
}

/// Produces up to `n` samples per problem.
pub trait SampleSource: Send + Sync {
    /// The samples for `problem` (fewer than `n` is fine; more are truncated by the caller).
    fn samples(&self, problem: &Problem, n: usize) -> Result<Vec<Sample>, EvalError>;
    /// A description that identifies this source in reports and resume keys.
    fn describe(&self) -> String;

    /// How many problems this source is best asked about at once: a model that decodes many
    /// requests together gains from it (the evaluation then keeps that many in flight and
    /// judges one chunk while the next is generated); 1 (the default) asks one at a time.
    fn batch(&self) -> usize {
        1
    }

    /// The samples for each of `problems` (index `i` answers `problems[i]`; one problem's
    /// failure does not fail the others). The default asks [`SampleSource::samples`] in turn.
    fn samples_batch(&self, problems: &[Problem], n: usize) -> Vec<Result<Vec<Sample>, EvalError>> {
        problems.iter().map(|p| self.samples(p, n)).collect()
    }
}

/// Solution files: `DIR/<id>.<ext>`, or every file with a known extension in `DIR/<id>/`
/// (problem ids containing `/`, like `HumanEval/0`, map to subdirectories naturally).
#[derive(Debug, Clone)]
pub struct DirectorySource {
    dir: PathBuf,
}

impl DirectorySource {
    /// Reads solutions from `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DirectorySource { dir: dir.into() }
    }
}

impl SampleSource for DirectorySource {
    fn samples(&self, problem: &Problem, n: usize) -> Result<Vec<Sample>, EvalError> {
        let mut files = Vec::new();
        let folder = self.dir.join(&problem.id);
        if folder.is_dir() {
            let entries = std::fs::read_dir(&folder).map_err(|e| EvalError::io(&folder, e))?;
            for entry in entries {
                let path = entry.map_err(|e| EvalError::io(&folder, e))?.path();
                if path.is_file() && Language::from_path(&path).is_some() {
                    files.push(path);
                }
            }
        }
        for lang in Language::ALL {
            let file = self
                .dir
                .join(format!("{}.{}", problem.id, lang.extension()));
            if file.is_file() {
                files.push(file);
            }
        }
        files.sort();
        files.truncate(n);
        files.iter().map(|f| read_sample(f)).collect()
    }

    fn describe(&self) -> String {
        format!("files:{}", self.dir.display())
    }
}

fn read_sample(path: &Path) -> Result<Sample, EvalError> {
    let bytes = std::fs::read(path).map_err(|e| EvalError::io(path, e))?;
    let lang = Language::from_path(path).unwrap_or(Language::Python);
    Ok(Sample {
        lang,
        code: Some(String::from_utf8_lossy(&bytes).into_owned()),
        label: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        gen_seconds: 0.0,
    })
}

/// The problems' own known-good solutions (Kattis `submissions/accepted`, P3 `sol_bodies`,
/// HumanEval `canonical_solution`, MBPP `code`), optionally only those in one language.
#[derive(Debug, Clone, Default)]
pub struct ReferenceSource {
    /// Keep only references in this language.
    pub lang: Option<Language>,
}

impl SampleSource for ReferenceSource {
    fn samples(&self, problem: &Problem, n: usize) -> Result<Vec<Sample>, EvalError> {
        let samples: Vec<Sample> = match &problem.task {
            Task::Stdio(task) => task
                .accepted
                .iter()
                .filter(|s| self.lang.is_none_or(|l| l == s.lang))
                .map(|s| Sample {
                    lang: s.lang,
                    code: Some(s.source.clone()),
                    label: s.name.clone(),
                    gen_seconds: 0.0,
                })
                .collect(),
            Task::Function(task) => task
                .reference
                .iter()
                .enumerate()
                .map(|(i, code)| Sample {
                    lang: Language::Python,
                    code: Some(code.clone()),
                    label: format!("reference {i}"),
                    gen_seconds: 0.0,
                })
                .collect(),
        };
        Ok(samples.into_iter().take(n).collect())
    }

    fn describe(&self) -> String {
        format!("references:{}", self.lang.map_or("all", |l| l.name()))
    }
}
