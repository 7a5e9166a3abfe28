//! Consistency check of a campaign directory (`crucible campaign verify`): the store's rounds,
//! puzzles, attempts, scores and dataset rows agree with each other and with the exported
//! JSONL files.

use crate::SelfplayError;
use crate::campaign::Campaign;
use crate::config::TrainRole;
use crate::store::Store;
use crate::verdicts::Reason;
use std::path::Path;

/// Problems found in the campaign in `dir` (empty when it is consistent).
pub fn verify(dir: &Path) -> Result<Vec<String>, SelfplayError> {
    let store = Store::open(&Campaign::store_path(dir))?;
    let Some(config) = store.stored_config()? else {
        return Ok(vec!["the store holds no campaign configuration".into()]);
    };
    let mut problems = Vec::new();
    for round in store.rounds()? {
        if round == 0 || round > config.rounds {
            problems.push(format!("round {round} is outside 1..={}", config.rounds));
        }
        let finished = store.round_finished(round)?;
        let puzzles = store.puzzles(round)?;
        let slots: Vec<u32> = puzzles
            .iter()
            .filter(|p| !p.seed_task)
            .map(|p| p.slot)
            .collect();
        if finished && slots != (0..config.puzzles_per_round).collect::<Vec<_>>() {
            problems.push(format!("finished round {round} has slots {slots:?}"));
        }
        for p in &puzzles {
            let attempts = store.attempts(p.id)?;
            let score = store.score(p.id)?;
            let at = format!("round {round} slot {}", p.slot);
            match (&p.rejection, score) {
                // Only solving can show a puzzle `unsolved` (attempted, none accepted); every
                // other rejection comes before any attempt.
                (Some(rejection), _)
                    if rejection.reason == Reason::Unsolved
                        && (attempts.is_empty() || attempts.iter().any(|a| a.accepted())) =>
                {
                    problems.push(format!("{at}: unsolved but {} attempts", attempts.len()))
                }
                (Some(rejection), _) if rejection.reason == Reason::Unsolved => {}
                (Some(_), _) if !attempts.is_empty() => {
                    problems.push(format!("{at}: rejected but attempted"))
                }
                (None, None) if finished => problems.push(format!("{at}: valid but never judged")),
                (None, Some(score)) => {
                    let idx: Vec<u32> = attempts.iter().map(|a| a.idx).collect();
                    let pool = p.task.as_ref().map(|t| t.pool.as_str());
                    let k = config.task_attempts(pool);
                    // A retry adds samples only after the first k all failed.
                    let retried = attempts.len() as u32 > k
                        && !attempts.iter().take(k as usize).any(|a| a.accepted());
                    let expected = k + if retried { config.task_retry(pool) } else { 0 };
                    if idx != (0..expected).collect::<Vec<_>>() {
                        problems.push(format!("{at}: attempts {idx:?}, expected 0..{expected}"));
                    }
                    let accepted = attempts.iter().filter(|a| a.accepted()).count();
                    let rate = accepted as f64 / attempts.len().max(1) as f64;
                    if (rate - score.solve_rate).abs() > 1e-9 {
                        problems.push(format!(
                            "{at}: solve rate {} but {accepted} of {} accepted",
                            score.solve_rate,
                            attempts.len()
                        ));
                    }
                }
                _ => {}
            }
        }
        let (solver, proposer) = store.dataset_counts(round)?;
        if !finished && solver + proposer > 0 {
            problems.push(format!("unfinished round {round} has dataset rows"));
        }
    }
    problems.extend(store.dataset_problems()?);
    let datasets = dir.join("datasets");
    if datasets.exists() {
        for kind in [TrainRole::Solver, TrainRole::Proposer] {
            let path = datasets.join(format!("{}.jsonl", kind.name()));
            let text = std::fs::read_to_string(&path).map_err(|e| SelfplayError::io(&path, e))?;
            let lines: Vec<&str> = text.lines().collect();
            if lines
                != store
                    .dataset(kind)?
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
            {
                problems.push(format!("{} differs from the store", path.display()));
            }
            for (n, line) in lines.iter().enumerate() {
                if !is_chat(line) {
                    problems.push(format!(
                        "{}:{}: not a user/assistant chat line",
                        path.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    Ok(problems)
}

fn is_chat(line: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
        return false;
    };
    let Some(messages) = v["messages"].as_array() else {
        return false;
    };
    // A system message first (proposer rows carry the proposer's), then the request and reply.
    let roles: Vec<&str> = messages.iter().filter_map(|m| m["role"].as_str()).collect();
    matches!(
        roles.as_slice(),
        ["user", "assistant"] | ["system", "user", "assistant"]
    ) && messages.iter().all(|m| m["content"].is_string())
}

#[cfg(test)]
mod tests {
    use super::is_chat;

    #[test]
    fn chat_rows_are_a_request_and_a_reply_after_an_optional_system_message() {
        assert!(is_chat(
            r#"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}"#
        ));
        assert!(is_chat(
            r#"{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "weight": 1.5}"#
        ));
        for bad in [
            r#"{"messages": [{"role": "assistant", "content": "a"}, {"role": "user", "content": "q"}]}"#,
            r#"{"messages": [{"role": "user", "content": "q"}]}"#,
            r#"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": 3}]}"#,
            r#"{"messages": [{"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}]}"#,
            "not json",
        ] {
            assert!(!is_chat(bad), "{bad}");
        }
    }
}
