//! Reading a proposer's reply into a program-first draft (the code block defining `f`, its
//! description, every call of `f`), and writing a draft in the layout the proposer is asked for.

use super::draft::{ENTRY, ProgramDraft};
use crate::verdicts::FormatProblem;
use crucible_eval::code_blocks;

/// Parses a reply into a program-first draft: the code block defining `f`, the description
/// (the text outside code, or a `Description:` section), and every call `f(...)` written in
/// the reply (none is no error: the sandbox then looks for inputs, [`finder`](super::finder)) (in an inputs block, as `assert f(...) == ...`, `print(f(...))` or `>>> f(...)`;
/// calls at the top level of the code are moved out of it into the inputs).
pub fn parse_program(reply: &str) -> Result<ProgramDraft, FormatProblem> {
    let blocks = code_blocks(reply);
    if blocks.is_empty() {
        return Err(FormatProblem::NoCode);
    }
    // A function the model named otherwise (`def count_ones(n)`) is `f` under another name.
    if !blocks.iter().any(|b| b.body.lines().any(is_def_f))
        && let Some(name) = blocks
            .iter()
            .find_map(|b| b.body.lines().find_map(top_level_def))
    {
        return parse_program(&rename(reply, name, ENTRY));
    }
    let defines_f = |body: &str| body.lines().any(is_def_f);
    let block = blocks
        .iter()
        .find(|b| defines_f(&b.body))
        .ok_or(FormatProblem::NoFunction)?;
    let mut inputs = Vec::new();
    let mut code = Vec::new();
    // Top-level lines other than definitions, imports and assignments (calls, prints, prose)
    // are left out, with any lines that continue them.
    let mut keeping = true;
    for line in block.body.lines() {
        let top = !line.starts_with([' ', '\t', ')', ']', '}']) && !line.trim().is_empty();
        if top {
            if let Some(args) = call_args(line) {
                push_new(&mut inputs, args);
            }
            keeping = is_definition(line);
        }
        if keeping || line.trim().is_empty() {
            code.push(line);
        }
    }
    for line in reply.lines() {
        if let Some(args) = call_args(line) {
            push_new(&mut inputs, args);
        }
    }
    let code = with_imports(code.join("\n").trim_matches('\n').to_string() + "\n");
    Ok(ProgramDraft {
        parent: None,
        idea: None,
        description: description(reply),
        code,
        inputs,
    })
}

/// Whether a top-level line belongs to the program: a definition, a decorator, an import, a
/// comment or an assignment.
fn is_definition(line: &str) -> bool {
    let line = line.trim_end();
    ["def ", "class ", "import ", "from ", "@", "#", "async def "]
        .iter()
        .any(|p| line.starts_with(p))
        || line.split_once('=').is_some_and(|(lhs, rhs)| {
            !rhs.starts_with('=')
                && !lhs.is_empty()
                && lhs
                    .trim()
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == ',' || c == ' ' || c == ':')
        })
}

/// Names models use without importing them, and the import each needs.
const IMPLICIT_IMPORTS: [(&str, &str); 22] = [
    ("List[", "from typing import List"),
    ("Dict[", "from typing import Dict"),
    ("Tuple[", "from typing import Tuple"),
    ("Optional[", "from typing import Optional"),
    ("Set[", "from typing import Set"),
    ("Counter(", "from collections import Counter"),
    ("defaultdict(", "from collections import defaultdict"),
    ("deque(", "from collections import deque"),
    ("math.", "import math"),
    ("itertools.", "import itertools"),
    ("functools.", "import functools"),
    ("string.", "import string"),
    ("re.", "import re"),
    ("heapq.", "import heapq"),
    ("bisect.", "import bisect"),
    ("reduce(", "from functools import reduce"),
    ("lru_cache", "from functools import lru_cache"),
    ("combinations(", "from itertools import combinations"),
    ("permutations(", "from itertools import permutations"),
    ("accumulate(", "from itertools import accumulate"),
    ("gcd(", "from math import gcd"),
    ("sqrt(", "from math import sqrt"),
];

/// `code` with the imports it uses but lacks (a NameError on every call otherwise).
fn with_imports(code: String) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let mut missing: Vec<&str> = Vec::new();
    for (use_, import) in IMPLICIT_IMPORTS {
        let name = import.rsplit(' ').next().unwrap_or("");
        let used = code
            .match_indices(use_)
            .any(|(i, _)| !code[..i].chars().next_back().is_some_and(is_word));
        let imported = code
            .lines()
            .any(|l| (l.starts_with("import ") || l.starts_with("from ")) && l.contains(name));
        if used && !imported && !missing.contains(&import) {
            missing.push(import);
        }
    }
    if missing.is_empty() {
        code
    } else {
        format!("{}\n\n{code}", missing.join("\n"))
    }
}

/// The name of the function `line` defines at the top level (`def name(`), if any.
fn top_level_def(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("def ")?.trim_start();
    let end = rest.find('(')?;
    let name = rest[..end].trim_end();
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(name)
}

/// `text` with every whole-word `from` replaced by `to`, except after a dot (`s.count(c)` in a
/// function named `count` calls the method, not the function).
fn rename(text: &str, from: &str, to: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + from.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(|c| is_word(c) || c == '.') || after.is_some_and(is_word) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

fn push_new(inputs: &mut Vec<String>, args: String) {
    if !inputs.contains(&args) {
        inputs.push(args);
    }
}

/// Whether `line` starts the definition of `f`.
pub(super) fn is_def_f(line: &str) -> bool {
    line.strip_prefix("def ")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix(ENTRY))
        .is_some_and(|r| r.trim_start().starts_with('('))
}

/// The arguments of a call to `f` that `line` makes: `f(1, 2)`, `assert f(1, 2) == 3`,
/// `print(f(1, 2))`, `>>> f(1, 2)`, `- f(1, 2)`, `1. f(1, 2)`, `` `f(1, 2)` ``. `None` for any
/// other line (and for `def f(`).
pub fn call_args(line: &str) -> Option<String> {
    let mut rest = line.trim();
    loop {
        let before = rest;
        for prefix in [
            ">>>", "assert ", "print(", "-", "*", "`", "Input:", "input:",
        ] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest).trim_start();
        }
        let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        if digits.len() < rest.len() && (digits.starts_with(". ") || digits.starts_with(") ")) {
            rest = digits[2..].trim_start();
        }
        if rest == before {
            break;
        }
    }
    let (mut args, _) = call_of_f(rest)?;
    // `print(f(f(1, 2)))`: a small model often wraps its call in another call of `f`.
    while let Some((inner, "")) = call_of_f(args) {
        args = inner;
    }
    Some(args.to_string())
}

/// The arguments of the call of `f` that `text` starts with (trimmed), and the text after it.
fn call_of_f(text: &str) -> Option<(&str, &str)> {
    let open = text.strip_prefix(ENTRY)?.trim_start().strip_prefix('(')?;
    let end = closing_paren(open)?;
    Some((open[..end].trim(), open[end + 1..].trim()))
}

/// The byte offset of the parenthesis that closes an already open one in `text` (brackets and
/// Python string literals respected).
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' | ']' | '}' => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

/// The description: a `Description:` (or `Statement:`) section, else the prose outside code
/// blocks, without header and input lines.
fn description(reply: &str) -> String {
    let mut lines = Vec::new();
    let mut in_fence = false;
    let mut in_inputs = false;
    for line in reply.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || call_args(line).is_some() || echoed_or_code(trimmed) {
            continue;
        }
        let plain = trimmed
            .trim_start_matches(['#', '*', ' '])
            .to_ascii_lowercase();
        let header = plain.split(':').next().unwrap_or("").trim_end_matches('*');
        match header {
            "description" | "statement" => {
                in_inputs = false;
                let after = trimmed.split_once(':').map(|x| x.1).unwrap_or("");
                let after = after.trim_start_matches('*').trim();
                if !echoed_or_code(after) {
                    lines.push(after.to_string());
                }
                continue;
            }
            "inputs" | "tests" | "test inputs" | "examples" | "code" | "program" | "function" => {
                in_inputs = true;
                continue;
            }
            _ => {}
        }
        if !in_inputs {
            lines.push(trimmed.to_string());
        }
    }
    lines.join("\n").trim().to_string()
}

/// Whether a line outside code blocks is not prose: a layout placeholder the model echoed
/// (`<the new function f, …>`) or code written outside a block.
fn echoed_or_code(line: &str) -> bool {
    (line.starts_with('<') && line.ends_with('>'))
        || ["def ", "import ", "from ", "return ", "class "]
            .iter()
            .any(|p| line.starts_with(p))
}

/// The draft in the layout the proposer is asked for (examples and the proposer's training
/// target): the description, then one code block with the code and the calls after it (one
/// block, so that generation can stop at its end); for a mutation asked for in one request (a
/// draft with a parent and no idea) the code, the description, then the calls in a block of
/// their own.
///
/// ```
/// use crucible_selfplay::program::{ProgramDraft, parse_program, render_program};
/// let draft = ProgramDraft {
///     description: "Doubles x.".into(),
///     code: "def f(x):\n    return 2 * x\n".into(),
///     inputs: vec!["1".into(), "2".into()],
///     parent: None,
///     idea: None,
/// };
/// let text = render_program(&draft, &["1", "2"]);
/// assert_eq!(parse_program(&text), Ok(draft));
/// ```
pub fn render_program(draft: &ProgramDraft, inputs: &[&str]) -> String {
    let calls: Vec<String> = inputs.iter().map(|i| format!("{ENTRY}({i})")).collect();
    let description = draft.description.trim();
    // A one-request mutation's layout: code, description, calls (`MUTATION_LAYOUT`).
    if draft.parent.is_some() && draft.idea.is_none() {
        format!(
            "```python\n{}```\n\nDescription: {description}\n\n```python\n{}\n```\n",
            draft.code,
            calls.join("\n")
        )
    } else {
        format!(
            "Description: {description}\n\n```python\n{}\n{}\n```\n",
            draft.code,
            calls.join("\n")
        )
    }
}
