//! Tests of reply parsing, the gate, the solver's tasks and the seed programs.

use super::tasks::problem;
use super::*;
use crate::verdicts::{FormatProblem, PuzzleTest};
use crucible_problems::{FunctionStyle, FunctionTask, Task};
use proptest::prelude::*;

const REPLY: &str = "Description: Returns the sum of the even numbers in a list, times k.\n\n\
    ```python\nfrom typing import List\n\ndef f(xs: List[int], k: int) -> int:\n    \
    return k * sum(x for x in xs if x % 2 == 0)\n\nprint(f([1, 2], 3))\n```\n\n\
    Inputs:\n```\nf([1, 2, 3, 4], 1)\nf([], 5)\nassert f([6], 2) == 12\n>>> f([2, 2], -1)\n\
    f(\"(\", 1)\n```\n";

#[test]
fn parses_code_description_and_every_call() {
    let d = parse_program(REPLY).expect("parses");
    assert_eq!(
        d.description,
        "Returns the sum of the even numbers in a list, times k."
    );
    assert!(d.code.starts_with("from typing import List\n\ndef f("));
    assert!(!d.code.contains("print"), "{}", d.code);
    assert_eq!(
        d.inputs,
        vec![
            "[1, 2], 3",
            "[1, 2, 3, 4], 1",
            "[], 5",
            "[6], 2",
            "[2, 2], -1",
            "\"(\", 1"
        ]
    );
    assert_eq!(parse_program("no code"), Err(FormatProblem::NoCode));
    assert_eq!(
        parse_program("```python\nx = 1\n```"),
        Err(FormatProblem::NoFunction)
    );
    // Another name is renamed to f, with its calls; typing names get their import.
    let renamed = parse_program(
        "```python\ndef count_ones(n: List[int]):\n    return sum(count_ones_x(v) for v in n)\n\n\
         count_ones([1, 2])\n```",
    )
    .expect("parses");
    assert_eq!(renamed.inputs, vec!["[1, 2]"]);
    assert!(
        renamed.code.starts_with("from typing import"),
        "{}",
        renamed.code
    );
    assert!(
        renamed.code.contains("def f(n: List[int])") && renamed.code.contains("count_ones_x(v)")
    );
    // A method of the same name stays a method.
    let method =
        parse_program("```python\ndef count(s, c):\n    return s.count(c)\n```").expect("parses");
    assert_eq!(method.code, "def f(s, c):\n    return s.count(c)\n");
    // Prose, prints and broken calls after the function are left out; missing imports added.
    let messy = parse_program(
        "```python\nLIMIT = 3\n\ndef f(s):\n    return Counter(s).most_common(LIMIT)\n\n\
         10 calls of f, one per line:\nprint(f([1, 2,\n    3]))\nf('abc')\n```",
    )
    .expect("parses");
    assert_eq!(
        messy.code,
        "from collections import Counter\n\nLIMIT = 3\n\ndef f(s):\n    return Counter(s).most_common(LIMIT)\n"
    );
    assert_eq!(messy.inputs, vec!["'abc'"]);
    let pairs = parse_program(
        "```python\ndef f(xs):\n    return sum(gcd(a, b) for a, b in combinations(xs, 2))\n```",
    )
    .expect("parses");
    assert!(
        pairs
            .code
            .starts_with("from itertools import combinations\nfrom math import gcd\n"),
        "{}",
        pairs.code
    );
    // Echoed layout placeholders and code outside the block are not the description.
    let echoed = parse_program(
        "Description: <new function f, with any imports it needs>\n\n<10 calls of f>\n\
         def f(x):\nreturn x + 1\nAdds one to x.\n```python\ndef f(x):\n    return x + 1\n```",
    )
    .expect("parses");
    assert_eq!(echoed.description, "Adds one to x.");
    // Without calls the sandbox looks for inputs itself.
    assert_eq!(
        parse_program("```python\ndef f(x):\n    return x\n```").map(|d| d.inputs.len()),
        Ok(0)
    );
}

#[test]
fn calls_are_found_in_their_usual_dress() {
    for (line, args) in [
        ("f(1)", Some("1")),
        ("  1. f('a', [1, (2, 3)])", Some("'a', [1, (2, 3)]")),
        ("- `f(\")\")`", Some("\")\"")),
        ("print(f(2))", Some("2")),
        // A call wrapped in another call of `f` is the inner call; `f(f(5), 0)` stays.
        ("print(f(f([1, 3], 2)))  # Output: 2", Some("[1, 3], 2")),
        ("f(f(f(3)))", Some("3")),
        ("f(f(5, 1), 0)", Some("f(5, 1), 0")),
        ("def f(x):", None),
        ("g(1)", None),
        ("f(1", None),
        ("ff(1)", None),
    ] {
        assert_eq!(call_args(line).as_deref(), args, "{line}");
    }
}

#[test]
fn banned_imports_and_calls_are_named() {
    assert_eq!(
        banned_use("import random\ndef f(x):\n    return x").as_deref(),
        Some("imports `random`")
    );
    assert!(banned_use("from os.path import join").is_some());
    assert!(banned_use("import math, time").is_some());
    assert!(banned_use("def f(x):\n    return open('a').read()").is_some());
    assert!(banned_use("def f(x):\n    return eval(x)").is_some());
    for fine in [
        "import math\nfrom collections import Counter\ndef f(x):\n    return x",
        "def f(x):\n    return my_open(x) + s.eval(1)  # open(",
    ] {
        assert_eq!(banned_use(fine), None, "{fine}");
    }
}

fn tests_of(pairs: &[(&str, &str)]) -> Vec<PuzzleTest> {
    pairs
        .iter()
        .map(|(i, o)| PuzzleTest {
            input: i.to_string(),
            expected: o.to_string(),
            found: false,
        })
        .collect()
}

#[test]
fn induction_shows_half_and_judges_on_the_rest() {
    let draft = parse_program(REPLY).expect("parses");
    let tests = tests_of(&[("1", "2"), ("2", "4"), ("3", "6"), ("4", "8")]);
    let p = induction_problem("t", &draft, &tests);
    let Task::Function(task) = &p.task else {
        panic!("function task")
    };
    assert!(
        task.prompt
            .starts_with("def f(xs: List[int], k: int) -> int:\n    \"\"\"")
    );
    assert!(task.prompt.contains(">>> f(1)\n    2") && task.prompt.contains(">>> f(3)"));
    assert_eq!(task.harness, "assert f(2) == 4\nassert f(4) == 8\n");
    assert_eq!(task.style, FunctionStyle::Mbpp);
}

#[test]
fn deduction_asks_for_the_value_of_one_call() {
    let draft = ProgramDraft {
        description: String::new(),
        code: "def f(a, b):\n    return [a] * b\n".into(),
        inputs: Vec::new(),
        parent: None,
        idea: None,
    };
    let tests = tests_of(&[("1, 2", "[1, 1]"), ("'x', 3", "['x', 'x', 'x']")]);
    let p = deduction_problem("t", &draft, &tests);
    let Task::Function(task) = &p.task else {
        panic!("function task")
    };
    assert!(
        task.prompt.ends_with("What does `f(1, 2)` return?"),
        "{}",
        task.prompt
    );
    assert_eq!(task.harness, "[1, 1]");
    assert_eq!(task.style, FunctionStyle::Value);
}

#[test]
fn abduction_asks_for_arguments_of_the_middle_output() {
    let draft = ProgramDraft {
        description: String::new(),
        code: "def f(a, b):\n    return a * b\n".into(),
        inputs: Vec::new(),
        parent: None,
        idea: None,
    };
    let tests = tests_of(&[("1, 2", "2"), ("3, 4", "12"), ("5, 6", "30")]);
    let p = abduction_problem("t", &draft, &tests);
    let Task::Function(task) = &p.task else {
        panic!("function task")
    };
    assert!(task.harness.ends_with("return a * b\n\n__expected = 12\n"));
    assert_eq!(task.reference, vec!["f(3, 4)\n"]);
    assert!(
        p.statement
            .ends_with("Find arguments for which `f` returns `12`.")
    );
    assert_eq!(task.style, FunctionStyle::Call);
}

#[test]
fn seed_programs_are_function_references_renamed_to_f() {
    let mbpp = |id: &str, reference: &str| {
        problem(
            id,
            String::new(),
            FunctionTask {
                style: FunctionStyle::Mbpp,
                prompt: String::new(),
                entry_point: "twice".into(),
                harness: String::new(),
                reference: vec![reference.into()],
            },
        )
    };
    let good = mbpp("1", "def twice(x):\n    return 2 * x\n");
    let banned = mbpp("2", "import os\ndef g(x):\n    return os.getcwd()\n");
    let yes_no = mbpp("3", "def even(x):\n    return x % 2 == 0\n");
    let recursive = mbpp(
        "4",
        "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
    );
    let calls_a_method = mbpp("5", "def strip(s):\n    return s.f(1) + str.f(s)\n");
    let tabs = mbpp(
        "6",
        "def total(xs):\n\ts = 0\n\tfor x in xs:\n\t\ts += x\n\treturn s\n",
    );
    let programs = seed_programs(&[&good, &banned, &yes_no, &recursive, &calls_a_method, &tabs]);
    assert_eq!(
        programs,
        vec![
            "def f(x):\n    return 2 * x\n".to_string(),
            "def f(s):\n    return s.f(1) + str.f(s)\n".to_string(),
            // Tab indents become spaces.
            "def f(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n".to_string(),
        ]
    );
    // Without function references, the built-in examples.
    assert_eq!(seed_programs(&[]).len(), EXAMPLES.len());
}

#[test]
fn a_mutation_renders_code_first_and_reads_back() {
    let draft = ProgramDraft {
        description: "Triples x.".into(),
        code: "def f(x):\n    return 3 * x\n".into(),
        inputs: vec!["1".into(), "2".into()],
        parent: Some("def f(x):\n    return 2 * x\n".into()),
        idea: None,
    };
    let text = render_program(&draft, &["1", "2"]);
    assert!(
        text.starts_with("```python\ndef f(x):")
            && text.contains("```\n\nDescription: Triples x.\n\n```python\nf(1)\nf(2)\n```"),
        "{text}"
    );
    let back = parse_program(&text).expect("parses");
    assert_eq!(
        (back.description, back.code, back.inputs),
        (draft.description, draft.code, draft.inputs)
    );
}

proptest! {
    #[test]
    fn parsing_never_panics(reply in "(?s).{0,400}") {
        let _ = parse_program(&reply);
    }

    #[test]
    fn few_valued_never_panics(code in "(?s)(return [()\\[\\]'\" a-zé=<>!]{0,30}\n){0,4}") {
        let _ = crate::program::few_valued(&code);
    }

    #[test]
    fn call_parsing_never_panics(line in "[f(\\[\\]{}'\"\\\\ ,0-9a-z>*.-]{0,40}") {
        let _ = call_args(&line);
    }
}
