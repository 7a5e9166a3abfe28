//! The on-disk layout of a package: the statement, the tests (in natural order), the
//! accepted submissions, the checker source, and the file helpers the reader shares.

use super::{STATEMENT_DIRS, VALIDATOR_DIRS};
use crate::{LoadError, Solution, Test, TestGroup};
use bytes::Bytes;
use crucible_sandbox::Language;
use std::cmp::Ordering;
use std::fs;
use std::path::{Path, PathBuf};

/// How deep test groups and validator folders may nest (guards against symlink loops).
const MAX_DEPTH: usize = 32;

/// Statement files in order of preference.
const STATEMENT_FILES: [&str; 6] = [
    "problem.md",
    "problem.en.md",
    "problem.en.tex",
    "problem.tex",
    "problem.html",
    "problem.en.html",
];

/// Statement files a bare package may have (any name), in order of preference.
const LOOSE_STATEMENT_EXTENSIONS: [&str; 5] = ["md", "tex", "txt", "html", "pdf"];

// ---------------------------------------------------------------------------------------------
// Statement, tests, solutions, checker
// ---------------------------------------------------------------------------------------------

/// The statement file: the preferred names first, then any `problem.<lang>.{md,tex,html}`.
pub(super) fn find_statement(dir: &Path) -> Result<PathBuf, LoadError> {
    for sub in STATEMENT_DIRS {
        for file in STATEMENT_FILES {
            let path = dir.join(sub).join(file);
            if path.is_file() {
                return Ok(path);
            }
        }
    }
    for ext in ["md", "tex", "html"] {
        for sub in STATEMENT_DIRS {
            let folder = dir.join(sub);
            if !folder.is_dir() {
                continue;
            }
            for (name, path) in list_dir(&folder)? {
                if name.starts_with("problem.")
                    && name.ends_with(&format!(".{ext}"))
                    && path.is_file()
                {
                    return Ok(path);
                }
            }
        }
    }
    Err(LoadError::new(
        dir.join(STATEMENT_DIRS[0]),
        "no statement: expected problem_statement/problem.md (or problem.en.md, \
         problem.en.tex, problem.tex, problem.html, problem.en.html; statement/ in the 2023 \
         draft)",
    ))
}

/// A bare package's statement: the first file, by preference of extension then name, in the
/// folder itself or its statement folder whose extension is one of
/// [`LOOSE_STATEMENT_EXTENSIONS`].
pub(super) fn find_loose_statement(dir: &Path) -> Result<Option<PathBuf>, LoadError> {
    let mut candidates = Vec::new();
    for folder in std::iter::once(dir.to_path_buf()).chain(STATEMENT_DIRS.map(|s| dir.join(s))) {
        if !folder.is_dir() {
            continue;
        }
        for (_, path) in list_dir(&folder)? {
            let rank = path.extension().and_then(|e| e.to_str()).and_then(|e| {
                LOOSE_STATEMENT_EXTENSIONS
                    .iter()
                    .position(|x| e.eq_ignore_ascii_case(x))
            });
            if let (Some(rank), true) = (rank, path.is_file()) {
                candidates.push((rank, path));
            }
        }
    }
    candidates.sort();
    Ok(candidates.into_iter().next().map(|(_, path)| path))
}

/// A title from the statement: LaTeX `\problemname{...}` or a Markdown `# ` heading.
pub(super) fn title_from_statement(path: &Path, text: &str) -> Option<String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let title = match ext {
        "tex" => {
            let start = text.find("\\problemname{")? + "\\problemname{".len();
            let mut depth = 1usize;
            let mut end = None;
            for (i, c) in text[start..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(start + i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            text[start..end?].trim().to_string()
        }
        "md" => text
            .lines()
            .find_map(|line| line.strip_prefix("# "))?
            .trim()
            .to_string(),
        _ => return None,
    };
    (!title.is_empty()).then_some(title)
}

/// Tests under `data/sample` and `data/secret` (nested groups), samples first, each group in
/// natural order.
pub(super) fn read_tests(dir: &Path) -> Result<Vec<Test>, LoadError> {
    let data = dir.join("data");
    let mut found: Vec<(TestGroup, String, PathBuf)> = Vec::new();
    for (group, sub) in [(TestGroup::Sample, "sample"), (TestGroup::Secret, "secret")] {
        let root = data.join(sub);
        if !root.is_dir() {
            continue;
        }
        let mut inputs = Vec::new();
        collect_files(&root, 0, &mut inputs, &|name| name.ends_with(".in"))?;
        for input in inputs {
            let rel = input.strip_prefix(&data).unwrap_or(&input);
            let mut parts = Vec::new();
            for part in rel.iter() {
                parts.push(
                    part.to_str()
                        .ok_or_else(|| LoadError::new(&input, "file name is not valid UTF-8"))?,
                );
            }
            let joined = parts.join("/");
            let name = joined.strip_suffix(".in").unwrap_or(&joined).to_string();
            found.push((group, name, input));
        }
    }
    if found.is_empty() {
        return Err(LoadError::new(
            &data,
            "no tests: expected data/sample/*.in or data/secret/*.in with matching .ans files",
        ));
    }
    found.sort_by(|a, b| test_order(a.0, &a.1, b.0, &b.1));
    let mut tests = Vec::with_capacity(found.len());
    for (group, name, input_path) in found {
        let answer_path = input_path.with_extension("ans");
        if !answer_path.is_file() {
            let file = answer_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Err(LoadError::new(
                &input_path,
                format!("missing answer file `{file}` for this input"),
            ));
        }
        let input = read_bytes(&input_path)?;
        let answer = read_bytes(&answer_path)?;
        tests.push(Test {
            name,
            group,
            input: Bytes::from(input),
            answer: Bytes::from(answer),
        });
    }
    Ok(tests)
}

/// Judging order of tests: samples first, then natural order of the name's components.
pub(super) fn test_order(ga: TestGroup, a: &str, gb: TestGroup, b: &str) -> Ordering {
    let rank = |g: TestGroup| match g {
        TestGroup::Sample => 0,
        TestGroup::Secret => 1,
    };
    rank(ga).cmp(&rank(gb)).then_with(|| components_cmp(a, b))
}

/// Natural order of `/`-separated names, component by component; ties broken bytewise.
fn components_cmp(a: &str, b: &str) -> Ordering {
    let mut xs = a.split('/');
    let mut ys = b.split('/');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match natural_cmp(x, y) {
                Ordering::Equal => continue,
                other => return other,
            },
        }
    }
}

/// Natural order of paths (by their `/`-joined UTF-8 text).
pub(super) fn path_cmp(a: &Path, b: &Path) -> Ordering {
    components_cmp(&a.to_string_lossy(), &b.to_string_lossy())
}

/// Natural string order: runs of digits compare as numbers (`2` < `10`), other runs as text,
/// a number before text. Equal-valued numbers (`01`, `1`) compare equal here.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (xs, ys) = (chunks(a), chunks(b));
    for (x, y) in xs.iter().zip(&ys) {
        let order = match (x, y) {
            (Chunk::Num(x), Chunk::Num(y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            (Chunk::Text(x), Chunk::Text(y)) => x.cmp(y),
            (Chunk::Num(_), Chunk::Text(_)) => Ordering::Less,
            (Chunk::Text(_), Chunk::Num(_)) => Ordering::Greater,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    xs.len().cmp(&ys.len())
}

/// A run of ASCII digits or of other characters.
#[derive(Debug)]
enum Chunk<'a> {
    Num(&'a str),
    Text(&'a str),
}

fn chunks(s: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut digits = None;
    for (i, c) in s.char_indices() {
        let d = c.is_ascii_digit();
        match digits {
            Some(prev) if prev != d => {
                out.push(chunk(&s[start..i], prev));
                start = i;
            }
            _ => {}
        }
        digits = Some(d);
    }
    if let Some(d) = digits {
        out.push(chunk(&s[start..], d));
    }
    out
}

fn chunk(s: &str, digits: bool) -> Chunk<'_> {
    if digits {
        Chunk::Num(s)
    } else {
        Chunk::Text(s)
    }
}

/// Accepted solutions: files in `submissions/accepted/` with a known source extension, in
/// natural order of their names. Binary `.wasm` files (not text) are skipped.
pub(super) fn read_accepted(dir: &Path) -> Result<Vec<Solution>, LoadError> {
    let folder = dir.join("submissions").join("accepted");
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let mut solutions = Vec::new();
    for (name, path) in list_dir(&folder)? {
        if name.starts_with('.') || !path.is_file() {
            continue;
        }
        let Some(lang) = Language::from_path(&path) else {
            continue;
        };
        let bytes = read_bytes(&path)?;
        match String::from_utf8(bytes) {
            Ok(source) => solutions.push(Solution { lang, source, name }),
            Err(_) => tracing::warn!("{}: not UTF-8 text, skipped", path.display()),
        }
    }
    solutions.sort_by(|a, b| natural_cmp(&a.name, &b.name).then_with(|| a.name.cmp(&b.name)));
    Ok(solutions)
}

/// The single checker source (C, C++ or Python) under `output_validators/` or
/// `output_validator/`, if there is one. Several sources are an error.
pub(super) fn find_checker_source(dir: &Path) -> Result<Option<Solution>, LoadError> {
    let mut sources = Vec::new();
    for sub in VALIDATOR_DIRS {
        let folder = dir.join(sub);
        if folder.is_dir() {
            collect_files(&folder, 0, &mut sources, &|name| {
                matches!(
                    Language::from_path(Path::new(name)),
                    Some(Language::C | Language::Cpp | Language::Python)
                )
            })?;
        }
    }
    match sources.len() {
        0 => Ok(None),
        1 => {
            let path = &sources[0];
            let lang = Language::from_path(path)
                .ok_or_else(|| LoadError::new(path, "unknown checker language"))?;
            let source = read_utf8(path)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Some(Solution { lang, source, name }))
        }
        _ => {
            sources.sort();
            let listed: Vec<String> = sources
                .iter()
                .map(|p| p.strip_prefix(dir).unwrap_or(p).display().to_string())
                .collect();
            Err(LoadError::new(
                dir.join(VALIDATOR_DIRS[0]),
                format!(
                    "expected one checker source, found {}: {}",
                    sources.len(),
                    listed.join(", ")
                ),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// File helpers
// ---------------------------------------------------------------------------------------------

/// Entries of a directory as `(name, path)`, sorted by name; names that are not UTF-8 are
/// skipped.
pub(super) fn list_dir(dir: &Path) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let read = fs::read_dir(dir)
        .map_err(|e| LoadError::new(dir, format!("cannot read directory: {e}")))?;
    let mut entries = Vec::new();
    for entry in read {
        let entry =
            entry.map_err(|e| LoadError::new(dir, format!("cannot read directory: {e}")))?;
        match entry.file_name().into_string() {
            Ok(name) => entries.push((name, entry.path())),
            Err(name) => {
                tracing::warn!("{}: skipping {:?} (name is not UTF-8)", dir.display(), name)
            }
        }
    }
    entries.sort();
    Ok(entries)
}

/// Files below `dir` (following folders, skipping hidden ones) whose name passes `keep`.
pub(super) fn collect_files(
    dir: &Path,
    depth: usize,
    out: &mut Vec<PathBuf>,
    keep: &dyn Fn(&str) -> bool,
) -> Result<(), LoadError> {
    if depth > MAX_DEPTH {
        return Err(LoadError::new(
            dir,
            format!("folders nested more than {MAX_DEPTH} deep (a symlink loop?)"),
        ));
    }
    for (name, path) in list_dir(dir)? {
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, depth + 1, out, keep)?;
        } else if path.is_file() && keep(&name) {
            out.push(path);
        }
    }
    Ok(())
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, LoadError> {
    fs::read(path).map_err(|e| LoadError::new(path, format!("cannot read: {e}")))
}

pub(super) fn read_utf8(path: &Path) -> Result<String, LoadError> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|e| LoadError::new(path, format!("not valid UTF-8: {e}")))
}

/// Text that should be UTF-8; invalid bytes (old Latin-1 statements) are replaced.
pub(super) fn read_text_lossy(path: &Path) -> Result<String, LoadError> {
    let bytes = read_bytes(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            tracing::warn!(
                "{}: not valid UTF-8, invalid bytes replaced",
                path.display()
            );
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut names = vec!["10", "2", "1", "a", "01", "b2", "b10", "b1x"];
        names.sort_by(|a, b| natural_cmp(a, b).then_with(|| a.cmp(b)));
        assert_eq!(names, ["01", "1", "2", "10", "a", "b1x", "b2", "b10"]);
        assert_eq!(
            components_cmp("secret/subtask2/1", "secret/subtask10/0"),
            Ordering::Less
        );
        assert_eq!(components_cmp("secret/a/1", "secret/a-b/1"), Ordering::Less);
        assert_eq!(components_cmp("secret/9", "secret/g/1"), Ordering::Less);
        assert_eq!(
            test_order(TestGroup::Secret, "secret/1", TestGroup::Sample, "sample/9"),
            Ordering::Greater
        );
        assert_eq!(natural_cmp("", ""), Ordering::Equal);
        assert_eq!(natural_cmp("x", ""), Ordering::Greater);
        // Huge numbers do not overflow.
        assert_eq!(
            natural_cmp("99999999999999999999999", "100000000000000000000000"),
            Ordering::Less
        );
    }
}
