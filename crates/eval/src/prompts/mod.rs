//! What each role is asked, in one place: the solver's prompt for a problem and how its reply
//! becomes the judged program ([`solve`](self::solve_prompt)), and the proposer's instruction
//! for each puzzle layout ([`propose_instruction`]). Plain text builders: no model, no sandbox
//! engine, so the crate's light build has them.

mod propose;
mod solve;

pub use propose::{
    Layout, P3_CHANGES, PROPOSER_SYSTEM, describe_instruction, idea_instruction,
    propose_instruction, propose_prompt, read_description, variant_idea_instruction, with_examples,
};
pub use solve::{complete_function, reply_code, solve_prompt};

use crucible_sandbox::Language;

/// The info string of a fenced code block in `lang` (`python`, `c`, `cpp`).
pub fn fence_tag(lang: Language) -> &'static str {
    match lang {
        Language::Python => "python",
        Language::C => "c",
        _ => "cpp",
    }
}
