//! Tests of validation in the sandbox: each kind of draft, each rejection reason.

use super::*;
use crate::program::ProgramDraft;
use crate::puzzle::{P3Draft, StdioDraft};
use crate::verdicts::{PuzzleTest, Reason, Rejection};

fn stdio(solution: &str, tests: &[&str], generator: Option<&str>) -> Draft {
    Draft::Stdio(StdioDraft {
        title: "t".into(),
        statement: "s".into(),
        solution: solution.into(),
        tests: tests.iter().map(|t| t.to_string()).collect(),
        generator: generator.map(str::to_string),
    })
}

/// A P3 draft of `sat` and `sol`, as parsed from a reply.
fn p3_draft(sat: &str, sol: Option<&str>) -> P3Draft {
    P3Draft {
        sat: sat.into(),
        sol: sol.map(str::to_string),
        sol_failure: None,
        parent: None,
        sat_as_written: None,
    }
}

fn reason(sandbox: &Sandbox, draft: &Draft) -> Option<Reason> {
    checked(sandbox, draft).0
}

/// The rejection reason (if any) and the draft as validation left it.
fn checked(sandbox: &Sandbox, draft: &Draft) -> (Option<Reason>, Draft) {
    let (rejection, draft) = rejected(sandbox, draft);
    (rejection.map(|r| r.reason), draft)
}

/// The rejection (if any) and the draft as validation left it.
fn rejected(sandbox: &Sandbox, draft: &Draft) -> (Option<Rejection>, Draft) {
    let mut draft = draft.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rejection = rt
        .block_on(validate(
            sandbox,
            &mut draft,
            Language::Python,
            &LimitsConfig::default(),
        ))
        .expect("sandbox works")
        .err();
    (rejection, draft)
}

fn one_worker_sandbox() -> Sandbox {
    Sandbox::new(crucible_sandbox::SandboxConfig {
        workers: 1,
        ..Default::default()
    })
    .unwrap()
}

fn program(code: &str, inputs: &[&str]) -> Draft {
    Draft::Induction(ProgramDraft {
        description: "d".into(),
        code: code.into(),
        inputs: inputs.iter().map(|i| i.to_string()).collect(),
        parent: None,
        idea: None,
    })
}

/// The tests of a program-first draft that must be valid.
fn valid_tests(sandbox: &Sandbox, code: &str, inputs: &[&str]) -> Vec<PuzzleTest> {
    run(validate(
        sandbox,
        &mut program(code, inputs),
        Language::Python,
        &LimitsConfig::default(),
    ))
    .expect("sandbox works")
    .expect("valid")
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn program_first_gates_name_each_failure_and_drop_crashing_inputs() {
    let sandbox = one_worker_sandbox();
    let square = "def f(x):\n    return x * x\n";
    let ten: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
    let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
    // Inputs that crash (a string squared, a call that is not a literal) are dropped.
    let mut with_bad = ten.clone();
    with_bad.splice(2..2, ["'a'", "__import__('os')", "[1, 2]"]);
    let draft = program(square, &with_bad[..10]);
    let tests = run(validate(
        &sandbox,
        &mut draft.clone(),
        Language::Python,
        &LimitsConfig::default(),
    ))
    .expect("sandbox works")
    .expect("valid");
    assert_eq!(tests.len(), 7, "{tests:?}");
    assert_eq!(
        (tests[0].input.as_str(), tests[0].expected.as_str()),
        ("1", "1")
    );
    assert_eq!(tests[6].expected, "49");
    assert_eq!(reason(&sandbox, &program(square, &ten)), None);
    assert_eq!(
        reason(
            &sandbox,
            &program("import time\ndef f(x):\n    return x", &ten)
        ),
        Some(Reason::BannedCall)
    );
    assert_eq!(
        reason(
            &sandbox,
            &program("def f(x):\n    return hash(str(x)) % 1000", &ten)
        ),
        Some(Reason::Nondeterministic)
    );
    assert_eq!(
        reason(&sandbox, &program("def f(x):\n    return x % 2", &ten)),
        Some(Reason::FewDistinctOutputs)
    );
    // Too few calls (or none): the sandbox finds inputs from f's signature.
    let found = valid_tests(
        &sandbox,
        "def f(words: list, k):\n    return [w * k for w in words]",
        &[],
    );
    assert!(
        found.len() >= 5 && found.iter().all(|t| t.found),
        "{found:?}"
    );
    assert!(found[2].input.starts_with('['), "{found:?}");
    let some = valid_tests(&sandbox, square, &ten[..2]);
    assert_eq!((some[0].found, some[2].found), (false, true));
    // Calls that all return the same few results: the sandbox varies the proposer's own
    // arguments (a binary string stays binary, with no annotation to go by) for other results.
    let same = vec!["'1010101010101010'"; 10];
    let varied = valid_tests(
        &sandbox,
        "def f(bits):\n    return sum(1 for b in bits if b == '1')",
        &same,
    );
    assert_eq!(varied[0].input, "'1010101010101010'", "{varied:?}");
    assert!(!varied[0].found && varied[1..].iter().all(|t| t.found));
    assert!(
        varied[1..].iter().all(|t| t
            .input
            .trim_matches('\'')
            .chars()
            .all(|c| c == '0' || c == '1')),
        "{varied:?}"
    );
    // The MBPP habit `f(arr, n)`: `n` is tried as the length of the list before it.
    let prefix = valid_tests(
        &sandbox,
        "def f(arr, n):\n    return sum(arr[i] * (i + 1) for i in range(n))",
        &[],
    );
    assert!(
        prefix.iter().any(|t| t.input == "[1, 2, 3], 3"),
        "{prefix:?}"
    );
    // An int after a list under any other name is tried as an index into it (the product of
    // the first `x` items fails for any `x` past the list's end).
    let first_items = valid_tests(
        &sandbox,
        "def f(items, x):\n    tot = 1\n    for i in range(x):\n        tot *= items[i]\n    return tot",
        &[],
    );
    assert!(
        first_items.iter().all(|t| t.found) && first_items.len() >= 5,
        "{first_items:?}"
    );
    // A parameter with a default is varied too when the required ones alone give too few
    // results (`* k` with `k=0` by default is 0 for every list).
    let scaled = valid_tests(
        &sandbox,
        "def f(list1, k=0):\n    return sum(list1) * k",
        &[],
    );
    assert!(
        scaled.iter().filter(|t| t.input.contains("], ")).count() >= 4,
        "{scaled:?}"
    );
    // A function no found input suits is still rejected.
    assert_eq!(
        reason(
            &sandbox,
            &program("def f(x):\n    assert x == 17\n    return x", &[])
        ),
        Some(Reason::TooFewTests)
    );
    assert_eq!(
        reason(&sandbox, &program("def f(x):\n    return x +", &ten)),
        Some(Reason::ReferenceCompileError)
    );
    // A result that is not a literal (an object) does not make a test.
    assert_eq!(
        reason(&sandbox, &program("def f(x):\n    return object()", &ten)),
        Some(Reason::ReferenceFailed)
    );
}

#[test]
fn a_mutation_that_returns_what_its_seed_returns_is_a_copy() {
    let sandbox = one_worker_sandbox();
    let ten = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
    let mutation = |code: &str| {
        let mut draft = program(code, &ten);
        draft.set_parent(Some("def f(x):\n    return 2 * x\n".into()));
        draft
    };
    // Written anew, the seed's function is still the seed's function.
    assert_eq!(
        reason(
            &sandbox,
            &mutation("def f(n: int) -> int:\n    return n + n\n")
        ),
        Some(Reason::CopiedParent)
    );
    // One result that differs makes a variant; so does a seed that cannot take the inputs.
    assert_eq!(
        reason(
            &sandbox,
            &mutation("def f(n: int) -> int:\n    return n + n if n < 10 else 0\n")
        ),
        None
    );
    let mut two_args = program(
        "def f(a, b):\n    return a * b\n",
        &["1, 2", "3, 4", "5, 6", "7, 8", "9, 10"],
    );
    two_args.set_parent(Some("def f(x):\n    return 2 * x\n".into()));
    assert_eq!(reason(&sandbox, &two_args), None);
}

#[test]
fn the_built_in_program_examples_are_valid_puzzles() {
    let sandbox = one_worker_sandbox();
    for draft in crate::program::example_drafts() {
        let tests = run(validate(
            &sandbox,
            &mut Draft::Induction(draft.clone()),
            Language::Python,
            &LimitsConfig::default(),
        ))
        .expect("sandbox works");
        assert_eq!(tests.map(|t| t.len()).ok(), Some(10), "{}", draft.code);
    }
}

#[test]
fn the_built_in_p3_examples_pass_the_gates_with_their_sol() {
    let sandbox = one_worker_sandbox();
    for (sat, sol) in crate::examples::P3_EXAMPLES {
        let draft = Draft::P3(p3_draft(sat, Some(sol)));
        let (rejection, draft) = checked(&sandbox, &draft);
        assert_eq!((rejection, draft.solution()), (None, sol), "{sat}");
    }
}

#[test]
fn program_first_tasks_judge_right_and_wrong_answers() {
    use crate::judge::{Attempt, judge_attempts};
    use crate::program::{abduction_problem, deduction_problem, induction_problem};
    let sandbox = one_worker_sandbox();
    let code = "def f(s, k):\n    return s[k:] + s[:k]\n";
    let inputs = [
        "'abcde', 1",
        "'abcde', 2",
        "'hello', 3",
        "'xy', 1",
        "'rust', 0",
        "'python', 4",
        "'aab', 1",
        "'zz', 1",
    ];
    let Draft::Induction(draft) = program(code, &inputs) else {
        unreachable!()
    };
    let tests = run(validate(
        &sandbox,
        &mut Draft::Induction(draft.clone()),
        Language::Python,
        &LimitsConfig::default(),
    ))
    .expect("sandbox works")
    .expect("valid");
    let verdicts = |problem: &crucible_problems::Problem, answers: &[&str]| -> Vec<bool> {
        let attempts = answers
            .iter()
            .enumerate()
            .map(|(i, a)| Attempt {
                idx: i as u32,
                reply: a.to_string(),
                code: Some(a.to_string()),
            })
            .collect();
        run(judge_attempts(
            &sandbox,
            None,
            problem,
            Language::Python,
            LimitsConfig::default().limits(),
            attempts,
        ))
        .expect("judged")
        .iter()
        .map(|a| a.verdict == "AC")
        .collect()
    };
    let induction = induction_problem("i", &draft, &tests);
    assert_eq!(
        verdicts(
            &induction,
            &[
                "def f(s, k):\n    return s[k:] + s[:k]",
                "def f(s, k):\n    return s[::-1]",
            ]
        ),
        vec![true, false]
    );
    // The middle test is 'rust', 0 → 'rust'; any arguments giving 'rust' are right. The
    // arguments are read as literals and the proposer's f applied to them: restating f is
    // harmless, redefining it changes nothing, computed arguments are not an answer.
    let abduction = abduction_problem("a", &draft, &tests);
    assert_eq!(
        verdicts(
            &abduction,
            &[
                "f('rust', 0)",
                "print(f('trus', 1))",
                "def f(s, k):\n    return s[k:] + s[:k]\n\nresult = f(s='rust', k=4)",
                "f('rust', 1)",
                "def f(s, k):\n    return 'rust'\n\nf('x', 1)",
                "f('ru' + 'st', 0)",
                "sol()",
            ]
        ),
        vec![true, true, true, false, false, false, false]
    );
    // The test a third of the way in is 'hello', 3 → 'lohel'. The answer is read as a
    // literal: a call of f (which would compute it) is not an answer.
    let deduction = deduction_problem("d", &draft, &tests);
    assert_eq!(
        verdicts(
            &deduction,
            &[
                "answer = 'lohel'",
                "'lohel'",
                "answer = 'hello'",
                "def f(s, k):\n    return s[k:] + s[:k]\nanswer = f('hello', 3)",
            ]
        ),
        vec![true, true, false, false]
    );
}

#[test]
fn accepts_good_puzzles_and_names_each_failure() {
    let sandbox = one_worker_sandbox();
    let double = "print(2 * int(input()))";
    assert_eq!(
        reason(&sandbox, &stdio(double, &["1\n", "2\n", "3\n"], None)),
        None
    );
    assert_eq!(
        reason(
            &sandbox,
            &stdio(double, &["1\n"], Some("print(int(input()) + 10)"))
        ),
        None
    );
    assert_eq!(
        reason(&sandbox, &stdio("print(", &["1\n", "2\n", "3\n"], None)),
        Some(Reason::ReferenceCompileError)
    );
    assert_eq!(
        reason(&sandbox, &stdio(double, &["1\n", "1\n", "2\n"], None)),
        Some(Reason::TooFewTests)
    );
    assert_eq!(
        reason(&sandbox, &stdio(double, &["1\n", "x\n", "3\n"], None)),
        Some(Reason::ReferenceFailed)
    );
    assert_eq!(
        reason(
            &sandbox,
            &stdio("input()\nprint(7)", &["1\n", "2\n", "3\n"], None)
        ),
        Some(Reason::ConstantOutput)
    );
    assert_eq!(
        reason(&sandbox, &stdio("input()", &["1\n", "2\n", "3\n"], None)),
        Some(Reason::EmptyOutput)
    );
    assert_eq!(
        reason(
            &sandbox,
            &stdio(
                "import random\ninput()\nprint(random.random())",
                &["1\n", "2\n", "3\n"],
                None
            )
        ),
        Some(Reason::Nondeterministic)
    );
    assert_eq!(
        reason(&sandbox, &stdio(double, &[], Some("raise SystemExit(1)"))),
        Some(Reason::GeneratorFailed)
    );
    assert_eq!(
        reason(
            &sandbox,
            &stdio("while True: pass", &["1\n", "2\n", "3\n"], None)
        ),
        Some(Reason::ReferenceFailed)
    );

    let p3 = |sat: &str, sol: &str| Draft::P3(p3_draft(sat, Some(sol)));
    // 131 is no small integer and no literal of the puzzle, and no equality test can be
    // fitted to a wrong answer (those are below).
    let sat = "def sat(x: int) -> bool:\n    return x > 130 and x * x < 17200\n";
    assert_eq!(
        reason(&sandbox, &p3(sat, "def sol():\n    return 131\n")),
        None
    );
    // A `sol` that fails is dropped: the puzzle stands on solvability (the campaign
    // rejects it as `unsolved` when no attempt satisfies `sat`), as one written without. Why
    // it failed is kept for a feedback turn (`repairs`).
    let (rejection, draft) = checked(&sandbox, &p3(sat, "def sol():\n    return 130\n"));
    assert_eq!(rejection, None);
    assert_eq!(
        draft,
        Draft::P3(P3Draft {
            sat: sat.into(),
            sol: None,
            sol_failure: Some(
                "AssertionError: sol() returned 130, and sat of it is not True".into()
            ),
            parent: None,
            sat_as_written: None,
        })
    );
    let failure = |sol: &str| match checked(&sandbox, &p3(sat, sol)).1 {
        Draft::P3(d) => d.sol_failure.unwrap_or_default(),
        _ => unreachable!("a P3 draft"),
    };
    assert_eq!(
        failure("def sol():\n    return helper(131)\n"),
        "NameError: name 'helper' is not defined"
    );
    assert!(failure("def sol():\n    return 131.0\n").contains("returned 131.0, not of the type"));
    let (rejection, draft) = checked(&sandbox, &p3(sat, "def sol():\n    return 131\n"));
    assert_eq!(
        (rejection, draft.solution()),
        (None, "def sol():\n    return 131\n")
    );
    // A `sol` of another type than `sat` takes is dropped too (131.0 is no `int`), and a
    // trivial answer of another type does not make a puzzle trivial: `s: str` rejects every
    // short string, and the list `[]` it accepts is no answer.
    let (_, draft) = checked(&sandbox, &p3(sat, "def sol():\n    return 131.0\n"));
    assert_eq!(draft.solution(), "");
    let typed = "def sat(s: str):\n    return len(s) == 0 or (len(s) == 9 and s.count('q') == 4)\n";
    let untyped_trivial =
        "def sat(s: str):\n    return s == [] or (len(s) == 9 and s.count('q') == 4)\n";
    assert_eq!(
        reason(
            &sandbox,
            &p3(untyped_trivial, "def sol():\n    return 'qqqqxxxxx'\n")
        ),
        None
    );
    assert_eq!(
        reason(&sandbox, &p3(typed, "def sol():\n    return 'qqqqxxxxx'\n")),
        Some(Reason::TrivialSat)
    );
    let no_sol = Draft::P3(p3_draft("def sat(n: int):\n    return n == 5\n", None));
    assert_eq!(reason(&sandbox, &no_sol), Some(Reason::TrivialSat));
    assert_eq!(
        reason(
            &sandbox,
            &p3(
                "def sat(x: int) -> bool:\n    return x >= 0\n",
                "def sol():\n    return 5\n"
            )
        ),
        Some(Reason::TrivialSat)
    );
    // Answers written into the puzzle itself (the quick start's `return n == 5`).
    for (sat, sol) in [
        (
            "def sat(n: int):\n    return n == 5\n",
            "def sol():\n    return 5\n",
        ),
        (
            "def sat(s: str):\n    return s == \"abc\"\n",
            "def sol():\n    return \"abc\"\n",
        ),
        (
            "def sat(n: int):\n    return n == 12345\n",
            "def sol():\n    return 12345\n",
        ),
        (
            "def sat(li: List[int]):\n    return li == [3, 1, 2]\n",
            "def sol():\n    return [3, 1, 2]\n",
        ),
        (
            "def sat(x: int):\n    return x == -7\n",
            "def sol():\n    return -7\n",
        ),
    ] {
        assert_eq!(
            reason(&sandbox, &p3(sat, sol)),
            Some(Reason::TrivialSat),
            "{sat}"
        );
    }
    // Answers computed by an expression of the puzzle that does not mention the answer, its
    // parameters at their defaults: the rejection names the expression.
    for (sat, named) in [
        (
            "def sat(li: List[int], a=15, b=104):\n    return li == [a, b]\n",
            "[15, 104] (the value of `[a, b]` in sat)",
        ),
        (
            "def sat(x: List[int], n=71):\n    return x == [4, 5, 2, 3, 1] * n\n",
            "(the value of `[4, 5, 2, 3, 1] * n` in sat)",
        ),
        (
            "def sat(nums: List[int], n=15):\n    return len(nums) == n and sorted(nums) == list(range(1, n + 1))\n",
            "(the value of `list(range(1, n + 1))` in sat)",
        ),
        (
            "def sat(lst: List[int], nums=range(-10, 21), start=5):\n    return lst == [i + start for i in nums]\n",
            "(the value of `[i + start for i in nums]` in sat)",
        ),
        (
            "def sat(s: str, target=\"foobarbazwow\", length=6):\n    return target[(len(target) - length) // 2:(len(target) + length) // 2] == s\n",
            "'barbaz' (the value of",
        ),
        // An answer spelled out element by element.
        (
            "def sat(answer: List[int]):\n    if len(answer) != 3:\n        return False\n    if answer[0] != 0 or answer[1] != 1 or answer[2] != 0:\n        return False\n    return True\n",
            "[0, 1, 0] (its elements as sat names them one by one)",
        ),
        (
            "def sat(lst: List[int], a=17, b=-4, n=4):\n    return len(lst) == n and lst[0] == a and b == lst[1] and lst[3] == a + b\n",
            "[17, -4, 0, 13] (its elements",
        ),
        (
            "def sat(s: str):\n    return len(s) == 3 and s[0] == 'q' and s[2] == 'z'\n",
            "'qaz' (its elements",
        ),
        // A `sat` that calls `sol`: an answer defines its own, so every answer satisfies it.
        (
            "def sat(answer, default=[]):\n    return answer == sol()\n",
            "sol() (sat calls sol",
        ),
    ] {
        let (rejection, _) = rejected(&sandbox, &p3(sat, "def sol():\n    return 0\n"));
        let rejection = rejection.expect("rejected");
        assert_eq!(rejection.reason, Reason::TrivialSat, "{sat}");
        assert!(rejection.detail.contains(named), "{}", rejection.detail);
    }
    // Expressions whose values are no answer leave a real puzzle alone; one that fails, or
    // a `sat` that prints, changes nothing.
    for sat in [
        "def sat(x: int, a=-382, b=14546310):\n    return x - a == b\n",
        "def sat(li: List[int], n=12):\n    return len(li) == n and sum(li) == n * n and len(set(li)) == n\n",
        "def sat(s: str, n=7):\n    print(s)\n    return s.count('q') == n and len(s) == 2 * n and 1 // (n - 7) == 0 or len(s) == 2 * n + 1 and s[::2] == 'q' * (n + 1)\n",
    ] {
        assert_eq!(
            reason(&sandbox, &p3(sat, "def sol():\n    return 0\n")),
            None,
            "{sat}"
        );
    }
    assert_eq!(
        reason(
            &sandbox,
            &p3(
                "def sat(x) -> bool\n    return x\n",
                "def sol():\n    return 5\n"
            )
        ),
        Some(Reason::ReferenceCompileError)
    );
}

#[test]
fn a_p3_example_written_another_way_is_the_same_puzzle() {
    let sandbox = one_worker_sandbox();
    let examples: Vec<(String, String)> = [
        (
            "def sat(n: int) -> bool:\n    return n > 100 and str(n * n).endswith(\"44\")\n",
            "def sol() -> int:\n    return next(n for n in range(101, 1000) if str(n * n).endswith(\"44\"))\n",
        ),
        (
            "def sat(li: List[int]) -> bool:\n    return len(li) == 6 and sum(li) == 100 and li == sorted(li) and len(set(li)) == 6\n",
            "def sol() -> List[int]:\n    return [1, 2, 3, 4, 5, 85]\n",
        ),
    ]
    .iter()
    .map(|(sat, sol)| (sat.to_string(), sol.to_string()))
    .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let limits = LimitsConfig::default().limits();
    let same = |d: &P3Draft| {
        rt.block_on(same_puzzle_as(&sandbox, d, &examples, &limits))
            .expect("sandbox works")
    };
    // The second example with a clause dropped and the rest split into `if`s (runs/p3-drafts-default).
    let restated = "def sat(x: List[int]) -> bool:\n    if sum(x) != 100:\n        return False\n    return sorted(x) == x and len(set(x)) == 6\n";
    assert_eq!(
        same(&p3_draft(
            restated,
            Some("def sol():\n    return [1, 2, 3, 4, 5, 85]\n")
        )),
        Some(1)
    );
    // Another answer of the same puzzle is still the same puzzle.
    assert_eq!(
        same(&p3_draft(
            restated,
            Some("def sol():\n    return [10, 11, 12, 13, 14, 40]\n")
        )),
        Some(1)
    );
    // A new puzzle, and one without a `sol` that holds, are not.
    let new = "def sat(li: List[int]) -> bool:\n    return len(li) == 4 and sum(li) == 100 and all(x % 7 == 4 for x in li)\n";
    assert_eq!(
        same(&p3_draft(
            new,
            Some("def sol():\n    return [4, 11, 18, 67]\n")
        )),
        None
    );
    assert_eq!(same(&p3_draft(restated, None)), None);
}

/// A P3 draft checked with `sol`: the rejection reason, `sat` as validation left it, the
/// `sat` written when it was fitted, and whether `sol` was kept.
fn fit(sandbox: &Sandbox, sat: &str, sol: &str) -> (Option<Reason>, String, Option<String>, bool) {
    match checked(sandbox, &Draft::P3(p3_draft(sat, Some(sol)))) {
        (reason, Draft::P3(d)) => (reason, d.sat, d.sat_as_written, d.sol.is_some()),
        _ => unreachable!("a P3 draft"),
    }
}

#[test]
fn a_p3_sat_gets_the_constants_its_sol_computes() {
    let sandbox = one_worker_sandbox();
    // The default 0.5B's kind of draft: the right tests, the wrong numbers (eight primes,
    // not seven summing to 28). Both equality tests take the values at `sol()`; the layout
    // and comment stay.
    let sat = "def sat(li: List[int]) -> bool:\n    # seven primes\n    return len(li) == 7 and sum(li) == 28 and all(x > 1 and all(x % d for d in range(2, x)) for x in li)\n";
    let sol = "def sol():\n    return [2, 3, 5, 7, 11, 13, 17, 19]\n";
    let (reason, fitted, written, kept) = fit(&sandbox, sat, sol);
    assert_eq!(reason, None);
    assert_eq!(
        fitted,
        "def sat(li: List[int]) -> bool:\n    # seven primes\n    return len(li) == 8 and sum(li) == 77 and all(x > 1 and all(x % d for d in range(2, x)) for x in li)\n"
    );
    assert_eq!((written.as_deref(), kept), (Some(sat), true));

    // A test in an `if` that returns False wants its comparison false: `!=` is fitted there,
    // `==` is not (`if len(li) == 3: return False` with three elements cannot be mended
    // by a number), and the `sol` is then dropped.
    let guarded = "def sat(li: List[int]) -> bool:\n    if sum(li) != 555:\n        return False\n    return len(li) == 20\n";
    let (reason, fitted, _, kept) = fit(
        &sandbox,
        guarded,
        "def sol():\n    return list(range(1, 21))\n",
    );
    assert_eq!(reason, None);
    assert_eq!(fitted, guarded.replace("555", "210"));
    assert!(kept);
    let refused = "def sat(li: List[int]) -> bool:\n    if len(li) == 3:\n        return False\n    return sum(li) > 1000\n";
    let (_, fitted, written, kept) = fit(
        &sandbox,
        refused,
        "def sol():\n    return [500, 400, 300]\n",
    );
    assert_eq!((fitted.as_str(), written, kept), (refused, None, false));

    // What the puzzle asks of each element is the proposer's: a test on a loop variable is
    // never fitted, so a `sol` that breaks it is dropped.
    let odd = "def sat(li: List[int]) -> bool:\n    return len(li) == 4 and all(x % 2 == 1 for x in li)\n";
    let (_, fitted, written, kept) = fit(&sandbox, odd, "def sol():\n    return [1, 3, 5, 6]\n");
    assert_eq!((fitted.as_str(), written, kept), (odd, None, false));

    // A fit that makes the puzzle trivial is not taken: the `sat` written stands on
    // solvability (`x * x == 0` is satisfied by 0).
    let square = "def sat(x: int) -> bool:\n    return x * x == 17161\n";
    let (reason, fitted, written, kept) = fit(&sandbox, square, "def sol():\n    return 0\n");
    assert_eq!(
        (reason, fitted.as_str(), written, kept),
        (None, square, None, false)
    );
    let (_, fitted, _, kept) = fit(&sandbox, square, "def sol():\n    return 130\n");
    assert_eq!(
        (fitted.as_str(), kept),
        (
            "def sat(x: int) -> bool:\n    return x * x == 16900\n",
            true
        )
    );

    // An answer of another type than `sat` takes is not fitted to.
    let (_, fitted, _, kept) = fit(&sandbox, square, "def sol():\n    return '130'\n");
    assert_eq!((fitted.as_str(), kept), (square, false));
}
