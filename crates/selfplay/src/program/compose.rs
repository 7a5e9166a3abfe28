//! Compositions: a mutation that keeps its seed program as a helper `g` and writes a new `f`
//! that calls it and adds a step — a variant that cannot be the seed handed back (a small
//! model asked to vary a program returns it unchanged in about 4 replies of 10).

use super::draft::ENTRY;
use super::reply::rename;

/// The name the seed program takes in a composition.
pub const HELPER: &str = "g";

/// The seed program renamed to the helper `g`; `None` when the program already uses the name
/// `g` (it stays a plain variant then).
pub fn as_helper(seed: &str) -> Option<String> {
    let words = seed.split(|c: char| !(c.is_alphanumeric() || c == '_'));
    if words.into_iter().any(|w| w == HELPER) {
        return None;
    }
    Some(rename(seed, ENTRY, HELPER))
}

/// Whether `parent` is a composition's helper: it defines `g`.
pub fn is_helper(parent: &str) -> bool {
    parent.lines().any(|l| defined_name(l) == Some(HELPER))
}

/// `code` with the helper's definition first, when `code` does not define `g` itself (the
/// model is asked not to repeat it).
pub fn with_helper(code: &str, helper: &str) -> String {
    if is_helper(code) {
        code.to_string()
    } else {
        format!("{}\n\n{}", helper.trim_end(), code)
    }
}

/// Whether `code`'s `f` does nothing but return `g` called with plain names (its own
/// parameters): the seed program again under a new name.
pub fn only_calls_helper(code: &str) -> bool {
    let mut lines = code.lines().skip_while(|l| defined_name(l) != Some(ENTRY));
    if lines.next().is_none() {
        return false;
    }
    let body: Vec<&str> = lines
        .take_while(|l| l.trim().is_empty() || l.starts_with([' ', '\t']))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let [line] = body.as_slice() else {
        return false;
    };
    line.strip_prefix("return")
        .map(str::trim)
        .and_then(|call| call.strip_prefix(HELPER))
        .map(str::trim_start)
        .and_then(|call| call.strip_prefix('('))
        .and_then(|call| call.strip_suffix(')'))
        .is_some_and(|args| {
            args.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | ',' | ' ' | '*' | '='))
        })
}

/// The name a top-level `def` line defines.
fn defined_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("def ")?.trim_start();
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    rest[end..]
        .trim_start()
        .starts_with('(')
        .then(|| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_becomes_the_helper_and_is_added_when_left_out() {
        let seed = "def f(a):\n    return 4 * a\n";
        let helper = as_helper(seed).expect("no g in it");
        assert_eq!(helper, "def g(a):\n    return 4 * a\n");
        assert!(is_helper(&helper) && !is_helper(seed));
        // A seed that already uses the name `g` stays a plain variant.
        assert_eq!(as_helper("def f(g):\n    return g + 1\n"), None);
        let code = "def f(a, k):\n    return g(a) * k\n";
        assert_eq!(
            with_helper(code, &helper),
            "def g(a):\n    return 4 * a\n\ndef f(a, k):\n    return g(a) * k\n"
        );
        let repeated = format!("{helper}\n{code}");
        assert_eq!(with_helper(&repeated, &helper), repeated);
    }

    #[test]
    fn a_bare_call_of_the_helper_is_the_seed_again() {
        let wrap = |body: &str| format!("def g(a):\n    return a\n\ndef f(a, b=1):\n{body}");
        assert!(only_calls_helper(&wrap("    return g(a)\n")));
        assert!(only_calls_helper(&wrap(
            "    # same\n    return g(a, b=b)\n\n"
        )));
        assert!(!only_calls_helper(&wrap("    return g(a) * b\n")));
        assert!(!only_calls_helper(&wrap("    x = g(a)\n    return x\n")));
        assert!(!only_calls_helper(&wrap("    return sorted(g(a))\n")));
        assert!(!only_calls_helper("def g(a):\n    return a\n"));
    }
}
