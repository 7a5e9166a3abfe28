//! The solver's score on the seed set's `heldout` split: every problem is asked with the same
//! prompt and the same seeds at every evaluation, so a change in pass@k between two points of a
//! campaign comes from the model alone. Requests of several problems are decoded together.

use crate::SelfplayError;
use crate::campaign::derive;
use crate::config::CampaignConfig;
use crate::prompts::seed_set_problems;
use crate::store::HeldoutRow;
use crucible_eval::{
    EvalConfig, ProblemResult, Sample, complete_function, extract_code, judge_samples,
    mean_pass_at_k, solve_prompt,
};
use crucible_model::{ChatMessage, GenerationRequest, Generator};
use crucible_problems::{Problem, Split};
use crucible_sandbox::Sandbox;
use std::path::Path;
use std::time::Instant;

/// Seed stream of held-out requests (apart from proposals and attempts).
const HELDOUT_STREAM: u64 = 7;

/// The seed set's held-out problems, in the set's order; with `max` > 0, at most `max` of them,
/// spread evenly over the split.
pub fn heldout_problems(seed_set: &Path, max: usize) -> Result<Vec<Problem>, SelfplayError> {
    let mut problems: Vec<Problem> = seed_set_problems(seed_set)?
        .into_iter()
        .filter(|p| p.split == Some(Split::Heldout))
        .collect();
    if max > 0 && max < problems.len() {
        // Spread evenly over the split (it lists stdin/stdout problems, then P3 puzzles).
        let n = problems.len();
        problems = (0..max).map(|i| problems[i * n / max].clone()).collect();
    }
    Ok(problems)
}

/// Samples `config.heldout.samples` solutions per problem with `solver` (the solver's sampling
/// settings, fixed seeds) and judges them; `round` and `solver_name` label the result.
pub fn evaluate(
    solver: &mut dyn Generator,
    solver_name: &str,
    problems: &[Problem],
    config: &CampaignConfig,
    sandbox: &Sandbox,
    runtime: &tokio::runtime::Runtime,
    round: u32,
) -> Result<HeldoutRow, SelfplayError> {
    let started = Instant::now();
    let n = config.heldout.samples;
    let samples = sample(solver, problems, config)?;
    let eval = EvalConfig {
        samples: n,
        ks: vec![1, n],
        ..EvalConfig::default()
    };
    let results: Vec<ProblemResult> = runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, (problem, samples)) in problems.iter().zip(samples).enumerate() {
            let (sandbox, eval, problem) = (sandbox.clone(), eval.clone(), problem.clone());
            set.spawn(async move { (i, judge_samples(&sandbox, &eval, &problem, samples).await) });
        }
        let mut indexed = Vec::new();
        while let Some(joined) = set.join_next().await {
            let (i, result) = joined.map_err(|e| SelfplayError::Heldout(e.to_string()))?;
            indexed.push((
                i,
                result.map_err(|e| SelfplayError::Heldout(e.to_string()))?,
            ));
        }
        indexed.sort_by_key(|(i, _)| *i);
        Ok::<_, SelfplayError>(indexed.into_iter().map(|(_, r)| r).collect())
    })?;
    let counts: Vec<(usize, usize)> = results.iter().map(|r| (r.n, r.c)).collect();
    let per_problem: Vec<serde_json::Value> = results
        .iter()
        .map(|r| serde_json::json!({"id": r.id, "n": r.n, "c": r.c}))
        .collect();
    Ok(HeldoutRow {
        round,
        solver: solver_name.to_string(),
        problems: problems.len() as u64,
        samples: n as u64,
        pass1: mean_pass_at_k(&counts, 1).unwrap_or(0.0),
        passk: mean_pass_at_k(&counts, n).unwrap_or(0.0),
        seconds: started.elapsed().as_secs_f64(),
        results: serde_json::Value::Array(per_problem).to_string(),
    })
}

/// The solver's samples for each problem, decoded a batch of requests at a time.
fn sample(
    solver: &mut dyn Generator,
    problems: &[Problem],
    config: &CampaignConfig,
) -> Result<Vec<Vec<Sample>>, SelfplayError> {
    let n = config.heldout.samples;
    let prompts: Vec<(String, crucible_sandbox::Language)> = problems
        .iter()
        .map(|p| solve_prompt(p, config.language))
        .collect();
    let requests: Vec<GenerationRequest> = prompts
        .iter()
        .enumerate()
        .map(|(i, (prompt, _))| GenerationRequest {
            messages: vec![ChatMessage::user(prompt.clone())],
            n,
            sampling: config
                .solver
                .sampling(derive(&[config.seed, i as u64, HELDOUT_STREAM])),
        })
        .collect();
    let per_call = (config.batch / n.max(1)).max(1);
    let mut out = Vec::with_capacity(problems.len());
    for (chunk_index, chunk) in requests.chunks(per_call).enumerate() {
        let started = Instant::now();
        let replies = solver.generate_batch(chunk, &mut |_| {});
        let seconds = started.elapsed().as_secs_f64() / (chunk.len() * n).max(1) as f64;
        for (j, reply) in replies.into_iter().enumerate() {
            let index = chunk_index * per_call + j;
            let (problem, lang) = (&problems[index], prompts[index].1);
            out.push(
                reply?
                    .into_iter()
                    .enumerate()
                    .map(|(s, c)| Sample {
                        lang,
                        code: extract_code(&c.text, lang)
                            .map(|code| complete_function(problem, code)),
                        label: format!("sample {s}"),
                        gen_seconds: seconds,
                    })
                    .collect(),
            );
        }
    }
    Ok(out)
}
