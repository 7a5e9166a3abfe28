//! Output checkers: exact, token-wise (optionally case-insensitive), float tolerance, and
//! custom checker programs (run in the sandbox by the judge; see [`crate::judge`]).

use serde::{Deserialize, Serialize};

/// How a program's output is compared with the expected answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Checker {
    /// Byte-for-byte equality.
    Exact,
    /// Whitespace-separated tokens must be equal; any amount or kind of whitespace between
    /// them is fine. Case-insensitive (ASCII) unless `case_sensitive`. The Kattis default.
    Tokens {
        /// Compare letters exactly.
        case_sensitive: bool,
    },
    /// Like `Tokens`, but where the expected token is a number the output token must be a
    /// number within `abs` absolute or `rel` relative error (either suffices, as in Kattis
    /// `float_tolerance` and CodeContests).
    Float {
        /// Largest accepted absolute error.
        abs: f64,
        /// Largest accepted error relative to the expected value.
        rel: f64,
        /// Compare non-numeric tokens' letters exactly.
        case_sensitive: bool,
    },
    /// A checker program (compiled to wasm and sandboxed) decides; Kattis output-validator
    /// conventions. The judge runs it; `check` on this variant is an error.
    Custom,
}

impl Default for Checker {
    fn default() -> Self {
        Checker::Tokens {
            case_sensitive: false,
        }
    }
}

/// A checker's decision with a short explanation for rejections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// Whether the output is accepted.
    pub accepted: bool,
    /// Why not (empty when accepted).
    pub message: String,
}

impl CheckOutcome {
    fn accept() -> Self {
        CheckOutcome {
            accepted: true,
            message: String::new(),
        }
    }

    fn reject(message: impl Into<String>) -> Self {
        CheckOutcome {
            accepted: false,
            message: message.into(),
        }
    }
}

impl Checker {
    /// A float checker with the same absolute and relative tolerance (Kattis `float_tolerance`).
    pub fn float(tolerance: f64) -> Self {
        Checker::Float {
            abs: tolerance,
            rel: tolerance,
            case_sensitive: false,
        }
    }

    /// Compares `output` with `expected` (`input` is unused by built-in checkers).
    pub fn check(&self, _input: &[u8], expected: &[u8], output: &[u8]) -> CheckOutcome {
        match self {
            Checker::Exact => check_exact(expected, output),
            Checker::Tokens { case_sensitive } => {
                compare_tokens(expected, output, |e, o| same_token(e, o, *case_sensitive))
            }
            Checker::Float {
                abs,
                rel,
                case_sensitive,
            } => compare_tokens(expected, output, |e, o| {
                float_token_matches(e, o, *abs, *rel, *case_sensitive)
            }),
            Checker::Custom => {
                CheckOutcome::reject("custom checker must be run by the judge with its program")
            }
        }
    }
}

fn check_exact(expected: &[u8], output: &[u8]) -> CheckOutcome {
    if expected == output {
        return CheckOutcome::accept();
    }
    let at = expected
        .iter()
        .zip(output)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(output.len()));
    CheckOutcome::reject(format!(
        "output differs at byte {at} (expected {} bytes, got {})",
        expected.len(),
        output.len()
    ))
}

/// Splits on ASCII whitespace, dropping empty pieces.
fn tokens(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
}

fn compare_tokens(
    expected: &[u8],
    output: &[u8],
    same: impl Fn(&[u8], &[u8]) -> bool,
) -> CheckOutcome {
    let mut exp = tokens(expected);
    let mut out = tokens(output);
    let mut index = 0usize;
    loop {
        index += 1;
        match (exp.next(), out.next()) {
            (None, None) => return CheckOutcome::accept(),
            (Some(e), Some(o)) if same(e, o) => continue,
            (Some(e), Some(o)) => {
                return CheckOutcome::reject(format!(
                    "token {index}: expected `{}`, got `{}`",
                    preview(e),
                    preview(o)
                ));
            }
            (Some(e), None) => {
                return CheckOutcome::reject(format!(
                    "output ended early: token {index} should be `{}`",
                    preview(e)
                ));
            }
            (None, Some(o)) => {
                return CheckOutcome::reject(format!(
                    "extra output from token {index}: `{}`",
                    preview(o)
                ));
            }
        }
    }
}

fn same_token(e: &[u8], o: &[u8], case_sensitive: bool) -> bool {
    if case_sensitive {
        e == o
    } else {
        e.eq_ignore_ascii_case(o)
    }
}

/// Parses a token as a finite or infinite real number (not NaN).
fn parse_number(token: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(token).ok()?;
    let first = *text.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| !v.is_nan())
}

fn float_token_matches(e: &[u8], o: &[u8], abs: f64, rel: f64, case_sensitive: bool) -> bool {
    match parse_number(e) {
        None => same_token(e, o, case_sensitive),
        Some(expected) => match parse_number(o) {
            None => false,
            Some(got) => within_tolerance(expected, got, abs, rel),
        },
    }
}

/// Whether `got` is within `abs` absolute or `rel` relative error of `expected`.
pub(crate) fn within_tolerance(expected: f64, got: f64, abs: f64, rel: f64) -> bool {
    if expected == got {
        return true;
    }
    let diff = (expected - got).abs();
    diff <= abs || diff <= rel * expected.abs()
}

/// A short, printable excerpt of a token.
fn preview(token: &[u8]) -> String {
    let text = String::from_utf8_lossy(token);
    crate::truncate(&text, 40)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tok() -> Checker {
        Checker::default()
    }

    #[test]
    fn token_checker_basics() {
        assert!(tok().check(b"", b"1 2\n3", b"1\n2   3\n\n").accepted);
        assert!(tok().check(b"", b"YES", b"yes").accepted);
        let strict = Checker::Tokens {
            case_sensitive: true,
        };
        assert!(!strict.check(b"", b"YES", b"yes").accepted);
        assert!(!tok().check(b"", b"1 2", b"1").accepted);
        assert!(!tok().check(b"", b"1", b"1 2").accepted);
        assert!(!tok().check(b"", b"12", b"1 2").accepted);
    }

    #[test]
    fn exact_checker_is_exact() {
        assert!(Checker::Exact.check(b"", b"a\n", b"a\n").accepted);
        assert!(!Checker::Exact.check(b"", b"a\n", b"a").accepted);
    }

    #[test]
    fn float_checker_basics() {
        let f = Checker::float(1e-6);
        assert!(f.check(b"", b"0.5 abc", b"0.5000001 ABC").accepted);
        assert!(!f.check(b"", b"0.5", b"0.501").accepted);
        assert!(
            f.check(b"", b"1000000", b"1000000.5").accepted,
            "relative error 5e-7"
        );
        assert!(!f.check(b"", b"1.0", b"nan").accepted);
        assert!(!f.check(b"", b"1.0", b"x").accepted);
    }

    #[test]
    fn non_utf8_output_is_compared_not_crashed() {
        assert!(!tok().check(b"", b"abc", &[0xff, 0xfe]).accepted);
        assert!(tok().check(b"", &[0xff], &[0xff]).accepted);
    }

    fn token_strategy() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[a-zA-Z0-9.+-]{1,8}", 0..20)
    }

    fn whitespace() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(vec![' ', '\n', '\t', '\r']), 1..4)
            .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn token_checker_is_whitespace_invariant(
            toks in token_strategy(),
            seps in prop::collection::vec(whitespace(), 21),
            lead in "[ \n\t]{0,3}",
            trail in "[ \n\t]{0,3}",
        ) {
            let canonical = toks.join(" ");
            let mut spaced = lead.clone();
            for (i, t) in toks.iter().enumerate() {
                if i > 0 { spaced.push_str(&seps[i]); }
                spaced.push_str(t);
            }
            spaced.push_str(&trail);
            let strict = Checker::Tokens { case_sensitive: true };
            prop_assert!(strict.check(b"", canonical.as_bytes(), spaced.as_bytes()).accepted);
        }

        #[test]
        fn token_checker_detects_any_changed_token(
            toks in prop::collection::vec("[a-z0-9]{1,6}", 1..10),
            which in any::<prop::sample::Index>(),
            replacement in "[a-z0-9]{1,6}",
        ) {
            let i = which.index(toks.len());
            prop_assume!(toks[i] != replacement);
            let mut changed = toks.clone();
            changed[i] = replacement;
            let strict = Checker::Tokens { case_sensitive: true };
            prop_assert!(!strict.check(b"", toks.join(" ").as_bytes(), changed.join(" ").as_bytes()).accepted);
        }

        #[test]
        fn case_insensitive_tokens_ignore_ascii_case(s in "[a-zA-Z ]{0,40}") {
            prop_assert!(tok().check(b"", s.as_bytes(), s.to_ascii_uppercase().as_bytes()).accepted);
        }

        #[test]
        fn float_checker_honours_the_tolerance_boundary(
            expected in -1.0e6f64..1.0e6,
            tol_exp in 1i32..9,
            frac in 0.0f64..1.0,
        ) {
            let tol = 10f64.powi(-tol_exp);
            let bound = tol.max(tol * expected.abs());
            // Inside: a difference of frac * bound (printed exactly with {:e} round-trip).
            let inside = expected + frac * bound * 0.999;
            let f = Checker::Float { abs: tol, rel: tol, case_sensitive: false };
            let (e_text, in_text) = (format!("{expected:e}"), format!("{inside:e}"));
            prop_assert!(f.check(b"", e_text.as_bytes(), in_text.as_bytes()).accepted);
            // Outside: clearly past the larger of the two bounds.
            let outside = expected + bound * 1.01 + f64::EPSILON * expected.abs() * 4.0;
            let out_text = format!("{outside:e}");
            prop_assert!(!f.check(b"", e_text.as_bytes(), out_text.as_bytes()).accepted);
        }

        #[test]
        fn within_tolerance_is_symmetric_in_sign(a in -1e9f64..1e9, d in 0.0f64..10.0, tol in 0.0f64..1.0) {
            let got = a + d;
            prop_assert_eq!(within_tolerance(a, got, tol, 0.0), within_tolerance(-a, -got, tol, 0.0));
            prop_assert_eq!(within_tolerance(a, got, tol, 0.0), (got - a).abs() <= tol);
        }
    }
}
