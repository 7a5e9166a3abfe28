//! Runs this build's validation gates again on a campaign's stored proposals and prints how
//! each verdict changes — to measure a change to the gates on real model output without
//! sampling anything. Reads a copy, never the live store:
//!
//! ```sh
//! sqlite3 runs/mixed/campaign.db ".backup /tmp/mixed.db"
//! cargo run --release -p crucible-selfplay --example revalidate -- /tmp/mixed.db [ROUND ...]
//! ```
//!
//! Only the gates of validation run again; the copy and near-duplicate checks that follow
//! them are not repeated, so a proposal stored as a copy or near-duplicate keeps that verdict.

use crucible_sandbox::{Sandbox, SandboxConfig};
use crucible_selfplay::{PuzzleRow, Reason, Store, TaskKind, parse_reply, validate};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The verdict a row holds, as a short name.
fn stored_verdict(row: &PuzzleRow) -> String {
    match &row.rejection {
        None => "valid".into(),
        Some(r) => r.reason.name().to_string(),
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .ok_or_else(|| anyhow::anyhow!("usage: revalidate CAMPAIGN_DB_COPY [ROUND ...]"))?,
    );
    let wanted: Vec<u32> = args.map(|a| a.parse()).collect::<Result<_, _>>()?;
    let store = Store::open(&path)?;
    let config = store
        .stored_config()?
        .ok_or_else(|| anyhow::anyhow!("{} holds no campaign configuration", path.display()))?;
    let sandbox = Sandbox::new(SandboxConfig {
        workers: 1,
        ..Default::default()
    })?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut changes: BTreeMap<(String, String), u32> = BTreeMap::new();
    let (mut before, mut after, mut total) = (0, 0, 0);
    for round in store.rounds()? {
        if !wanted.is_empty() && !wanted.contains(&round) {
            continue;
        }
        for row in store.puzzles(round)? {
            let TaskKind::Puzzle(kind) = row.kind else {
                continue;
            };
            if row.task.is_some() {
                continue;
            }
            let old = stored_verdict(&row);
            let new = match &row.rejection {
                // Decided after validation: revalidating cannot change it.
                Some(r) if r.reason.is_duplicate() || matches!(r.reason, Reason::CopiedParent) => {
                    old.clone()
                }
                _ => match parse_reply(&row.reply, kind, config.language) {
                    Err(problem) => Reason::Format(problem).name().to_string(),
                    Ok(mut draft) => {
                        match rt.block_on(validate(
                            &sandbox,
                            &mut draft,
                            config.language,
                            &config.limits,
                        ))? {
                            Ok(_) => "valid".into(),
                            Err(r) => r.reason.name().to_string(),
                        }
                    }
                },
            };
            total += 1;
            before += u32::from(old == "valid");
            after += u32::from(new == "valid");
            if old != new {
                println!(
                    "round {round} slot {} ({}): {old} -> {new}",
                    row.slot,
                    kind.name()
                );
            }
            *changes.entry((old, new)).or_default() += 1;
        }
    }
    println!("\n{total} proposals: {before} valid as stored, {after} valid now");
    for ((old, new), n) in changes {
        println!("  {old:>24} -> {new:<24} {n}");
    }
    Ok(())
}
