//! Pulling the program out of a model's reply.
//!
//! Replies come with zero, one or many fenced blocks, with or without a language tag, sometimes
//! with an unterminated last fence. The rule: take the last block tagged with the wanted
//! language; else the last untagged block; else an unterminated trailing block; else, when the
//! whole reply looks like code in that language, the reply itself. Otherwise there is no code,
//! which evaluation counts as a failure (never a crash).

use crucible_sandbox::Language;

/// A fenced block found in a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The fence's info string, lower-cased (`python`, `cpp`, or empty).
    pub tag: String,
    /// The lines between the fences.
    pub body: String,
    /// Whether a closing fence was found.
    pub closed: bool,
}

impl CodeBlock {
    /// Whether the block's tag names `lang`.
    pub fn is_language(&self, lang: Language) -> bool {
        tag_matches(&self.tag, lang)
    }
}

/// The program for `lang` in `reply`, if there is one.
pub fn extract_code(reply: &str, lang: Language) -> Option<String> {
    let blocks = code_blocks(reply);
    let pick = blocks
        .iter()
        .rev()
        .find(|b| b.closed && tag_matches(&b.tag, lang))
        .or_else(|| blocks.iter().rev().find(|b| b.closed && b.tag.is_empty()))
        .or_else(|| {
            blocks
                .last()
                .filter(|b| !b.closed && (b.tag.is_empty() || tag_matches(&b.tag, lang)))
        });
    if let Some(block) = pick {
        let body = block.body.trim_matches('\n').to_string();
        return (!body.trim().is_empty()).then_some(body);
    }
    if blocks.is_empty() && looks_like_code(reply, lang) {
        return Some(reply.trim().to_string());
    }
    None
}

/// Splits out ``` or ~~~ fenced blocks (the fence's info string is the tag).
pub fn code_blocks(reply: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String, &str)> = None;
    for line in reply.lines() {
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (&mut current, fence) {
            (None, Some(f)) => {
                let tag = trimmed.trim_start_matches(f).trim().to_ascii_lowercase();
                current = Some((tag, String::new(), f));
            }
            (Some((_, _, open)), Some(f))
                if f == *open && trimmed.trim_start_matches(f).trim().is_empty() =>
            {
                if let Some((tag, body, _)) = current.take() {
                    blocks.push(CodeBlock {
                        tag,
                        body,
                        closed: true,
                    });
                }
            }
            (Some((_, body, _)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    if let Some((tag, body, _)) = current {
        blocks.push(CodeBlock {
            tag,
            body,
            closed: false,
        });
    }
    blocks
}

/// Whether a fence tag names `lang` (first word of the info string).
fn tag_matches(tag: &str, lang: Language) -> bool {
    let word = tag
        .split(|c: char| c.is_whitespace() || c == '{')
        .next()
        .unwrap_or("");
    match lang {
        Language::Cpp => matches!(word, "cpp" | "c++" | "cc" | "cxx" | "hpp"),
        Language::C => word == "c",
        Language::Python => matches!(word, "python" | "py" | "python3"),
        Language::Wasm => matches!(word, "wat" | "wasm" | "wast"),
    }
}

/// A reply without fences that is plausibly a whole program.
fn looks_like_code(reply: &str, lang: Language) -> bool {
    let text = reply.trim();
    match lang {
        Language::Cpp | Language::C => text.contains("#include") && text.contains("main"),
        Language::Python => text.lines().next().is_some_and(|l| {
            l.starts_with("def ")
                || l.starts_with("import ")
                || l.starts_with("from ")
                || l.starts_with("class ")
        }),
        Language::Wasm => text.starts_with("(module"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn picks_the_tagged_block() {
        let reply = "Here:\n```python\nprint(1)\n```\nand C++:\n```cpp\nint main(){}\n```\n";
        assert_eq!(
            extract_code(reply, Language::Python).as_deref(),
            Some("print(1)")
        );
        assert_eq!(
            extract_code(reply, Language::Cpp).as_deref(),
            Some("int main(){}")
        );
    }

    #[test]
    fn last_matching_block_wins() {
        let reply = "```py\nprint('draft')\n```\nBetter:\n```python\nprint('final')\n```";
        assert_eq!(
            extract_code(reply, Language::Python).as_deref(),
            Some("print('final')")
        );
    }

    #[test]
    fn untagged_and_unterminated_blocks() {
        assert_eq!(
            extract_code("```\nx = 1\n```", Language::Python).as_deref(),
            Some("x = 1")
        );
        assert_eq!(
            extract_code("text\n```python\nprint(2)\n", Language::Python).as_deref(),
            Some("print(2)")
        );
    }

    #[test]
    fn no_code_is_none() {
        assert_eq!(extract_code("I cannot solve this.", Language::Cpp), None);
        assert_eq!(extract_code("```cpp\n\n```", Language::Cpp), None);
        assert_eq!(extract_code("", Language::Python), None);
        assert_eq!(
            extract_code("```java\nclass A{}\n```", Language::Python),
            None
        );
    }

    #[test]
    fn bare_program_is_accepted() {
        let reply = "#include <cstdio>\nint main(){puts(\"hi\");}";
        assert_eq!(extract_code(reply, Language::Cpp).as_deref(), Some(reply));
        assert_eq!(
            extract_code("def f(x):\n    return x", Language::Python).as_deref(),
            Some("def f(x):\n    return x")
        );
    }

    proptest! {
        #[test]
        fn never_panics(reply in ".{0,400}") {
            for lang in Language::ALL {
                let _ = extract_code(&reply, lang);
            }
        }

        #[test]
        fn wrapped_code_round_trips(code in "[a-z =+0-9()\n]{1,200}") {
            prop_assume!(!code.trim().is_empty());
            let reply = format!("Solution:\n```python\n{code}\n```\nDone.");
            prop_assert_eq!(extract_code(&reply, Language::Python), Some(code.trim_matches('\n').to_string()));
        }
    }
}
