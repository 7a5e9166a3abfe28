//! The languages a submission can be written in.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// The source language of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// C17, compiled by clang to wasm32-wasi.
    C,
    /// C++20, compiled by clang to wasm32-wasi against libc++.
    Cpp,
    /// Python 3.12, run by CPython compiled to WASI.
    Python,
    /// A WebAssembly module, binary (`.wasm`) or text (`.wat`).
    Wasm,
}

impl Language {
    /// All languages, in a stable order.
    pub const ALL: [Language; 4] = [Language::C, Language::Cpp, Language::Python, Language::Wasm];

    /// Guesses the language from a file name's extension.
    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "c" => Some(Language::C),
            "cc" | "cpp" | "cxx" | "c++" => Some(Language::Cpp),
            "py" => Some(Language::Python),
            "wasm" | "wat" => Some(Language::Wasm),
            _ => None,
        }
    }

    /// Parses a language name as users type it (`cpp`, `c++`, `python`, `py`, ...).
    pub fn parse(name: &str) -> Option<Language> {
        match name.trim().to_ascii_lowercase().as_str() {
            "c" => Some(Language::C),
            "cpp" | "c++" | "cxx" | "cc" => Some(Language::Cpp),
            "python" | "py" | "python3" => Some(Language::Python),
            "wasm" | "wat" => Some(Language::Wasm),
            _ => None,
        }
    }

    /// The short name used in files, caches and reports.
    pub fn name(self) -> &'static str {
        match self {
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::Python => "python",
            Language::Wasm => "wasm",
        }
    }

    /// The usual file extension for sources of this language.
    pub fn extension(self) -> &'static str {
        match self {
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::Python => "py",
            Language::Wasm => "wasm",
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::parse(s)
            .ok_or_else(|| format!("unknown language `{s}` (expected c, cpp, python or wasm)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for lang in Language::ALL {
            assert_eq!(Language::parse(lang.name()), Some(lang));
        }
    }

    #[test]
    fn extensions_detected() {
        assert_eq!(
            Language::from_path(Path::new("a/b.CPP")),
            Some(Language::Cpp)
        );
        assert_eq!(
            Language::from_path(Path::new("x.wat")),
            Some(Language::Wasm)
        );
        assert_eq!(Language::from_path(Path::new("x.txt")), None);
        assert_eq!(Language::from_path(Path::new("noext")), None);
    }
}
