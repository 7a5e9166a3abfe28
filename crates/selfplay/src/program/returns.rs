//! What a program's `return` statements can give, read from the source: enough to tell a
//! seed program that only ever answers yes or no (or one of a few fixed strings) — a parent
//! whose variants the distinct-results gate would reject.

/// Whether every `return` of `code` gives one of a few values: `True`/`False`/`None`, a
/// string literal, a comparison or boolean expression, `bool(…)`/`all(…)`/`any(…)`, or a
/// conditional expression whose branches all do; a returned name (`return (res)`) gives what
/// its assignments give. `false` for code without a `return`.
pub fn few_valued(code: &str) -> bool {
    let returns: Vec<&str> = code
        .lines()
        .filter_map(|l| l.trim().strip_prefix("return"))
        .filter(|rest| rest.is_empty() || rest.starts_with([' ', '(']))
        .map(without_semicolon)
        .collect();
    !returns.is_empty() && returns.iter().all(|e| few_valued_return(code, e))
}

/// Whether a returned expression gives one of a few values: a plain name by every value
/// assigned to it in `code` (none found: not few-valued), anything else by itself.
fn few_valued_return(code: &str, expr: &str) -> bool {
    let e = unwrap_parens(expr.trim());
    if !is_name(e) {
        return few_valued_expr(e);
    }
    let assigned: Vec<&str> = code
        .lines()
        .filter_map(|l| l.trim().strip_prefix(e))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .filter(|value| !value.starts_with('='))
        .map(without_semicolon)
        .collect();
    !assigned.is_empty() && assigned.iter().all(|v| few_valued_expr(v))
}

/// A statement's expression, trimmed, without the `;` some code ends lines with.
fn without_semicolon(expr: &str) -> &str {
    expr.trim().trim_end_matches(';').trim_end()
}

/// Whether `e` is a plain Python name.
fn is_name(e: &str) -> bool {
    e.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && e.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !matches!(e, "True" | "False" | "None")
}

/// Whether one returned expression gives one of a few values (see [`few_valued`]).
fn few_valued_expr(expr: &str) -> bool {
    let e = unwrap_parens(expr.trim());
    let top = top_level(e);
    if let (Some(i), Some(j)) = (top.find(" if "), top.rfind(" else ")) {
        // `a if c else b`: the positions in `top` are those of `e` (one char per char).
        return i < j && few_valued_expr(&e[..i]) && few_valued_expr(&e[j + 6..]);
    }
    if matches!(e, "True" | "False" | "None" | "") || is_string_literal(e) {
        return true;
    }
    let comparison = [
        "==", "!=", "<=", ">=", "<", ">", " in ", " is ", " and ", " or ",
    ]
    .iter()
    .any(|op| top.contains(op))
        || top.starts_with("not ");
    comparison || ["bool(", "all(", "any("].iter().any(|f| e.starts_with(f))
}

/// `e` without parentheses around all of it.
fn unwrap_parens(mut e: &str) -> &str {
    while let Some(inner) = e.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        let t = top_level(inner);
        if t.matches('(').count() != t.matches(')').count() || top_level_closes_early(inner) {
            break;
        }
        e = inner.trim();
    }
    e
}

/// Whether a bracket closes below depth zero in `inner` (so `(a) + (b)` is not unwrapped).
fn top_level_closes_early(inner: &str) -> bool {
    let mut depth = 0i32;
    for c in strip_strings(inner).chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// `e` with string literals and any non-ASCII character blanked to `s`, byte for byte (so
/// positions in the result are positions in `e`).
fn strip_strings(e: &str) -> String {
    let mut out = String::with_capacity(e.len());
    let mut quote = None;
    for c in e.chars() {
        let blank = match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                true
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                true
            }
            None => !c.is_ascii(),
        };
        if blank {
            out.extend(std::iter::repeat_n('s', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// `e` with string contents and everything inside brackets blanked, byte for byte, so only
/// its top level shows (all ASCII after [`strip_strings`]).
fn top_level(e: &str) -> String {
    let mut depth = 0i32;
    strip_strings(e)
        .chars()
        .map(|c| match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth == 1 { c } else { ' ' }
            }
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 { c } else { ' ' }
            }
            _ if depth > 0 => ' ',
            _ => c,
        })
        .collect()
}

/// Whether `e` is one string literal (`'…'` or `"…"`, no quote of its kind inside).
fn is_string_literal(e: &str) -> bool {
    ['\'', '"'].iter().any(|&q| {
        e.len() >= 2 && e.starts_with(q) && e.ends_with(q) && !e[1..e.len() - 1].contains(q)
    })
}

#[cfg(test)]
mod tests {
    use super::few_valued;

    #[test]
    fn yes_no_programs_are_few_valued() {
        for code in [
            "def f(x):\n    if x > 2:\n        return True\n    return False",
            "def f(s):\n  if re.search('ab', s):\n    return 'Found a match!'\n  else:\n    return ('Not matched!')",
            "def f(a, b):\n    return (a == b)",
            "def f(n):\n    return 'Even' if n % 2 == 0 else 'Odd'",
            "def f(nums):\n    return all(x % 2 == 0 for x in nums)",
            "def f(x):\n    return not x",
            "def f(test_tup):\n  res = not any(map(lambda ele: not ele, test_tup))\n  return (res)",
            "def f(n):\n    ok = False\n    if n > 2:\n        ok = True\n    return ok",
            "def f(a,b,c): \n    if (a == c): \n        return (\"Yes\"); \n    else: \n        return (\"No\");",
        ] {
            assert!(few_valued(code), "{code}");
        }
        for code in [
            "def f(s):\n    return 'é' + s if s != 'ü' else s",
            "def f(lst):\n    return [list(e) for e in zip(*lst) if e in lst]",
            "def f(a, b):\n    return a + b",
            "def f(n):\n    return (n * 2) if n >= 0 else (n - 1)",
            "def f(s):\n    return s.count('==')",
            "def f(x):\n    print(x)",
            "def f(a, b):\n    return (a) + (b > 1)",
            "def f(n):\n    res = 0\n    for i in range(n):\n        res += i\n    return res",
            "def f(xs):\n    ok = False\n    ok = len(xs)\n    return ok",
            "def f(xs):\n    for x in xs:\n        pass\n    return x",
        ] {
            assert!(!few_valued(code), "{code}");
        }
    }
}
