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

/// Generates solutions with a model: [`MODEL_BATCH`] problems' requests go to the model
/// together (its continuous batcher keeps its slots full), or one problem at a time through
/// [`SampleSource::samples`].
pub struct ModelSource {
    generator: Mutex<Box<dyn Generator>>,
    sampling: SamplingParams,
    lang: Language,
    name: String,
    batch: usize,
}

/// Problems asked about at once by default: twice the local runtime's 16 decoding slots, so
/// slots freed by short answers are refilled while long ones finish.
pub const MODEL_BATCH: usize = 32;

impl ModelSource {
    /// Samples with `generator`; stdin/stdout problems are solved in `lang`.
    pub fn new(generator: Box<dyn Generator>, sampling: SamplingParams, lang: Language) -> Self {
        let name = generator.describe();
        ModelSource {
            generator: Mutex::new(generator),
            sampling,
            lang,
            name,
            batch: MODEL_BATCH,
        }
    }

    /// Asks about `batch` problems at once (1: one at a time, as a model without batching
    /// prefers). Samples do not depend on it beyond the batched kernels' rounding.
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    fn request(&self, problem: &Problem, n: usize) -> (GenerationRequest, Language) {
        let (prompt, lang) = solve_prompt(problem, self.lang);
        let request = GenerationRequest {
            messages: vec![ChatMessage::user(prompt)],
            n,
            sampling: self.sampling.clone(),
        };
        (request, lang)
    }
}

/// The samples of one problem from its completions.
fn to_samples(problem: &Problem, lang: Language, texts: Vec<String>, seconds: f64) -> Vec<Sample> {
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Sample {
            lang,
            code: reply_code(problem, &text, lang),
            label: format!("sample {i}"),
            gen_seconds: seconds,
        })
        .collect()
}

impl SampleSource for ModelSource {
    fn samples(&self, problem: &Problem, n: usize) -> Result<Vec<Sample>, EvalError> {
        let (request, lang) = self.request(problem, n);
        let started = Instant::now();
        let completions = {
            let mut generator = self.generator.lock().unwrap_or_else(|p| p.into_inner());
            generator
                .generate(&request, &mut |_| {})
                .map_err(|e| EvalError::Source(e.to_string()))?
        };
        let per_sample = started.elapsed().as_secs_f64() / completions.len().max(1) as f64;
        let texts = completions.into_iter().map(|c| c.text).collect();
        Ok(to_samples(problem, lang, texts, per_sample))
    }

    fn batch(&self) -> usize {
        self.batch
    }

    fn samples_batch(&self, problems: &[Problem], n: usize) -> Vec<Result<Vec<Sample>, EvalError>> {
        let (requests, langs): (Vec<GenerationRequest>, Vec<Language>) =
            problems.iter().map(|p| self.request(p, n)).unzip();
        let started = Instant::now();
        let replies = {
            let mut generator = self.generator.lock().unwrap_or_else(|p| p.into_inner());
            generator.generate_batch(&requests, &mut |_| {})
        };
        // Time is shared by the batch: each sample is charged the batch's wall time over the
        // samples it produced.
        let produced: usize = replies.iter().flatten().map(Vec::len).sum();
        let per_sample = started.elapsed().as_secs_f64() / produced.max(1) as f64;
        replies
            .into_iter()
            .zip(problems.iter().zip(langs))
            .map(|(reply, (problem, lang))| {
                let completions = reply.map_err(|e| EvalError::Source(e.to_string()))?;
                let texts = completions.into_iter().map(|c| c.text).collect();
                Ok(to_samples(problem, lang, texts, per_sample))
            })
            .collect()
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
