//! What each role is asked, in one place: the solver's prompt for a problem and how its reply
//! becomes the judged program ([`solve`](self::solve_prompt)), and the proposer's instruction
//! for each puzzle layout ([`propose_instruction`]). Plain text builders: no model, no sandbox
//! engine, so the crate's light build has them.

mod propose;
mod solve;

pub use propose::{
    Layout, P3_CHANGES, PROPOSER_SYSTEM, describe_instruction, idea_instruction,
    p3_repair_instruction, propose_instruction, propose_prompt, read_description,
    variant_idea_instruction, with_examples,
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

#[cfg(test)]
mod tests {
    use super::solve::tests::function_problem;
    use super::*;
    use crucible_problems::FunctionStyle;

    /// What scripts/p3_warmup_data.py prints with `args` (JSON). The script writes P3 warm-up
    /// data with its own copy of the campaign's prompts; a change here must be made there too.
    fn warm_up_script<T: serde::de::DeserializeOwned>(args: &[&str]) -> T {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/p3_warmup_data.py"
        );
        let out = std::process::Command::new("python3")
            .arg(script)
            .args(args)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    #[test]
    fn the_p3_warm_up_script_asks_the_proposer_what_the_campaign_asks() {
        for (topic, difficulty, answer) in [
            ("strings", "easy", None),
            ("number theory", "hard", None),
            ("counting", "medium", Some("List[int]")),
        ] {
            let mut args = vec!["--print-instruction", topic, difficulty];
            args.extend(answer);
            let [system, instruction]: [String; 2] = warm_up_script(&args);
            assert_eq!(system, PROPOSER_SYSTEM);
            let ours = propose_instruction(
                Layout::P3,
                topic,
                difficulty,
                Language::Python,
                None,
                answer,
            );
            assert_eq!(instruction, ours);
        }
    }

    #[test]
    fn the_p3_warm_up_script_asks_the_solver_what_the_campaign_asks() {
        let (sat, signature) = ("def sat(x: int, a=3):\n    return x > a\n", "def sol(a=3):");
        let request: String = warm_up_script(&["--print-solve-request", sat, signature]);
        let puzzle = function_problem(FunctionStyle::P3, signature, "sol", sat);
        assert_eq!(request, solve_prompt(&puzzle, Language::Python).0);
    }
}
