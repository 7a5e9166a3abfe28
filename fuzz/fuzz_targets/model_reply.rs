//! The model-reply parsers: whatever a model writes — no code, unterminated fences, stray
//! backticks, odd Unicode — the code extractor, the code-block stop, the proposer's puzzle and
//! program parsers and `/submit`'s extractor answer (code or a typed "no code") without a
//! panic. And the stop agrees with the extractor: the text kept after the first complete code
//! block still holds that block, unchanged.

#![no_main]

use crucible_eval::{code_blocks, extract_code, reply_code};
use crucible_model::code_block_end;
use crucible_problems::Problem;
use crucible_sandbox::Language;
use crucible_selfplay::program::parse_program;
use crucible_selfplay::{PuzzleKind, parse_reply};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

const LANGUAGES: [Language; 4] = [Language::Python, Language::Cpp, Language::C, Language::Wasm];
const KINDS: [PuzzleKind; 5] = [
    PuzzleKind::Stdio,
    PuzzleKind::P3,
    PuzzleKind::Induction,
    PuzzleKind::Deduction,
    PuzzleKind::Abduction,
];

/// A few problems of each task type the project ships (function, P3, stdin/stdout), for the
/// solver-side `reply_code`.
fn problems() -> &'static [Problem] {
    static PROBLEMS: OnceLock<Vec<Problem>> = OnceLock::new();
    PROBLEMS.get_or_init(|| {
        let puzzles = Path::new(env!("CARGO_MANIFEST_DIR")).join("../puzzles");
        ["mbpp", "humaneval", "p3-train", "stdio"]
            .iter()
            .flat_map(|set| {
                crucible_problems::formats::load_set(&puzzles.join(set))
                    .map(|r| r.problems.into_iter().take(2).collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(reply) = std::str::from_utf8(data) else {
        return;
    };
    let blocks = code_blocks(reply);
    if let Some(end) = code_block_end(reply) {
        assert!(reply.is_char_boundary(end), "the stop cuts inside a character");
        let kept = code_blocks(&reply[..end]);
        let first = |bs: &[crucible_eval::CodeBlock]| bs.iter().find(|b| b.closed).cloned();
        assert_eq!(
            first(&kept),
            first(&blocks),
            "the code-block stop changed the first complete block"
        );
    }
    for lang in LANGUAGES {
        if let Some(code) = extract_code(reply, lang) {
            assert!(!code.trim().is_empty(), "extracted code is never blank");
        }
        for problem in problems() {
            let _ = reply_code(problem, reply, lang);
        }
    }
    for kind in KINDS {
        for lang in [Language::Python, Language::Cpp] {
            let _ = parse_reply(reply, kind, lang);
        }
    }
    let _ = parse_program(reply);
    for language in ["python", "cpp", "c", "go"] {
        let _ = crucible_serve::submit::extract_code(reply, language);
    }
});
