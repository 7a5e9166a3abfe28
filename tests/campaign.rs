//! Self-play campaigns end to end.
//!
//! - A tiny campaign with the real small model (SmolLM2-135M): the store and the exported
//!   JSONL agree.
//! - A scripted proposer/solver (fixed replies: a 135M model rarely writes a valid puzzle, so
//!   this is how CI reaches the solve, score and dataset stages with known answers), run once
//!   straight through and once interrupted by a failing model mid-round and resumed: the two
//!   stores hold the same puzzles, attempts and datasets.
//!
//! - Training between rounds: a scripted round, then the real small model fine-tuned on its
//!   verified pairs, merged, reloaded and sampled on the held-out split.
//!
//! The `kill -9` test of the real CLI is in `crates/cli/tests/campaign_kill.rs`.

#[path = "campaign/scripted.rs"]
mod scripted;
#[path = "campaign/support.rs"]
mod support;
#[path = "campaign/tuners.rs"]
mod tuners;

use crucible_cli::wiring::TrainTuner;
use crucible_model::{
    Generator, LocalModel, LocalModelConfig, ModelError, TEST_MODEL, default_models_dir,
    resolve_model,
};
use crucible_selfplay::{
    Campaign, CampaignConfig, CampaignEvent, HeldoutConfig, PoolConfig, PuzzleKind, Reason,
    SelfplayError, Store, TaskKind, TrainMode, TrainRole, TrainingConfig, TrainingSummary,
    TuneError, summarize, write_report,
};
use scripted::{Drafter, Mutator, Repairer, Retrier, Scripted, Solvability};
use std::path::Path;
use support::{
    check_consistent, judge_server, run_scripted, run_with, sandbox, scripted_config, seed_set,
    tiny_config,
};
use tuners::{RecordingTuner, RefusingTuner};

#[test]
fn tiny_campaign_with_the_small_model() {
    let Ok(path) = resolve_model(TEST_MODEL, &default_models_dir()) else {
        eprintln!("skipped: {TEST_MODEL} is not fetched (run ./setup.sh)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tiny_config(TEST_MODEL);
    let mut campaign = Campaign::open(dir.path(), Some(&config), sandbox()).expect("campaign");
    let mut events = Vec::new();
    let mut opener = |_: &str| -> Result<Box<dyn Generator>, ModelError> {
        Ok(Box::new(LocalModel::load(&LocalModelConfig::new(
            path.clone(),
        ))?))
    };
    campaign
        .run(&mut opener, None, &mut |e| events.push(e.clone()))
        .expect("campaign runs");
    assert!(events.len() >= 2 + config.puzzles_per_round as usize);
    check_consistent(dir.path(), &config);
}

#[test]
fn scripted_campaign_scores_exports_and_resumes_after_a_failure() {
    let straight = tempfile::tempdir().expect("tempdir");
    run_scripted(straight.path(), None).expect("runs");
    let config = scripted_config();
    check_consistent(straight.path(), &config);
    let store = Store::open(&Campaign::store_path(straight.path())).expect("store");
    let rounds = summarize(&store).expect("summary");
    let reasons: Vec<&String> = rounds.iter().flat_map(|r| r.rejected.keys()).collect();
    for expected in ["near_duplicate", "format_no_code", "trivial_sat"] {
        assert!(
            reasons.iter().any(|r| *r == expected),
            "{expected} not in {reasons:?}"
        );
    }
    // Seed tasks are attempted and judged each round, outside the proposal counts.
    assert!(rounds.iter().all(|r| r.seed_tasks == 1), "{rounds:?}");
    let valid: u64 = rounds.iter().map(|r| r.valid).sum();
    let learnable: u64 = rounds.iter().map(|r| r.learnable).sum();
    assert!(
        valid >= 2 && learnable == valid,
        "{valid} valid, {learnable} learnable"
    );
    // Two of four attempts pass each puzzle (and each stdin/stdout seed task), with the same
    // code: one solver example each. Seed tasks give no proposer examples.
    let seed_solved: u64 = rounds.iter().map(|r| r.seed_solved).sum();
    let solver_rows: u64 = rounds.iter().map(|r| r.solver_examples).sum();
    assert_eq!(solver_rows, valid + seed_solved);
    let proposer_rows: u64 = rounds.iter().map(|r| r.proposer_examples).sum();
    assert_eq!(proposer_rows, learnable);
    let kinds: Vec<TaskKind> = store
        .puzzles(1)
        .expect("puzzles")
        .iter()
        .map(|p| p.kind)
        .collect();
    assert!(kinds.contains(&TaskKind::Puzzle(PuzzleKind::P3)));

    // Interrupted: the model fails after a few requests; the run stops with an error, and
    // resuming (with a working model) gives exactly the straight run's store.
    let interrupted = tempfile::tempdir().expect("tempdir");
    let err =
        run_scripted(interrupted.path(), Some(5)).expect_err("the failing model stops the run");
    assert!(err.contains("scripted failure"), "{err}");
    let partial = Store::open(&Campaign::store_path(interrupted.path())).expect("store");
    let committed = partial.committed_slots(1).expect("slots").len();
    assert!(
        committed < 8,
        "{committed} slots committed before the failure"
    );
    drop(partial);
    run_scripted(interrupted.path(), None).expect("resumes");
    check_consistent(interrupted.path(), &config);
    let resumed = Store::open(&Campaign::store_path(interrupted.path())).expect("store");
    assert_eq!(
        resumed.decisions().expect("decisions"),
        store.decisions().expect("decisions")
    );
    for kind in [TrainRole::Solver, TrainRole::Proposer] {
        assert_eq!(
            resumed.dataset(kind).expect("rows"),
            store.dataset(kind).expect("rows")
        );
    }
}

/// A finished campaign goes on to more rounds when asked for more (`campaign resume --rounds`),
/// to the same store as a campaign configured with that many from the start; any other change
/// to its configuration is refused.
#[test]
fn a_finished_campaign_goes_on_to_more_rounds_and_refuses_other_changes() {
    let scripted = Scripted::boxed;
    let two = scripted_config();
    let straight = tempfile::tempdir().expect("tempdir");
    let straight_store = run_with(straight.path(), &two, scripted);

    let dir = tempfile::tempdir().expect("tempdir");
    let one = CampaignConfig {
        rounds: 1,
        ..two.clone()
    };
    let store = run_with(dir.path(), &one, scripted);
    assert_eq!(summarize(&store).expect("summary").len(), 1);
    drop(store);
    let store = run_with(dir.path(), &two, scripted);
    assert_eq!(summarize(&store).expect("summary").len(), 2);
    assert_eq!(store.stored_config().expect("config"), Some(two.clone()));
    assert_eq!(
        store.decisions().expect("decisions"),
        straight_store.decisions().expect("decisions")
    );
    drop(store);

    let other = CampaignConfig { seed: 4, ..two };
    let refused = Campaign::open(dir.path(), Some(&other), sandbox()).err();
    assert!(
        refused.is_some_and(|e| e.to_string().contains("another configuration")),
        "a changed seed must be refused"
    );
}

/// Training between rounds, end to end: one scripted round (so there are verified pairs), then
/// the real small model is fine-tuned on them (LoRA, both roles), merged into a model folder,
/// reloaded and sampled on the held-out split; the store records the models and both
/// held-out scores, and the datasets stay consistent.
#[test]
fn a_round_trains_merges_reloads_and_samples_the_small_model() {
    if resolve_model(TEST_MODEL, &default_models_dir()).is_err() {
        eprintln!("skipped: {TEST_MODEL} is not fetched (run ./setup.sh)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = CampaignConfig {
        name: "train".into(),
        rounds: 1,
        ..scripted_config()
    };
    config.proposer.model = TEST_MODEL.into();
    config.solver.model = TEST_MODEL.into();
    config.solver.max_new_tokens = 48;
    config.training = TrainingConfig {
        epochs: 1,
        lora_rank: 4,
        max_seq_len: 512,
        ..TrainingConfig::default()
    };
    config.heldout = HeldoutConfig {
        samples: 2,
        max_problems: 3,
        ..HeldoutConfig::default()
    };
    let mut opened = Vec::new();
    // The configured name answers with the script; anything else (the merged folders) loads
    // for real.
    let mut opener = |spec: &str| -> Result<Box<dyn Generator>, ModelError> {
        opened.push(spec.to_string());
        if spec == TEST_MODEL {
            return Ok(Scripted::boxed());
        }
        Ok(Box::new(LocalModel::load(&LocalModelConfig::new(spec))?))
    };
    let mut tuner = TrainTuner::default();
    let mut events = Vec::new();
    let mut campaign = Campaign::open(dir.path(), Some(&config), sandbox()).expect("campaign");
    campaign
        .run(&mut opener, Some(&mut tuner), &mut |e| {
            events.push(e.clone())
        })
        .expect("campaign runs");
    drop(campaign);
    check_consistent(dir.path(), &config);

    let store = Store::open(&Campaign::store_path(dir.path())).expect("store");
    let models = store.models().expect("models");
    assert_eq!(models.len(), 2, "{models:?}");
    for row in &models {
        assert_eq!(row.round, 2);
        assert!(row.examples > 0, "{row:?}");
        assert!(row.final_loss.is_some_and(f64::is_finite), "{row:?}");
        let folder = Path::new(&row.spec);
        for file in ["config.json", "tokenizer.json", "model.safetensors"] {
            assert!(folder.join(file).is_file(), "{} lacks {file}", row.spec);
        }
        let adapter = folder.with_file_name("adapter");
        assert!(adapter.join("adapter_config.json").is_file());
        assert!(adapter.join("adapter_model.safetensors").is_file());
    }
    let solver = models
        .iter()
        .find(|r| r.role == TrainRole::Solver)
        .expect("solver");
    // A one-round campaign needs no proposer after training: the held-out evaluation loads
    // the solver alone.
    let proposer = models
        .iter()
        .find(|r| r.role == TrainRole::Proposer)
        .expect("proposer");
    assert!(!opened.contains(&proposer.spec), "{opened:?}");
    assert!(
        opened.contains(&solver.spec),
        "the merged solver was never loaded"
    );

    let heldout = store.heldout().expect("held-out rows");
    assert_eq!(
        heldout.iter().map(|h| h.round).collect::<Vec<_>>(),
        vec![0, 1]
    );
    assert_eq!(heldout[0].solver, TEST_MODEL);
    assert_eq!(heldout[1].solver, solver.spec);
    for row in &heldout {
        assert_eq!((row.problems, row.samples), (3, 2));
        assert!((0.0..=1.0).contains(&row.pass1) && row.passk >= row.pass1);
        assert_eq!(row.set, "seed");
        assert_eq!(row.results.len(), 3);
    }
    assert!(
        events
            .iter()
            .any(|e| matches!(e, CampaignEvent::Heldout { round: 1, .. }))
    );

    let training = TrainingSummary::read(&store).expect("training summary");
    let report = write_report(
        &summarize(&store).expect("summary"),
        &training,
        "train",
        &dir.path().join("report"),
    )
    .expect("report");
    let text = std::fs::read_to_string(report).expect("report text");
    assert!(text.contains("| after round 1 |"), "{text}");
    assert!(dir.path().join("report/heldout-seed.svg").is_file());
}

/// The training schedule with scripted models and a recording tuner: what each round trains
/// on (all data so far, or only the new round's when continuing), which adapter it continues,
/// which model the next round opens, and which merged folders are removed.
#[test]
fn rounds_train_on_the_right_data_and_sample_with_the_new_models() {
    for mode in [TrainMode::Restart, TrainMode::Continue] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = scripted_config();
        config.training.mode = mode;
        config.training.roles = vec![TrainRole::Solver];
        config.heldout = HeldoutConfig {
            samples: 2,
            max_problems: 2,
            ..HeldoutConfig::default()
        };
        let mut opened = Vec::new();
        let mut opener = |spec: &str| -> Result<Box<dyn Generator>, ModelError> {
            opened.push(spec.to_string());
            Ok(Scripted::boxed())
        };
        let mut tuner = RecordingTuner::default();
        let mut campaign = Campaign::open(dir.path(), Some(&config), sandbox()).expect("campaign");
        campaign
            .run(&mut opener, Some(&mut tuner), &mut |_| {})
            .expect("campaign runs");
        drop(campaign);
        check_consistent(dir.path(), &config);

        let store = Store::open(&Campaign::store_path(dir.path())).expect("store");
        let per_round: Vec<usize> = (1..=2)
            .map(|r| {
                store
                    .dataset_rounds(TrainRole::Solver, r, r)
                    .expect("rows")
                    .len()
            })
            .collect();
        assert!(per_round.iter().all(|&n| n > 0), "{per_round:?}");
        let round_dir = |r: u32| dir.path().join(format!("models/round-{r}/solver"));
        assert_eq!(tuner.jobs.len(), 2, "{:?}", tuner.jobs);
        assert_eq!(tuner.jobs[0], (TrainRole::Solver, 1, per_round[0], None));
        let (second_lines, continued) = match mode {
            TrainMode::Restart => (per_round[0] + per_round[1], None),
            TrainMode::Continue => (per_round[1], Some(round_dir(1).join("adapter"))),
        };
        assert_eq!(
            tuner.jobs[1],
            (TrainRole::Solver, 2, second_lines, continued)
        );

        // Round 2 sampled with round 1's solver; round 1's merged folder is gone once round
        // 2's replaced it, its adapter stays.
        let round1_model = round_dir(1).join("model").to_string_lossy().into_owned();
        assert!(opened.contains(&round1_model), "{opened:?}");
        assert!(!round_dir(1).join("model").exists());
        assert!(round_dir(1).join("adapter/adapter_config.json").is_file());
        assert!(round_dir(2).join("model/config.json").is_file());
        let heldout: Vec<(u32, String)> = store
            .heldout()
            .expect("held-out")
            .into_iter()
            .map(|h| (h.round, h.solver))
            .collect();
        assert_eq!(heldout.len(), 3);
        assert_eq!(heldout[1].1, round1_model);
    }
}

/// A campaign with `[warmup]` tunes each role on the warm-up set's puzzles before round 1 —
/// only those whose `sol` holds and that fit the role's length — after the held-out baseline
/// of the configured solver; round 1 samples with the warmed models, later training starts
/// from them, and a resumed campaign does not warm up again.
#[test]
fn a_warm_up_tunes_the_roles_before_round_one_and_later_training_starts_from_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("warm.json");
    let puzzle = |name: &str, sat: &str, body: &str| serde_json::json!({"name": name, "sat": sat, "sol_header": "def sol():", "sol_bodies": [body]});
    let long_sat = format!(
        "def sat(s: str):\n    return len(s) == 40 and s.count('a') == 20  # {}",
        "x".repeat(400)
    );
    let puzzles = serde_json::json!([
        puzzle(
            "Odd:0",
            "def sat(n: int):\n    return n % 2 == 1 and n > 1000",
            "    return 1001"
        ),
        puzzle(
            "Pal:0",
            "def sat(s: str):\n    return s == s[::-1] and len(s) == 9",
            "    return 'a' * 9"
        ),
        puzzle(
            "Wrong:0",
            "def sat(n: int):\n    return n * n == 49 and n < 0",
            "    return 7"
        ),
        puzzle("Long:0", &long_sat, "    return 'ab' * 20"),
    ]);
    std::fs::write(&set, puzzles.to_string()).expect("set");
    let mut config = scripted_config();
    config.rounds = 1;
    config.training.roles = vec![TrainRole::Solver];
    config.warmup.set = set.to_string_lossy().into_owned();
    config.heldout = HeldoutConfig {
        samples: 1,
        max_problems: 1,
        ..HeldoutConfig::default()
    };
    let mut opened = Vec::new();
    let mut opener = |spec: &str| -> Result<Box<dyn Generator>, ModelError> {
        opened.push(spec.to_string());
        Ok(Scripted::boxed())
    };
    let mut tuner = RecordingTuner::default();
    let mut warmed = Vec::new();
    let mut campaign = Campaign::open(dir.path(), Some(&config), sandbox()).expect("campaign");
    campaign
        .run(&mut opener, Some(&mut tuner), &mut |event| {
            if let CampaignEvent::Trained {
                round: 0,
                role,
                examples,
                ..
            } = event
            {
                warmed.push((*role, *examples));
            }
        })
        .expect("campaign runs");
    drop(campaign);

    let warm = |role: &str| dir.path().join(format!("models/warmup/{role}"));
    let model = |role: &str| warm(role).join("model").to_string_lossy().into_owned();
    // The proposer learns the three whose `sol` holds; the solver the two short ones.
    assert_eq!(
        warmed,
        vec![(TrainRole::Proposer, 3), (TrainRole::Solver, 2)]
    );
    assert_eq!(tuner.jobs[0], (TrainRole::Proposer, 0, 3, None));
    assert_eq!(tuner.jobs[1], (TrainRole::Solver, 0, 2, None));
    let default = crucible_model::DEFAULT_MODEL.to_string();
    assert_eq!(tuner.bases[..2], [default.clone(), default.clone()]);
    let proposer_data =
        std::fs::read_to_string(warm("proposer").join("train.jsonl")).expect("data");
    assert!(proposer_data.contains("1001") && !proposer_data.contains("n * n == 49"));
    assert!(proposer_data.contains("Python programming puzzle"));
    // The held-out baseline measured the configured solver, then the round sampled with the
    // warmed models, and the training after it started from the warmed solver.
    let store = Store::open(&Campaign::store_path(dir.path())).expect("store");
    let heldout = store.heldout().expect("held-out");
    assert_eq!(heldout[0].round, 0);
    assert_eq!(heldout[0].solver, default);
    assert!(opened.contains(&model("proposer")), "{opened:?}");
    assert!(opened.contains(&model("solver")), "{opened:?}");
    assert_eq!(tuner.jobs[2].0, TrainRole::Solver);
    assert_eq!(tuner.jobs[2].1, 1);
    assert_eq!(tuner.bases[2], model("solver"));
    let summary = TrainingSummary::read(&store)
        .expect("summary")
        .render_text();
    assert!(
        summary.contains("proposer in the warm-up: trained on 3 examples"),
        "{summary}"
    );
    drop(store);

    // Resumed: nothing is warmed up (or trained) again.
    let mut campaign = Campaign::open(dir.path(), None, sandbox()).expect("reopen");
    let mut again = RecordingTuner::default();
    let mut plain = |_: &str| -> Result<Box<dyn Generator>, ModelError> { Ok(Scripted::boxed()) };
    campaign
        .run(&mut plain, Some(&mut again), &mut |_| {})
        .expect("resumes");
    assert!(again.jobs.is_empty(), "{:?}", again.jobs);
}

/// A role with a replay file trains each round on its own examples and `replay_ratio` as
/// many conversations drawn from the file (another draw each round); a replay file that cannot
/// be read stops the campaign when it is opened, before any round.
#[test]
fn replayed_conversations_join_a_roles_training_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replay = dir.path().join("replay.jsonl");
    let lines: Vec<String> = (0..200)
        .map(|i| {
            serde_json::json!({"messages": [
                {"role": "user", "content": format!("Replayed request {i}.")},
                {"role": "assistant", "content": format!("Replayed answer {i}.")},
            ]})
            .to_string()
        })
        .collect();
    std::fs::write(&replay, lines.join("\n")).expect("replay file");
    let mut config = scripted_config();
    config.training.mode = TrainMode::Continue;
    config.training.roles = vec![TrainRole::Solver];
    config.training.replay_ratio = 0.5;
    config.training.replay = [(TrainRole::Solver, replay.to_string_lossy().into_owned())].into();
    let mut opener = |_: &str| -> Result<Box<dyn Generator>, ModelError> { Ok(Scripted::boxed()) };
    let mut tuner = RecordingTuner::default();
    let mut replayed = Vec::new();
    let mut campaign = Campaign::open(dir.path(), Some(&config), sandbox()).expect("campaign");
    campaign
        .run(&mut opener, Some(&mut tuner), &mut |event| {
            if let CampaignEvent::Replayed {
                own, replayed: n, ..
            } = event
            {
                replayed.push((*own, *n));
            }
        })
        .expect("campaign runs");
    drop(campaign);
    assert_eq!(replayed.len(), 2, "{replayed:?}");
    let data = |r: u32| {
        std::fs::read_to_string(
            dir.path()
                .join(format!("models/round-{r}/solver/train.jsonl")),
        )
        .expect("training data")
    };
    for (at, &(own, n)) in replayed.iter().enumerate() {
        assert!(own > 0);
        assert_eq!(n, own.div_ceil(2));
        assert_eq!(tuner.jobs[at].2, own + n);
        let text = data(at as u32 + 1);
        let from_file = text
            .lines()
            .filter(|l| lines.contains(&l.to_string()))
            .count();
        assert_eq!(from_file, n);
    }
    let drawn = |r: u32| -> Vec<String> {
        data(r)
            .lines()
            .filter(|l| lines.contains(&l.to_string()))
            .map(str::to_string)
            .collect()
    };
    assert_ne!(drawn(1), drawn(2), "each round draws afresh");

    let other = tempfile::tempdir().expect("tempdir");
    config.training.replay = [(TrainRole::Solver, "no/such/replay.jsonl".to_string())].into();
    let error = Campaign::open(other.path(), Some(&config), sandbox())
        .err()
        .expect("a missing replay file is an error");
    assert!(
        error.to_string().contains("no/such/replay.jsonl"),
        "{error}"
    );
}

/// A trained role whose base cannot be trained stops the campaign before round 1, with a
/// typed error that says which role and what to do, and no round is stored.
#[test]
fn an_untrainable_base_stops_the_campaign_before_round_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = scripted_config();
    config.training.roles = vec![TrainRole::Solver];
    let mut opener = |_: &str| -> Result<Box<dyn Generator>, ModelError> {
        panic!("no model is opened before the check")
    };
    let mut campaign = Campaign::open(dir.path(), Some(&config), sandbox()).expect("campaign");
    let error = campaign
        .run(&mut opener, Some(&mut RefusingTuner), &mut |_| {})
        .expect_err("the check fails");
    assert!(
        matches!(
            &error,
            SelfplayError::Untrainable { role, source: TuneError::Unsupported(_) } if *role == TrainRole::Solver
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("the solver's model cannot be trained: "),
        "{error}"
    );
    assert!(
        error.to_string().contains("training.enabled = false"),
        "{error}"
    );
    drop(campaign);
    let store = Store::open(&Campaign::store_path(dir.path())).expect("store");
    assert!(store.heldout().expect("held-out").is_empty());
}

#[test]
fn mutation_proposals_vary_a_seed_program_and_copies_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = CampaignConfig {
        name: "mutation".into(),
        puzzles_per_round: 8,
        attempts: 2,
        kinds: vec![PuzzleKind::Induction],
        mutation: 1.0,
        seed_set: seed_set(),
        seed: 5,
        ..CampaignConfig::default()
    };
    let store = run_with(dir.path(), &config, || Box::new(Mutator));
    let puzzles = store.puzzles(1).expect("puzzles");
    assert_eq!(puzzles.len(), 8);
    let mut copied = 0;
    for p in &puzzles {
        assert_eq!(p.topic, "variant of a seed program");
        // The seed shown in the first request, the program asked for from the named task.
        assert!(
            p.prompt
                .contains("programming task for a different function"),
            "{}",
            p.prompt
        );
        let second = p.prompt.split("[then asked, without the seed]").nth(1);
        assert!(
            second.is_some_and(|s| s.contains("Name the function `f`")),
            "{}",
            p.prompt
        );
        match &p.rejection {
            Some(r) if r.reason == Reason::CopiedParent => copied += 1,
            // The one free variant is valid once; later copies of it are near-duplicates.
            Some(r) => assert_eq!(r.reason, Reason::NearDuplicate),
            None => {
                let draft = p.draft.as_deref().expect("a valid puzzle has its draft");
                assert!(draft.contains("\"parent\""), "{draft}");
            }
        }
    }
    assert!(copied > 0, "no copy of a seed program was rejected");
    assert!(puzzles.iter().any(|p| p.rejection.is_none()));
}

#[test]
fn p3_mutation_proposals_vary_a_seed_puzzle_and_copies_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = CampaignConfig {
        name: "p3-mutation".into(),
        puzzles_per_round: 6,
        attempts: 1,
        kinds: vec![PuzzleKind::P3],
        mutation: 1.0,
        seed_set: seed_set(),
        seed: 5,
        // The seed puzzles come from the pools' P3 problems (here the seed set's).
        pools: vec![PoolConfig {
            name: "p3".into(),
            set: format!("{}/p3", seed_set()),
            per_round: 1,
            samples: 1,
            ..PoolConfig::default()
        }],
        ..CampaignConfig::default()
    };
    let store = run_with(dir.path(), &config, || Box::new(Mutator));
    let puzzles: Vec<_> = store
        .puzzles(1)
        .expect("puzzles")
        .into_iter()
        .filter(|p| !p.seed_task)
        .collect();
    assert_eq!(puzzles.len(), 6);
    let (mut copied, mut valid) = (0, 0);
    for p in &puzzles {
        assert!(crucible_eval::prompts::P3_CHANGES.contains(&p.topic.as_str()));
        assert!(p.prompt.contains("def sat(") && p.prompt.contains("def sol("));
        match &p.rejection {
            Some(r) if r.reason == Reason::CopiedParent => copied += 1,
            // A copied seed puzzle whose answer is a small number fails the trivial-answer
            // gate, which comes before the copy check.
            Some(r) => assert!(
                matches!(r.reason, Reason::NearDuplicate | Reason::TrivialSat),
                "{r:?}"
            ),
            None => {
                valid += 1;
                let draft = p.draft.as_deref().expect("a valid puzzle has its draft");
                // The parent kept is the seed puzzle's `sat`, without its `sol`.
                assert!(draft.contains("\"parent\":\"def sat("), "{draft}");
                assert!(!draft[draft.find("\"parent\"").unwrap_or(0)..].contains("def sol("));
            }
        }
    }
    assert!(copied > 0, "no copy of a seed puzzle was rejected");
    assert_eq!(valid, 1, "the one different puzzle is valid once");
}

#[test]
fn pool_tasks_that_got_nothing_are_retried_with_more_samples() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = CampaignConfig {
        name: "retry".into(),
        puzzles_per_round: 0,
        seed_set: seed_set(),
        pools: vec![PoolConfig {
            name: "seed-train".into(),
            set: seed_set(),
            per_round: 2,
            samples: 2,
            retry: 3,
            ..PoolConfig::default()
        }],
        ..CampaignConfig::default()
    };
    let store = run_with(dir.path(), &config, || Box::new(Retrier));
    let tasks = store.puzzles(1).expect("tasks");
    assert_eq!(tasks.len(), 2);
    for task in &tasks {
        let attempts = store.attempts(task.id).expect("attempts");
        let accepted: Vec<u32> = attempts
            .iter()
            .filter(|a| a.accepted())
            .map(|a| a.idx)
            .collect();
        assert_eq!(attempts.len(), 5, "2 samples, then 3 more");
        assert_eq!(accepted, vec![2, 3, 4]);
        let score = store.score(task.id).expect("score").expect("scored");
        assert_eq!(score.solve_rate, 0.6);
    }
    // Their solutions are training data like any other verified pair (the three retries of a
    // task are one distinct program).
    assert_eq!(store.dataset(TrainRole::Solver).expect("dataset").len(), 2);
}

#[test]
fn p3_puzzles_without_a_reference_stand_on_solvability() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = CampaignConfig {
        name: "solvability".into(),
        puzzles_per_round: 3,
        attempts: 2,
        kinds: vec![PuzzleKind::P3],
        seed_set: seed_set(),
        answer_types: vec!["List[int]".into(), "List[str]".into()],
        ..CampaignConfig::default()
    };
    let store = run_with(dir.path(), &config, || Box::new(Solvability::default()));
    let puzzles = store.puzzles(1).expect("puzzles");
    assert_eq!(puzzles.len(), 3);
    for p in &puzzles {
        // Each request names one of the configured answer types.
        assert!(
            p.prompt.contains("the answer, of type `List[int]`, and")
                || p.prompt.contains("the answer, of type `List[str]`, and"),
            "{}",
            p.prompt
        );
        let draft = p.draft.as_deref().unwrap_or_default();
        assert!(
            !draft.contains("\"sol\""),
            "no sol, or a failing one dropped: {draft}"
        );
        let attempts = store.attempts(p.id).expect("attempts");
        let accepted = attempts.iter().filter(|a| a.accepted()).count();
        assert_eq!(attempts.len(), 2, "every puzzle is attempted: {draft}");
        if draft.contains("min(li)") {
            assert_eq!(
                p.rejection.as_ref().map(|r| &r.reason),
                Some(&Reason::Unsolved)
            );
            assert_eq!(accepted, 0);
        } else {
            assert_eq!(p.rejection, None, "{draft}");
            assert_eq!(accepted, 1, "{draft}");
        }
    }
    // The proposer learns the puzzles in band with the solver's answer as their `sol`.
    let proposer = store.dataset(TrainRole::Proposer).expect("dataset");
    assert_eq!(proposer.len(), 2);
    assert!(proposer.iter().any(|row| row.contains("return -131")));
    assert!(proposer.iter().any(|row| row.contains("zqqqqqqqa")));
    // It learns each under the type its `sat` takes, whatever type its request named.
    for (answer, sat) in [("-131", "int"), ("zqqqqqqqa", "str")] {
        let row = proposer.iter().find(|r| r.contains(answer)).expect("row");
        assert!(
            row.contains(&format!("the answer, of type `{sat}`, and")),
            "{row}"
        );
    }
    let summary = &summarize(&store).expect("summary")[0];
    assert_eq!(summary.rejected.get("unsolved"), Some(&1));
    assert_eq!((summary.valid, summary.solved), (2, 2));
}

/// P3 proposals that fall short get feedback turns (`repairs`): the proposer sees what went
/// wrong and answers again, and the best of its drafts is kept.
#[test]
fn p3_proposals_that_fall_short_are_told_why_and_answer_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = CampaignConfig {
        name: "repairs".into(),
        puzzles_per_round: 3,
        attempts: 2,
        kinds: vec![PuzzleKind::P3],
        seed_set: seed_set(),
        repairs: 2,
        ..CampaignConfig::default()
    };
    let store = run_with(dir.path(), &config, || Box::new(Repairer::default()));
    let puzzles = store.puzzles(1).expect("puzzles");
    assert_eq!(puzzles.len(), 3);
    let turns = |reply: &str| reply.matches("[feedback]").count();
    for p in &puzzles {
        let draft = p.draft.as_deref().unwrap_or_default();
        assert_eq!(p.rejection, None, "{}", p.reply);
        if p.reply
            .starts_with("```python\ndef sat(x: int) -> bool:\n    return x >= 0")
        {
            // Told the trivial answer, it fixed the puzzle: one turn, the fix kept with its sol.
            assert_eq!(turns(&p.reply), 1, "{}", p.reply);
            assert!(
                p.reply.contains("sat accepts the trivial answer 0"),
                "{}",
                p.reply
            );
            assert!(
                draft.contains("count('zy')") && draft.contains("zyzyzyzyabck"),
                "{draft}"
            );
        } else if p.reply.contains("'qq'") {
            // Told what its sol returned, it answered twice with no code: its first draft is
            // kept, without the sol, and stands on the solver's attempts.
            assert_eq!(turns(&p.reply), 2, "{}", p.reply);
            assert!(
                p.reply
                    .contains("sol() returned 'qq', and sat of it is not True")
            );
            assert!(
                draft.contains("count('q')") && !draft.contains("\"sol\""),
                "{draft}"
            );
        } else {
            assert_eq!(
                turns(&p.reply),
                0,
                "a good puzzle needs no turn: {}",
                p.reply
            );
        }
    }
    let summary = &summarize(&store).expect("summary")[0];
    assert_eq!(summary.valid, 3);
    // The status line per kind counts them.
    let p3 = &summary.kinds["p3"];
    assert_eq!((p3.repaired, p3.repaired_valid), (2, 2));
    assert!(
        p3.describe()
            .contains("2 answered again after feedback (2 of them valid)"),
        "{}",
        p3.describe()
    );
}

/// A proposal request samples `drafts` replies and keeps the one that got furthest: a P3
/// puzzle whose `sol` holds beats a trivial one and one whose `sol` is wrong, unless it
/// repeats an earlier puzzle — then the best novel draft is kept.
#[test]
fn of_several_drafts_the_furthest_novel_one_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = CampaignConfig {
        name: "drafts".into(),
        rounds: 3,
        puzzles_per_round: 1,
        attempts: 2,
        kinds: vec![PuzzleKind::P3],
        seed_set: seed_set(),
        drafts: 4,
        training: TrainingConfig {
            enabled: false,
            ..TrainingConfig::default()
        },
        ..CampaignConfig::default()
    };
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = run_with(dir.path(), &config, || {
        Box::new(Drafter {
            asked: asked.clone(),
        })
    });
    assert_eq!(*asked.lock().expect("lock"), [4, 4, 4]);
    let first = &store.puzzles(1).expect("puzzles")[0];
    assert_eq!(first.rejection, None, "{}", first.reply);
    assert!(first.reply.contains("count('zy')"), "{}", first.reply);
    assert!(
        !first.reply.contains("x >= 0") && !first.reply.contains("'qq'"),
        "only the kept draft is stored: {}",
        first.reply
    );
    let draft = first.draft.as_deref().unwrap_or_default();
    assert!(draft.contains("zyzyzyzyabck"), "{draft}");
    // Round 2 gets the same drafts: the good one is now a repeat, so the one whose `sol`
    // holds once `sat`'s constants are fitted to it is kept, with the `sat` as written.
    let second = &store.puzzles(2).expect("puzzles")[0];
    assert_eq!(second.rejection, None, "{}", second.reply);
    let draft = second.draft.as_deref().unwrap_or_default();
    assert!(
        draft.contains("sum(li) == 11")
            && draft.contains("\"sat_as_written\"")
            && draft.contains("[1, 3, 7]"),
        "{draft}"
    );
    // Round 3: that one is a repeat too, so the one whose `sol` is wrong (and cannot be
    // fitted) is kept, and stands on the solver's attempts (which satisfy it).
    let third = &store.puzzles(3).expect("puzzles")[0];
    assert_eq!(third.rejection, None, "{}", third.reply);
    assert!(third.reply.contains("count('q')"), "{}", third.reply);
    let summary = summarize(&store).expect("summary");
    assert_eq!(
        (summary[0].valid, summary[1].valid, summary[2].valid),
        (1, 1, 1)
    );
    let fitted: Vec<u64> = summary.iter().map(|s| s.kinds["p3"].fitted).collect();
    assert_eq!(fitted, [0, 1, 0]);
    assert!(
        summary[1].kinds["p3"]
            .describe()
            .contains("1 with constants fitted to their sol")
    );
}

#[test]
fn a_campaign_judged_by_a_serve_fleet_stores_the_in_process_verdicts() {
    let run = |judge_url: Option<String>| {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = CampaignConfig {
            rounds: 1,
            judge_url,
            ..scripted_config()
        };
        let mut campaign = Campaign::open(dir.path(), Some(&config), sandbox()).expect("opens");
        let mut opener =
            |_: &str| -> Result<Box<dyn Generator>, ModelError> { Ok(Scripted::boxed()) };
        campaign.run(&mut opener, None, &mut |_| {}).expect("runs");
        let store = Store::open(&Campaign::store_path(dir.path())).expect("store");
        let mut verdicts = Vec::new();
        for puzzle in store.puzzles(1).expect("puzzles") {
            for attempt in store.attempts(puzzle.id).expect("attempts") {
                verdicts.push((puzzle.slot, attempt.idx, attempt.verdict));
            }
        }
        verdicts
    };
    let local = run(None);
    let remote = run(Some(judge_server()));
    assert!(local.iter().any(|v| v.2 == "AC") && local.iter().any(|v| v.2 != "AC"));
    assert_eq!(remote, local);
}
