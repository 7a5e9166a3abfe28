//! The solver's score on the evaluation sets (by default the seed set's `heldout` split; any
//! sets `crucible eval` reads in `[heldout] sets`): every problem is asked with the same prompt
//! and the same seeds at every evaluation, so a change between two points of a campaign comes
//! from the model alone. With `greedy`, one greedy sample per problem gives greedy pass@1, the
//! figure two points are compared on problem by problem. Requests of several problems are
//! decoded together.

use crate::SelfplayError;
use crate::config::{CampaignConfig, EvalSetConfig};
use crate::examples::seed_set_problems;
use crate::pools::load_split;
use crate::seeds::Stream;
use crate::store::{HeldoutRow, ProblemScore};
use crucible_eval::{
    EvalConfig, ProblemResult, Sample, judge_samples, mean_pass_at_k, reply_code, solve_prompt,
};
use crucible_model::{ChatMessage, Completion, GenerationRequest, Generator, SamplingParams};
use crucible_problems::{Problem, Split};
use crucible_sandbox::Sandbox;
use std::path::Path;
use std::time::Instant;

/// The name of the default evaluation set, the seed set's heldout split.
pub const SEED_SET: &str = "seed";

/// One evaluation set, loaded.
#[derive(Debug, Clone)]
pub struct EvalSet {
    /// Its name in the store and reports.
    pub name: String,
    /// Its problems, in the set's order.
    pub problems: Vec<Problem>,
}

/// The seed set's held-out problems, in the set's order; with `max` > 0, at most `max` of them,
/// spread evenly over the split.
pub fn heldout_problems(seed_set: &Path, max: usize) -> Result<Vec<Problem>, SelfplayError> {
    let problems: Vec<Problem> = seed_set_problems(seed_set)?
        .into_iter()
        .filter(|p| p.split == Some(Split::Heldout))
        .collect();
    Ok(spread(problems, max))
}

/// At most `max` of `problems` (all when 0), spread evenly (a set may list one kind first).
fn spread(problems: Vec<Problem>, max: usize) -> Vec<Problem> {
    if max == 0 || max >= problems.len() {
        return problems;
    }
    let n = problems.len();
    (0..max).map(|i| problems[i * n / max].clone()).collect()
}

/// The campaign's evaluation sets: `[heldout] sets`, or the seed set's heldout split.
pub fn eval_sets(config: &CampaignConfig) -> Result<Vec<EvalSet>, SelfplayError> {
    if config.heldout.sets.is_empty() {
        return Ok(vec![EvalSet {
            name: SEED_SET.into(),
            problems: heldout_problems(Path::new(&config.seed_set), config.heldout.max_problems)?,
        }]);
    }
    config
        .heldout
        .sets
        .iter()
        .map(|set| load_eval_set(set, config.heldout.max_problems))
        .collect()
}

/// Loads one configured evaluation set; `default_max` caps it when it sets no cap of its own.
pub fn load_eval_set(set: &EvalSetConfig, default_max: usize) -> Result<EvalSet, SelfplayError> {
    let what = format!("evaluation set `{}`", set.name);
    let problems = load_split(&what, &set.set, |split| set.split.takes(split))?;
    Ok(EvalSet {
        name: set.name.clone(),
        problems: spread(
            problems,
            match set.max_problems {
                0 => default_max,
                max => max,
            },
        ),
    })
}

/// Samples each problem of `set` (one greedy sample when `heldout.greedy`, then
/// `heldout.samples` at the solver's temperature, fixed seeds) with `solver` and judges them;
/// `round` and `solver_name` label the result; `progress(done, total)` follows the sampling
/// (problems whose samples are all in).
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    solver: &mut dyn Generator,
    solver_name: &str,
    set: &EvalSet,
    config: &CampaignConfig,
    sandbox: &Sandbox,
    runtime: &tokio::runtime::Runtime,
    round: u32,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<HeldoutRow, SelfplayError> {
    let started = Instant::now();
    let n = config.heldout.samples;
    let greedy = config.heldout.greedy;
    let samples = sample(solver, &set.problems, config, progress)?;
    let eval = EvalConfig {
        samples: n + usize::from(greedy),
        remote: config.remote_judge()?,
        ..EvalConfig::default()
    };
    let results: Vec<ProblemResult> = runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, (problem, samples)) in set.problems.iter().zip(samples).enumerate() {
            let (sandbox, eval, problem) = (sandbox.clone(), eval.clone(), problem.clone());
            tasks
                .spawn(async move { (i, judge_samples(&sandbox, &eval, &problem, samples).await) });
        }
        let mut indexed = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let (i, result) = joined.map_err(|e| SelfplayError::Judge(e.to_string()))?;
            indexed.push((i, result.map_err(|e| SelfplayError::Judge(e.to_string()))?));
        }
        indexed.sort_by_key(|(i, _)| *i);
        Ok::<_, SelfplayError>(indexed.into_iter().map(|(_, r)| r).collect())
    })?;
    let scores: Vec<ProblemScore> = results
        .iter()
        .map(|r| {
            let (first, sampled) = r.samples.split_at(usize::from(greedy).min(r.samples.len()));
            ProblemScore {
                id: r.id.clone(),
                n: sampled.len() as u64,
                c: sampled.iter().filter(|s| s.accepted()).count() as u64,
                greedy: first.first().map(|s| s.accepted()),
            }
        })
        .collect();
    let counts: Vec<(usize, usize)> = scores
        .iter()
        .map(|s| (s.n as usize, s.c as usize))
        .collect();
    let greedy_pass = greedy.then(|| {
        let passed = scores.iter().filter(|s| s.greedy == Some(true)).count();
        passed as f64 / scores.len().max(1) as f64
    });
    Ok(HeldoutRow {
        round,
        set: set.name.clone(),
        solver: solver_name.to_string(),
        problems: set.problems.len() as u64,
        samples: n as u64,
        pass1: mean_pass_at_k(&counts, 1).unwrap_or(0.0),
        passk: mean_pass_at_k(&counts, n).unwrap_or(0.0),
        greedy: greedy_pass,
        seconds: started.elapsed().as_secs_f64(),
        results: scores,
    })
}

/// The solver's samples for each problem (the greedy one first), decoded up to `batch`
/// sequences at a time.
fn sample(
    solver: &mut dyn Generator,
    problems: &[Problem],
    config: &CampaignConfig,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Vec<Sample>>, SelfplayError> {
    let n = config.heldout.samples;
    let prompts: Vec<(String, crucible_sandbox::Language)> = problems
        .iter()
        .map(|p| solve_prompt(p, config.language))
        .collect();
    // (problem index, request): the greedy request, then the sampled one, per problem.
    let mut requests: Vec<(usize, GenerationRequest)> = Vec::new();
    for (i, (prompt, _)) in prompts.iter().enumerate() {
        let messages = vec![ChatMessage::user(prompt.clone())];
        let sampling = config.solver_sampling(Stream::Heldout.seed(&[config.seed, i as u64]));
        if config.heldout.greedy {
            let greedy = SamplingParams {
                temperature: 0.0,
                ..sampling.clone()
            };
            requests.push((i, request(&messages, 1, greedy)));
        }
        if n > 0 {
            requests.push((i, request(&messages, n, sampling)));
        }
    }
    let mut completions: Vec<Vec<Completion>> = vec![Vec::new(); problems.len()];
    let mut seconds = vec![0.0; problems.len()];
    for chunk in batches(&requests, config.batch) {
        let started = Instant::now();
        let batch: Vec<GenerationRequest> = chunk.iter().map(|(_, r)| r.clone()).collect();
        let replies = solver.generate_batch(&batch, &mut |_| {});
        let sequences: usize = batch.iter().map(|r| r.n).sum();
        let per_sequence = started.elapsed().as_secs_f64() / sequences.max(1) as f64;
        for ((i, request), reply) in chunk.iter().zip(replies) {
            completions[*i].extend(reply?);
            seconds[*i] += per_sequence * request.n as f64;
        }
        if let Some((last, _)) = chunk.last() {
            // Requests come in problem order: every problem before the last one is complete.
            let complete = chunk.as_ptr_range().end == requests.as_ptr_range().end;
            progress(
                if complete { problems.len() } else { *last },
                problems.len(),
            );
        }
    }
    Ok(completions
        .into_iter()
        .enumerate()
        .map(|(i, replies)| {
            let (problem, lang) = (&problems[i], prompts[i].1);
            let per_sample = seconds[i] / replies.len().max(1) as f64;
            replies
                .into_iter()
                .enumerate()
                .map(|(s, c)| Sample {
                    lang,
                    code: reply_code(problem, &c.text, lang),
                    label: format!("sample {s}"),
                    gen_seconds: per_sample,
                })
                .collect()
        })
        .collect())
}

fn request(messages: &[ChatMessage], n: usize, sampling: SamplingParams) -> GenerationRequest {
    GenerationRequest {
        messages: messages.to_vec(),
        n,
        sampling,
    }
}

/// Consecutive runs of requests of at most `batch` sequences (at least one request each).
fn batches<T>(requests: &[(T, GenerationRequest)], batch: usize) -> Vec<&[(T, GenerationRequest)]> {
    let mut out = Vec::new();
    let (mut start, mut sequences) = (0, 0);
    for (i, (_, r)) in requests.iter().enumerate() {
        if i > start && sequences + r.n > batch {
            out.push(&requests[start..i]);
            (start, sequences) = (i, 0);
        }
        sequences += r.n;
    }
    if start < requests.len() {
        out.push(&requests[start..]);
    }
    out
}
