//! The proposer's side: the instruction for each puzzle layout, with the layout to fill in
//! (small models follow a layout best), and the system message of every proposer request.

use super::fence_tag;
use crucible_sandbox::Language;

/// The reply layout a proposal is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Layout {
    /// A stdin/stdout problem: title, statement, reference program, test inputs.
    Stdio,
    /// A P3 puzzle: `sat` and (optionally) `sol` in one Python block.
    P3,
    /// A program-first task: a description, a Python function `f`, and calls of `f`.
    Program,
}

/// How a complete program reads and writes, per language.
fn io_hint(lang: Language) -> &'static str {
    match lang {
        Language::Python => "It reads the input with input() and prints the answer with print().",
        Language::C => "It reads the input with scanf and prints the answer with printf.",
        _ => "It reads the input with std::cin and prints the answer with std::cout.",
    }
}

/// The proposer's instruction (without examples: the training target for the proposer). It
/// ends with the layout to fill in, which small models follow best. A program-first or P3
/// proposal with a `parent` asks for a variant of that seed program or puzzle instead of a new
/// one (a P3 parent is shown as given, `sat` and `sol` in a block, and `topic` names the change
/// to make: one of [`P3_CHANGES`]). A new P3 puzzle with an `answer_type` (a Python
/// annotation such as `List[int]`) is asked for an answer of that type.
pub fn propose_instruction(
    layout: Layout,
    topic: &str,
    difficulty: &str,
    lang: Language,
    parent: Option<&str>,
    answer_type: Option<&str>,
) -> String {
    if let Some(parent) = parent.filter(|_| layout == Layout::Program) {
        return format!(
            "Here is a Python function `f`:\n\n```python\n{}\n```\n\nWrite a {difficulty} \
             variant of it as a new Python function named `f`: change its constants or \
             operators, add a parameter, or combine it with one more step, so that it computes \
             something different. Give it meaningful parameter names and type annotations; it \
             returns its result and gives the same result every time (no random numbers, no \
             clock). Then write 10 calls of `f` with different arguments, which give \
             different results (do not write the results).\n\n{MUTATION_LAYOUT}",
            parent.trim_end()
        );
    }
    if let Some(parent) = parent.filter(|_| layout == Layout::P3) {
        return format!(
            "Here is a Python programming puzzle: `sat` returns True exactly when its first \
             parameter is a correct answer, and `sol` returns a correct answer.\n\n{}\n\n\
             Write a new {difficulty} puzzle from it: {topic}. The new `sat` must differ from \
             the old one, so that the old answer is no longer correct. Then write a new `sol` \
             that returns a correct answer for the new `sat`; the answer must not be trivial \
             (not 0, 1, an empty list or an empty string). Reply with one ```python block that \
             defines the new `sat` and `sol`.",
            parent.trim_end()
        );
    }
    match layout {
        Layout::Stdio => {
            let tag = fence_tag(lang);
            format!(
                "Write a new {difficulty} programming problem about {topic}: a statement, a \
                 reference solution, and 5 to 8 small test inputs (inputs only, no outputs). The \
                 solution must be a complete program, not just a function. {}\n\n\
                 Reply in exactly this layout:\n\n\
                 Title: <a short title>\nStatement:\n<the task, the input format, the output format>\n\
                 Solution:\n```{tag}\n<the complete program>\n```\nTests:\n```\n<test input 1>\n```\n\
                 ```\n<test input 2>\n```",
                io_hint(lang)
            )
        }
        Layout::P3 => format!(
            "Write a new {difficulty} Python programming puzzle about {topic}. A puzzle is a function \
             `sat` whose first parameter is the answer{} and whose other parameters have default \
             values; it returns True exactly when the answer is correct, and finding a correct \
             answer takes a little search or thought. A second function `sol`, with the same \
             default parameters, computes a correct answer. The answer must not be trivial (not \
             0, 1, an empty list or an empty string). Reply with one ```python block that defines \
             `sat` and `sol`.",
            answer_type.map_or(String::new(), |t| format!(", of type `{t}`,"))
        ),
        Layout::Program => format!(
            "Write a new {difficulty} Python function named `f` about {topic}, with meaningful \
             parameter names and type annotations; it returns its result. {}",
            program_ask()
        ),
    }
}

/// The changes a P3 mutation proposal is asked to make to its seed puzzle, one per proposal
/// (its `topic`): a small model asked only for "a variant" hands the puzzle back unchanged.
pub const P3_CHANGES: [&str; 4] = [
    "add one more condition on the answer to what `sat` returns, joined with `and`",
    "change one comparison or arithmetic operator in `sat` (for example `<` to `>`, or `+` to `*`)",
    "make the answer also satisfy a second property: its length, its sum, its first or last \
     element, or how often something occurs in it",
    "give `sat` one more parameter with a default value, and use it in the condition",
];

/// The calls and the layout a program-first request asks for, after what `f` is to compute.
fn program_ask() -> String {
    format!(
        "Then write 10 calls of `f` with different arguments, which give different results (do \
         not write the results).\n\n{PROGRAM_LAYOUT}"
    )
}

/// The reply layout of program-first proposals (examples come before the instruction).
const PROGRAM_LAYOUT: &str = "Reply in exactly this layout:\n\n\
    Description: <one sentence: what f returns, in terms of its parameters>\n\n\
    ```python\n<the function f, with any imports it needs>\n\n\
    <10 calls of f with different arguments, one per line>\n```";

/// The reply layout of mutation proposals: the new code first (a small model asked for the
/// description first often stops after it), then what it computes, then the calls (which run
/// long: a description after them is often cut off by the token limit).
pub const MUTATION_LAYOUT: &str = "Reply in exactly this layout:\n\n\
    ```python\n<the new function f, with any imports it needs>\n```\n\n\
    Description: <one sentence: what the new f returns, in terms of its parameters>\n\n\
    ```python\n<10 calls of f with different arguments, one per line>\n```";

/// The first request of a mutation of a seed program: the seed shown, the proposer writes the
/// task of a different function on the same kind of input, as one sentence in MBPP's style
/// ("Write a function to ..."). Shown the seed and asked for a variant's code at once, the
/// 0.5B model hands the seed back in 12 of 30 replies (BENCHMARKS.md, "Mutation of seed
/// programs"); asked for a variant in words, it echoes the request ("adds one more step");
/// asked for a task in the style it knows, it names a concrete one. The code is asked for in a
/// second request, without the seed ([`idea_instruction`]).
pub fn variant_idea_instruction(parent: &str, difficulty: &str) -> String {
    format!(
        "Here is a Python function `f`:\n\n```python\n{}\n```\n\nWrite a new {difficulty} \
         programming task for a different function on the same kind of input: one sentence in \
         the style \"Write a function to ...\". The new function must compute something else \
         than this one. Reply with the sentence only.",
        parent.trim_end()
    )
}

/// The second request of a mutation: the program for the task the proposer wrote (its reply to
/// [`variant_idea_instruction`], read with [`read_description`]), the seed not shown, in the
/// layout of free program-first proposals.
pub fn idea_instruction(idea: &str) -> String {
    format!(
        "{}\n\nName the function `f`, give it meaningful parameter names and type annotations; \
         it returns its result. {}",
        idea.trim(),
        program_ask()
    )
}

/// The proposer's next request after a P3 reply fell short: what went wrong (`problem`, one
/// or two sentences: the error, the trivial answer `sat` accepts, what `sol` returned), then
/// the contract again.
pub fn p3_repair_instruction(problem: &str) -> String {
    format!(
        "{}\n\nFix the puzzle. Reply with one ```python block that defines the corrected `sat` \
         and `sol`: `sat(sol())` must return True, and no trivial answer (0, 1, an empty list \
         or an empty string) may satisfy `sat`.",
        problem.trim()
    )
}

/// The proposer's second request for an induction puzzle whose reply had code but no
/// description: what `f` returns, written from the code (the easy direction), one sentence.
pub fn describe_instruction(code: &str) -> String {
    format!(
        "Here is a Python function `f`:\n\n```python\n{}\n```\n\nIn one sentence, say what `f` \
         returns in terms of its parameters, so that a programmer could write it from the \
         sentence alone. Reply with the sentence only.",
        code.trim_end()
    )
}

/// The description in a reply to [`describe_instruction`]: its first paragraph, without a
/// `Description:` label or quotes.
pub fn read_description(reply: &str) -> String {
    let first = reply.trim().split("\n\n").next().unwrap_or("").trim();
    let unlabeled = first
        .strip_prefix("Description:")
        .or_else(|| first.strip_prefix("**Description:**"))
        .unwrap_or(first);
    unlabeled.trim().trim_matches(['"', '`']).trim().to_string()
}

/// The system message of every proposer request.
pub const PROPOSER_SYSTEM: &str = "You are an expert competitive programmer. You write original, \
    correct programming puzzles, and you follow the requested layout exactly.";

/// The full proposer prompt: examples first (so the model does not continue them), then the
/// instruction.
pub fn propose_prompt(
    layout: Layout,
    topic: &str,
    difficulty: &str,
    lang: Language,
    examples: &[&str],
    parent: Option<&str>,
    answer_type: Option<&str>,
) -> String {
    with_examples(
        examples,
        &propose_instruction(layout, topic, difficulty, lang, parent, answer_type),
    )
}

/// A proposer request: `examples` first (so the model does not continue them), then
/// `instruction`.
pub fn with_examples(examples: &[&str], instruction: &str) -> String {
    let mut prompt = String::new();
    if !examples.is_empty() {
        prompt.push_str("Here are examples of puzzles in the required layout.");
        for (i, example) in examples.iter().enumerate() {
            prompt.push_str(&format!("\n\nExample {}:\n\n{}", i + 1, example.trim_end()));
        }
        prompt.push_str("\n\nDo not copy the examples. ");
    }
    prompt.push_str(instruction);
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_is_asked_for_and_read_back() {
        let text = describe_instruction("def f(x):\n    return 2 * x\n");
        assert!(text.contains("```python\ndef f(x):\n    return 2 * x\n```"));
        assert_eq!(
            read_description("Description: \"Returns twice x.\"\n\nMore words."),
            "Returns twice x."
        );
        assert_eq!(read_description("  \n"), "");
    }

    #[test]
    fn a_mutation_names_its_variant_then_writes_it_from_the_sentence() {
        let first = variant_idea_instruction("def f(x):\n    return 2 * x\n", "hard");
        assert!(first.contains("```python\ndef f(x):\n    return 2 * x\n```"));
        assert!(
            first.contains("new hard programming task")
                && first.ends_with("Reply with the sentence only.")
        );
        let second = idea_instruction(" Write a function to square x. ");
        assert!(second.starts_with("Write a function to square x.\n\nName the function `f`"));
        assert!(second.ends_with("one per line>\n```") && !second.contains("return 2 * x"));
    }

    proptest::proptest! {
        /// A reply to the describe or the first mutation request is any text: reading its
        /// sentence never panics and never returns more than the reply's first paragraph.
        #[test]
        fn reading_a_sentence_never_panics(reply in proptest::prelude::any::<String>()) {
            let sentence = read_description(&reply);
            proptest::prop_assert!(sentence.len() <= reply.len());
        }
    }

    #[test]
    fn a_mutation_instruction_shows_the_seed_program() {
        let parent = "def f(x):\n    return 2 * x\n";
        let text = propose_instruction(
            Layout::Program,
            "strings",
            "easy",
            Language::Python,
            Some(parent),
            None,
        );
        assert!(text.contains("```python\ndef f(x):\n    return 2 * x\n```"));
        assert!(text.contains("variant of it") && text.ends_with("one per line>\n```"));
        assert!(text.contains("layout:\n\n```python\n<the new function f"));
        // A P3 parent is a puzzle, shown as given; stdin/stdout proposals ignore a parent.
        let puzzle =
            "```python\ndef sat(x: int):\n    return x > 7\n\ndef sol():\n    return 8\n```\n";
        let p3 = propose_instruction(
            Layout::P3,
            P3_CHANGES[0],
            "easy",
            Language::Python,
            Some(puzzle),
            None,
        );
        assert!(p3.contains(puzzle.trim_end()), "{p3}");
        assert!(
            p3.contains("puzzle from it: add one more condition"),
            "{p3}"
        );
        let stdio = propose_instruction(
            Layout::Stdio,
            "strings",
            "easy",
            Language::Python,
            Some(parent),
            None,
        );
        assert!(!stdio.contains("variant"));
    }

    #[test]
    fn examples_come_before_the_instruction() {
        let prompt = propose_prompt(
            Layout::P3,
            "strings",
            "easy",
            Language::Python,
            &[
                "def sat(x: int):\n    return x == 7",
                "def sat(s: str):\n    return s == 'a'",
            ],
            None,
            None,
        );
        let second = prompt.find("Example 2:").expect("both examples shown");
        assert!(second < prompt.find("Write a new easy").expect("instruction"));
        assert!(prompt.contains("Do not copy the examples."));
    }
}
