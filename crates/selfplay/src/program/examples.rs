//! The built-in example programs shown to the proposer, and the seed programs mutation
//! proposals vary.

use super::draft::{ENTRY, ProgramDraft};
use super::gate::banned_use;
use super::reply::{is_def_f, parse_program};
use super::returns::few_valued;
use crucible_problems::{FunctionStyle, Problem, Task};

/// Puzzles shown to the proposer as examples of the layout (written for this project; two per
/// prompt): description, code, calls.
pub const EXAMPLES: [(&str, &str, &[&str]); 6] = [
    (
        "Returns the k largest distinct values of the list, largest first.",
        "def f(nums, k):\n    return sorted(set(nums), reverse=True)[:k]\n",
        &[
            "[3, 1, 4, 1, 5, 9, 2, 6], 3",
            "[7, 7, 7], 2",
            "[], 1",
            "[10, -2, 33, 4], 1",
            "[5, 4, 3, 2, 1], 5",
            "[1, 2], 4",
            "[-5, -1, -3], 2",
            "[8, 8, 9, 9, 10], 2",
            "[0], 1",
            "[2, 4, 6, 8, 10, 12], 0",
        ],
    ),
    (
        "Encodes the string by replacing each run of a repeated character with the character \
         followed by the length of the run.",
        "def f(s):\n    out = []\n    i = 0\n    while i < len(s):\n        j = i\n        \
         while j < len(s) and s[j] == s[i]:\n            j += 1\n        \
         out.append(s[i] + str(j - i))\n        i = j\n    return ''.join(out)\n",
        &[
            "'aaabcc'",
            "'abc'",
            "''",
            "'zzzzzz'",
            "'aabbaa'",
            "'x'",
            "'hello'",
            "'mississippi'",
            "'112233'",
            "'abba'",
        ],
    ),
    (
        "Counts, for a list of words, how many words start with each letter, as a dictionary \
         from lowercase first letter to count.",
        "def f(words):\n    counts = {}\n    for w in words:\n        if w:\n            \
         c = w[0].lower()\n            counts[c] = counts.get(c, 0) + 1\n    return counts\n",
        &[
            "['apple', 'avocado', 'banana']",
            "[]",
            "['Cat', 'cow', 'dog', 'Deer', 'duck']",
            "['x']",
            "['', 'a', 'A']",
            "['tree', 'tiger', 'tea', 'top']",
            "['one', 'two', 'three']",
            "['Zebra', 'zoo', 'yak']",
            "['moon', 'sun', 'star', 'mars']",
            "['a', 'b', 'c', 'd']",
        ],
    ),
    (
        "Returns how many steps the process 'halve n if even, else replace it by 3n + 1' takes \
         to reach 1 from n.",
        "def f(n):\n    steps = 0\n    while n != 1:\n        n = n // 2 if n % 2 == 0 else 3 * n + 1\n        \
         steps += 1\n    return steps\n",
        &["1", "2", "3", "6", "7", "9", "12", "19", "27", "97"],
    ),
    (
        "Returns the total length covered by a list of (start, end) intervals, counting \
         overlapping parts once.",
        "def f(intervals):\n    total = 0\n    end = None\n    for a, b in sorted(intervals):\n        \
         if end is None or a > end:\n            total += b - a\n            end = b\n        \
         elif b > end:\n            total += b - end\n            end = b\n    return total\n",
        &[
            "[(1, 3), (2, 5)]",
            "[]",
            "[(0, 10)]",
            "[(1, 2), (3, 4), (5, 6)]",
            "[(5, 8), (1, 2), (2, 5)]",
            "[(0, 4), (1, 2)]",
            "[(-3, 3), (2, 7), (10, 11)]",
            "[(1, 1)]",
            "[(0, 100), (50, 150), (149, 151)]",
            "[(4, 6), (4, 6)]",
        ],
    ),
    (
        "Returns the sum of the main diagonal of a square matrix minus the sum of its \
         anti-diagonal.",
        "def f(m):\n    n = len(m)\n    return sum(m[i][i] for i in range(n)) - \
         sum(m[i][n - 1 - i] for i in range(n))\n",
        &[
            "[[1, 2], [3, 4]]",
            "[[5]]",
            "[]",
            "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]",
            "[[2, 9, 4], [7, 5, 3], [6, 1, 8]]",
            "[[0, 1], [1, 0]]",
            "[[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8], [9, 7, 9, 3]]",
            "[[-1, 2], [2, -1]]",
            "[[10, 20], [30, 45]]",
            "[[1, 2, 3], [4, 5, 6], [7, 8, 10]]",
        ],
    ),
];

/// The [`EXAMPLES`] as drafts.
pub fn example_drafts() -> Vec<ProgramDraft> {
    EXAMPLES
        .iter()
        .map(|(description, code, inputs)| ProgramDraft {
            description: description.to_string(),
            code: code.to_string(),
            inputs: inputs.iter().map(|i| i.to_string()).collect(),
            parent: None,
            idea: None,
        })
        .collect()
}

/// Longest seed program (in bytes) a mutation proposal shows.
const MAX_PARENT_LEN: usize = 1200;

/// The programs mutation proposals vary: the reference solutions of the function problems
/// among `problems` (MBPP- and HumanEval-style, renamed to `f` as a proposal would be, at
/// most [`MAX_PARENT_LEN`] bytes, not only answering yes/no or one of a few strings —
/// [`few_valued`]: their variants would fail the distinct-results gate, and not recursive: a
/// small model's variant adds a parameter and keeps the old recursive call, which then fails),
/// or the built-in [`EXAMPLES`] when there are none.
pub fn seed_programs(problems: &[&Problem]) -> Vec<String> {
    let from_problems: Vec<String> = problems
        .iter()
        .filter_map(|p| match &p.task {
            Task::Function(t)
                if matches!(t.style, FunctionStyle::Mbpp | FunctionStyle::HumanEval) =>
            {
                t.reference.first()
            }
            _ => None,
        })
        .filter_map(|code| parse_program(&format!("```python\n{code}\n```")).ok())
        .map(|d| indent_with_spaces(&d.code))
        .filter(|code| {
            code.len() <= MAX_PARENT_LEN
                && banned_use(code).is_none()
                && !few_valued(code)
                && !recursive(code)
        })
        .collect();
    if from_problems.is_empty() {
        example_drafts().into_iter().map(|d| d.code).collect()
    } else {
        from_problems
    }
}

/// `code` with each leading tab as four spaces, when its lines indent with tabs only (a small
/// model varying a tab-indented program mixes in spaces: a `TabError`); code that mixes them
/// already is left as it is.
fn indent_with_spaces(code: &str) -> String {
    if !code.lines().any(|l| indent(l).contains('\t'))
        || code.lines().any(|l| indent(l).contains(' '))
    {
        return code.to_string();
    }
    let mut out = String::with_capacity(code.len() * 2);
    for line in code.lines() {
        let tabs = indent(line).len();
        out.push_str(&"    ".repeat(tabs));
        out.push_str(&line[tabs..]);
        out.push('\n');
    }
    out
}

/// The whitespace that starts `line`.
fn indent(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Whether `f` calls itself: a call of `f` on any line after its `def`.
fn recursive(code: &str) -> bool {
    code.lines()
        .skip_while(|l| !is_def_f(l))
        .skip(1)
        .any(calls_f)
}

/// Whether `line` calls `f` (`f(` not preceded by a name character or a dot).
fn calls_f(line: &str) -> bool {
    let call = format!("{ENTRY}(");
    line.match_indices(&call).any(|(i, _)| {
        !line[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
    })
}
