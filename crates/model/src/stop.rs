//! Where a completion ends early: at a stop string, or right after the first complete fenced
//! code block (a solver's answer is complete there; the explanation models write after it costs
//! tokens and is thrown away).

use crate::SamplingParams;

/// How a completion's text is cut: the byte length to keep and whether the code-block rule
/// (rather than a stop string) ended it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Bytes of the text kept.
    pub keep: usize,
    /// The first code block closed (`false`: a stop string appeared).
    pub code_block: bool,
}

/// Where `text` ends under `params`: the start of the earliest stop string, or the end of the
/// closing fence of the first complete code block (when `stop_after_code_block` is set),
/// whichever comes first.
pub fn cut(text: &str, params: &SamplingParams) -> Option<Cut> {
    let stop = find_stop(text, &params.stop).map(|keep| Cut {
        keep,
        code_block: false,
    });
    let block = params
        .stop_after_code_block
        .then(|| code_block_end(text))
        .flatten()
        .map(|keep| Cut {
            keep,
            code_block: true,
        });
    match (stop, block) {
        (Some(a), Some(b)) => Some(if a.keep <= b.keep { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// The byte offset where the first stop string starts, if any appears.
pub fn find_stop(text: &str, stops: &[String]) -> Option<usize> {
    stops
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s.as_str()))
        .min()
}

/// The byte offset just after the closing fence of the first complete fenced block (``` or
/// ~~~, the closing fence alone on its line), if there is one. A line that opens a block
/// starts with the fence (indentation allowed); the block closes at the first later line that
/// is the same fence and nothing else.
pub fn code_block_end(text: &str) -> Option<usize> {
    let mut open: Option<&str> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        match open {
            None => open = FENCES.into_iter().find(|f| trimmed.starts_with(f)),
            Some(fence) if trimmed == fence => {
                let fence_at = start + line.find(fence).unwrap_or(0);
                return Some(fence_at + fence.len());
            }
            Some(_) => {}
        }
    }
    None
}

/// The fences that open and close a code block.
const FENCES: [&str; 2] = ["```", "~~~"];

/// Whether `text` has a fence line (``` or ~~~, indentation allowed) anywhere.
pub fn has_fence(text: &str) -> bool {
    text.lines()
        .any(|line| FENCES.iter().any(|f| line.trim_start().starts_with(f)))
}

/// The fence of a block that `text` opens and does not close (its last fenced block), if any.
pub fn unclosed_fence(text: &str) -> Option<&'static str> {
    let mut open: Option<&'static str> = None;
    for line in text.split('\n') {
        let trimmed = line.trim();
        open = match open {
            None => FENCES.into_iter().find(|f| trimmed.starts_with(f)),
            Some(fence) if trimmed == fence => None,
            still => still,
        };
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(stops: &[&str], code_block: bool) -> SamplingParams {
        SamplingParams {
            stop: stops.iter().map(|s| s.to_string()).collect(),
            stop_after_code_block: code_block,
            ..SamplingParams::default()
        }
    }

    #[test]
    fn earliest_stop_string_wins() {
        let stops = vec!["```".to_string(), "END".to_string()];
        assert_eq!(find_stop("abc END x ```", &stops), Some(4));
        assert_eq!(find_stop("nothing", &stops), None);
        assert_eq!(find_stop("x", &[String::new()]), None);
    }

    #[test]
    fn the_first_complete_block_ends_the_text() {
        let reply = "Here:\n```python\ndef f():\n    return 1\n```\nThis function returns 1.\n```python\nprint(f())\n```\n";
        let end = code_block_end(reply).expect("a closed block");
        assert_eq!(
            &reply[..end],
            "Here:\n```python\ndef f():\n    return 1\n```"
        );
        // Still open, or only an opening fence: not complete yet.
        assert_eq!(code_block_end("```python\ndef f():\n"), None);
        assert_eq!(unclosed_fence("```python\ndef f():\n"), Some("```"));
        assert_eq!(unclosed_fence("x\n~~~\ny"), Some("~~~"));
        assert_eq!(unclosed_fence("```\na\n```\nprose"), None);
        assert_eq!(unclosed_fence("no code"), None);
        assert_eq!(code_block_end("text ``` inline\n"), None);
        // A closing fence at the very end (no newline yet) is complete.
        assert_eq!(code_block_end("```\nx\n```"), Some(9));
        // Indented fences, and a tilde block closed only by tildes.
        assert_eq!(code_block_end("  ```py\nx\n  ```\n"), Some(15));
        assert_eq!(code_block_end("~~~\n```\n~~~\nmore"), Some(11));
    }

    #[test]
    fn cut_takes_the_earlier_rule_and_only_when_asked() {
        let reply = "```python\nx = 1\n```\nSTOP";
        assert_eq!(cut(reply, &params(&[], false)), None);
        assert_eq!(
            cut(reply, &params(&["STOP"], true)),
            Some(Cut {
                keep: 19,
                code_block: true
            })
        );
        assert_eq!(
            cut(reply, &params(&["x ="], true)),
            Some(Cut {
                keep: 10,
                code_block: false
            })
        );
    }
}
