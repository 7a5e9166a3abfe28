//! Campaign set-up shared by the tests: the seed set, a sandbox, the tiny and scripted
//! configurations, running a campaign with scripted models, the store-against-exports
//! consistency check, and a `crucible serve` judge to point a campaign at.

use crate::scripted::Scripted;
use crucible_model::{Generator, ModelError};
use crucible_sandbox::{Sandbox, SandboxConfig};
use crucible_selfplay::{Campaign, CampaignConfig, Store, TrainRole, summarize, verify};
use std::path::Path;

pub(crate) fn seed_set() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../puzzles")
        .to_string_lossy()
        .into_owned()
}

pub(crate) fn sandbox() -> Sandbox {
    Sandbox::new(SandboxConfig {
        workers: 1,
        ..SandboxConfig::default()
    })
    .expect("sandbox")
}

pub(crate) fn tiny_config(model: &str) -> CampaignConfig {
    let mut config = CampaignConfig {
        name: "tiny".into(),
        puzzles_per_round: 3,
        attempts: 2,
        seed_set: seed_set(),
        ..CampaignConfig::default()
    };
    config.proposer.model = model.into();
    config.solver.model = model.into();
    config.proposer.max_new_tokens = 160;
    config.solver.max_new_tokens = 96;
    config
}

/// The store and the exported files agree (`verify`), every round finished, and the summary
/// counts the accepted attempts.
pub(crate) fn check_consistent(dir: &Path, config: &CampaignConfig) {
    let problems = verify(dir).expect("verify runs");
    assert!(problems.is_empty(), "{problems:#?}");
    let store = Store::open(&Campaign::store_path(dir)).expect("store");
    let rounds = summarize(&store).expect("summary");
    assert_eq!(rounds.len() as u32, config.rounds);
    assert!(rounds.iter().all(|r| r.finished));
    let mut verified = 0;
    for round in 1..=config.rounds {
        for p in store.puzzles(round).expect("puzzles") {
            verified += store
                .attempts(p.id)
                .expect("attempts")
                .iter()
                .filter(|a| a.accepted())
                .count() as u64;
        }
    }
    assert_eq!(
        rounds
            .iter()
            .map(|r| r.verified_pairs + r.seed_verified_pairs)
            .sum::<u64>(),
        verified
    );
    for kind in [TrainRole::Solver, TrainRole::Proposer] {
        let path = dir.join("datasets").join(format!("{}.jsonl", kind.name()));
        assert!(path.exists(), "{} missing", path.display());
    }
}

/// Runs `config` in `dir` with every model a fresh `make()` (a scripted generator), checks that
/// the store and the exported files agree, and opens the store.
pub(crate) fn run_with(
    dir: &Path,
    config: &CampaignConfig,
    make: impl Fn() -> Box<dyn Generator>,
) -> Store {
    let mut campaign = Campaign::open(dir, Some(config), sandbox()).expect("opens");
    let mut opener = |_: &str| -> Result<Box<dyn Generator>, ModelError> { Ok(make()) };
    campaign.run(&mut opener, None, &mut |_| {}).expect("runs");
    check_consistent(dir, config);
    Store::open(&Campaign::store_path(dir)).expect("store")
}

pub(crate) fn scripted_config() -> CampaignConfig {
    CampaignConfig {
        name: "scripted".into(),
        rounds: 2,
        puzzles_per_round: 8,
        attempts: 4,
        batch: 4,
        seed_set: seed_set(),
        seed: 3,
        seed_tasks_per_round: 1,
        ..CampaignConfig::default()
    }
}

pub(crate) fn run_scripted(dir: &Path, fail_after: Option<usize>) -> Result<(), String> {
    let config = scripted_config();
    let mut campaign = Campaign::open(dir, Some(&config), sandbox()).map_err(|e| e.to_string())?;
    let mut opener = |_: &str| -> Result<Box<dyn Generator>, ModelError> {
        Ok(Box::new(Scripted {
            served: 0,
            fail_after,
        }))
    };
    campaign
        .run(&mut opener, None, &mut |_| {})
        .map_err(|e| e.to_string())
}

/// Starts `crucible serve` on 127.0.0.1:0 in a thread of its own; its base URL.
pub(crate) fn judge_server() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let url = format!("http://{}", listener.local_addr().expect("address"));
            let state =
                crucible_serve::AppState::new(sandbox(), crucible_serve::ServeConfig::default());
            tx.send(url).expect("send the URL");
            crucible_serve::serve(listener, state, std::future::pending::<()>()).await
        })
    });
    rx.recv().expect("the server starts")
}
