//! Near-duplicate detection: a normalised hash for exact repeats and a MinHash signature over
//! word 3-grams for near repeats (estimated Jaccard similarity).

use crate::seeds::mix;
use crucible_problems::python::BUILTINS;
use sha2::{Digest, Sha256};

/// Hashes in a MinHash signature.
pub const SIGNATURE_LEN: usize = 64;

/// A puzzle's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hex SHA-256 of the normalised text.
    pub hash: String,
    /// MinHash signature.
    pub minhash: Vec<u64>,
}

impl Fingerprint {
    /// The fingerprint of `text`.
    pub fn of(text: &str) -> Self {
        let words = normalise(text);
        let hash = hex::encode(Sha256::digest(words.join(" ").as_bytes()));
        Fingerprint {
            hash,
            minhash: minhash(&words),
        }
    }

    /// The fingerprint of Python code without its comments and docstrings and with its own
    /// names made canonical ([`canonical_names`]): a copy with a comment or a docstring added
    /// or its variables renamed is still a copy.
    pub fn of_code(code: &str) -> Self {
        Self::of(&canonical_names(&without_comments(&without_docstrings(
            code,
        ))))
    }

    /// Estimated Jaccard similarity of the two texts' word 3-grams (1.0 for equal hashes).
    pub fn similarity(&self, other: &Fingerprint) -> f64 {
        if self.hash == other.hash {
            return 1.0;
        }
        let len = self.minhash.len().min(other.minhash.len());
        if len == 0 {
            return 0.0;
        }
        let same = (0..len)
            .filter(|&i| self.minhash[i] == other.minhash[i])
            .count();
        same as f64 / len as f64
    }

    /// The signature as bytes (for the store).
    pub fn minhash_bytes(&self) -> Vec<u8> {
        self.minhash.iter().flat_map(|h| h.to_le_bytes()).collect()
    }

    /// A fingerprint read back from the store.
    pub fn from_parts(hash: String, bytes: &[u8]) -> Self {
        let minhash = bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect();
        Fingerprint { hash, minhash }
    }
}

/// Python code with each comment (from a `#` outside a string to the end of its line) removed.
fn without_comments(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut quote: Option<char> = None;
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                out.push(c);
                out.extend(chars.next());
                continue;
            }
            (Some(q), _) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') => {
                // Skip to the end of the line, keeping the line break.
                if chars.by_ref().any(|c| c == '\n') {
                    out.push('\n');
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Python code with each docstring (a string in triple quotes that opens the body of a `def`
/// or `class`) replaced by empty lines.
fn without_docstrings(code: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut after_def = false;
    let mut closing: Option<&str> = None;
    for line in code.lines() {
        let text = line.trim();
        if let Some(quote) = closing {
            if text.contains(quote) {
                closing = None;
            }
            out.push("");
            continue;
        }
        if after_def && !text.is_empty() {
            after_def = false;
            let opening = text.trim_start_matches(['r', 'R', 'u', 'U']);
            if let Some(quote) = ["\"\"\"", "'''"]
                .into_iter()
                .find(|q| opening.starts_with(q))
            {
                if !opening[3..].contains(quote) {
                    closing = Some(quote);
                }
                out.push("");
                continue;
            }
        }
        if (text.starts_with("def ") || text.starts_with("class ")) && text.ends_with(':') {
            after_def = true;
        }
        out.push(line);
    }
    let mut joined = out.join("\n");
    if code.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

/// Bumped whenever [`Fingerprint::of_code`] or [`Fingerprint::of`] changes, so that a store
/// recomputes the fingerprints it holds (version 2: canonical names; 3: without docstrings).
pub const FINGERPRINT_VERSION: u32 = 3;

/// Names code uses without defining them besides Python's builtins
/// ([`crucible_problems::python::BUILTINS`]): the keywords, `typing`'s names, the modules
/// puzzles import, `sat` and `sol`, and C++'s common words.
const KNOWN_NAMES: &[&str] = &[
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "List",
    "Tuple",
    "Dict",
    "Set",
    "Optional",
    "Any",
    "Callable",
    "math",
    "itertools",
    "collections",
    "functools",
    "heapq",
    "string",
    "re",
    "sat",
    "sol",
    "self",
    "main",
    "std",
    "cin",
    "cout",
    "include",
    "using",
    "namespace",
    "long",
    "double",
    "char",
    "void",
    "auto",
    "vector",
    "const",
];

/// Code with each name it defines itself — an identifier that is neither a known name
/// ([`KNOWN_NAMES`]) nor an attribute (after a `.`) — replaced by `v0`, `v1`, … in the order
/// of first appearance.
fn canonical_names(code: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    let mut after_dot = false;
    while let Some(c) = rest.chars().next() {
        if c.is_alphabetic() || c == '_' {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            if after_dot || KNOWN_NAMES.contains(&word) || BUILTINS.contains(&word) {
                out.push_str(word);
            } else {
                let index = match names.iter().position(|n| *n == word) {
                    Some(i) => i,
                    None => {
                        names.push(word);
                        names.len() - 1
                    }
                };
                out.push_str(&format!("v{index}"));
            }
            rest = &rest[end..];
            after_dot = false;
            continue;
        }
        if c.is_numeric() {
            // A number (its letters too: `1e5`, `0x1f`) stays as it is.
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            after_dot = false;
            continue;
        }
        if !c.is_whitespace() {
            after_dot = c == '.';
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Lower-cased words; every number becomes `#` so puzzles differing only in constants match.
fn normalise(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.chars().all(|c| c.is_ascii_digit()) {
                "#".to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect()
}

fn minhash(words: &[String]) -> Vec<u64> {
    let shingles: Vec<u64> = if words.len() < 3 {
        vec![fnv(&words.join(" "))]
    } else {
        words.windows(3).map(|w| fnv(&w.join(" "))).collect()
    };
    (0..SIGNATURE_LEN as u64)
        .map(|i| {
            shingles
                .iter()
                .map(|&s| mix(s ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
                .min()
                .unwrap_or(u64::MAX)
        })
        .collect()
}

/// FNV-1a: stable across platforms and versions (signatures are stored).
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "Given a list of n integers, print the sum of the even numbers in the list. \
        The first line holds n, the second line holds the numbers separated by spaces.";

    #[test]
    fn constants_and_case_do_not_matter() {
        let b = A
            .replace("n integers", "N integers")
            .replace("first", "FIRST");
        assert_eq!(Fingerprint::of(A).similarity(&Fingerprint::of(&b)), 1.0);
        let c = "Given 5 apples and 7 pears";
        let d = "given 12 apples and 300 pears";
        assert_eq!(Fingerprint::of(c).hash, Fingerprint::of(d).hash);
    }

    #[test]
    fn comments_are_not_part_of_code() {
        let code = "def sat(s: str):\n    # count them\n    return s.count('#') == 3  # three\n";
        assert_eq!(
            without_comments(code),
            "def sat(s: str):\n    \n    return s.count('#') == 3  \n"
        );
        assert_eq!(
            without_comments("x = \"a\\\"#b\"  # c"),
            "x = \"a\\\"#b\"  "
        );
        let plain = "def sat(s: str):\n    return s.count('#') == 3\n";
        assert_eq!(
            Fingerprint::of_code(code).hash,
            Fingerprint::of_code(plain).hash
        );
    }

    #[test]
    fn docstrings_are_not_part_of_code() {
        let plain = "def sat(s: str, n=3):\n    return s.count('#') == n\n";
        let documented = "def sat(s: str, n=3):\n    \"\"\"\n    Counts the hashes.\n    \"\"\"\n    return s.count('#') == n\n";
        let one_line =
            "def sat(s: str, n=3):\n    r'''Counts the hashes.'''\n    return s.count('#') == n\n";
        assert_eq!(
            without_docstrings(documented),
            "def sat(s: str, n=3):\n\n\n\n    return s.count('#') == n\n"
        );
        for code in [documented, one_line] {
            assert_eq!(
                Fingerprint::of_code(code).hash,
                Fingerprint::of_code(plain).hash
            );
        }
        // A string that is the body's value, not its first statement, stays.
        let returned = "def sol():\n    x = 1\n    return \"\"\"abc\"\"\"\n";
        assert_eq!(without_docstrings(returned), returned);
    }

    proptest::proptest! {
        #[test]
        fn docstring_removal_never_panics(code in proptest::prelude::any::<String>()) {
            let out = without_docstrings(&code);
            proptest::prop_assert!(out.len() <= code.len() + 1);
        }

        #[test]
        fn comment_removal_never_panics_and_keeps_the_lines(code in proptest::prelude::any::<String>()) {
            let out = without_comments(&code);
            proptest::prop_assert!(out.len() <= code.len());
            proptest::prop_assert_eq!(out.matches('\n').count(), code.matches('\n').count());
        }
    }

    #[test]
    fn renamed_variables_are_the_same_code() {
        let a = "def sat(x: List[int], k=3):\n    return len(x) == k and all(x[i] == i for i in range(k))\n";
        let b = "def sat(t: List[int], n=10):\n    return len(t) == n and all(t[j] == j for j in range(n))\n";
        assert_eq!(Fingerprint::of_code(a).hash, Fingerprint::of_code(b).hash);
        assert_eq!(
            canonical_names("def sat(s: str, n=5):\n    return s.count(n) == n"),
            "def sat(v0: str, v1=5):\n    return v0.count(v1) == v1"
        );
        let other = "def sat(s: str, n=5):\n    return s.isdigit() and sum(int(c) for c in s) == n";
        assert!(Fingerprint::of_code(a).similarity(&Fingerprint::of_code(other)) < 0.3);
    }

    proptest::proptest! {
        #[test]
        fn canonical_names_never_panic(code in proptest::prelude::any::<String>()) {
            let _ = Fingerprint::of_code(&canonical_names(&code));
        }
    }

    #[test]
    fn small_edits_are_near_and_other_texts_are_far() {
        let edited = A.replace("even", "odd");
        let near = Fingerprint::of(A).similarity(&Fingerprint::of(&edited));
        assert!(near > 0.5 && near < 1.0, "{near}");
        let other =
            "Read a string and report whether it is a palindrome, ignoring case and spaces.";
        let far = Fingerprint::of(A).similarity(&Fingerprint::of(other));
        assert!(far < 0.2, "{far}");
    }

    #[test]
    fn stored_signatures_read_back() {
        let f = Fingerprint::of(A);
        let back = Fingerprint::from_parts(f.hash.clone(), &f.minhash_bytes());
        assert_eq!(back, f);
    }
}
