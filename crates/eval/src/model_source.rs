//! Samples from a language model: the problem becomes a prompt, each reply's program is
//! extracted (a reply without code is a counted failure, never an error).

use crate::EvalError;
use crate::prompts::{reply_code, solve_prompt};
use crate::source::{Sample, SampleSource};
use crucible_model::{ChatMessage, GenerationRequest, Generator, SamplingParams};
use crucible_problems::Problem;
use crucible_sandbox::Language;
use std::sync::Mutex;
use std::time::Instant;

/// Generates solutions with a model (one problem at a time: the model is not shared).
pub struct ModelSource {
    generator: Mutex<Box<dyn Generator>>,
    sampling: SamplingParams,
    lang: Language,
    name: String,
}

impl ModelSource {
    /// Samples with `generator`; stdin/stdout problems are solved in `lang`.
    pub fn new(generator: Box<dyn Generator>, sampling: SamplingParams, lang: Language) -> Self {
        let name = generator.describe();
        ModelSource {
            generator: Mutex::new(generator),
            sampling,
            lang,
            name,
        }
    }
}

impl SampleSource for ModelSource {
    fn samples(&self, problem: &Problem, n: usize) -> Result<Vec<Sample>, EvalError> {
        let (prompt, lang) = solve_prompt(problem, self.lang);
        let request = GenerationRequest {
            messages: vec![ChatMessage::user(prompt)],
            n,
            sampling: self.sampling.clone(),
        };
        let started = Instant::now();
        let completions = {
            let mut generator = self.generator.lock().unwrap_or_else(|p| p.into_inner());
            generator
                .generate(&request, &mut |_| {})
                .map_err(|e| EvalError::Source(e.to_string()))?
        };
        let per_sample = started.elapsed().as_secs_f64() / completions.len().max(1) as f64;
        Ok(completions
            .into_iter()
            .enumerate()
            .map(|(i, c)| Sample {
                lang,
                code: reply_code(problem, &c.text, lang),
                label: format!("sample {i}"),
                gen_seconds: per_sample,
            })
            .collect())
    }

    fn describe(&self) -> String {
        format!(
            "model:{} t={} top_p={} seed={} max={} lang={}{}",
            self.name,
            self.sampling.temperature,
            self.sampling.top_p,
            self.sampling.seed,
            self.sampling.max_new_tokens,
            self.lang,
            if self.sampling.stop_after_code_block {
                " stop=code-block"
            } else {
                ""
            }
        )
    }
}
