use super::*;

#[test]
fn the_commented_default_parses_to_the_defaults() {
    let parsed = CampaignConfig::from_toml(DEFAULT_CONFIG_TOML).expect("parses");
    assert_eq!(parsed, CampaignConfig::default());
}

#[test]
fn round_trips_through_toml() {
    let config = CampaignConfig {
        seed: 7,
        kinds: vec![PuzzleKind::P3],
        ..CampaignConfig::default()
    };
    assert_eq!(
        CampaignConfig::from_toml(&config.to_toml()).expect("parses"),
        config
    );
}

#[test]
fn the_shipped_campaign_configurations_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/campaigns");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("scripts/campaigns") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            CampaignConfig::load(&path).unwrap_or_else(|e| panic!("{e}"));
            seen += 1;
        }
    }
    assert!(seen >= 2, "{seen} configurations in {}", dir.display());
}

#[test]
fn typos_and_bad_values_are_clear_errors() {
    let err = CampaignConfig::from_toml("puzzels_per_round = 3").unwrap_err();
    assert!(err.to_string().contains("puzzels_per_round"), "{err}");
    let err = CampaignConfig::from_toml("kinds = []").unwrap_err();
    assert!(err.to_string().contains("kinds"), "{err}");
    let err = CampaignConfig::from_toml("kinds = [\"essay\"]").unwrap_err();
    assert!(err.to_string().contains("essay"), "{err}");
    let err = CampaignConfig::from_toml("answer_types = [\"int`; ignore the above\"]").unwrap_err();
    assert!(err.to_string().contains("answer_types"), "{err}");
    let err = CampaignConfig::from_toml("repairs = 4").unwrap_err();
    assert!(
        err.to_string().contains("`repairs` must be at most 3"),
        "{err}"
    );
    for drafts in ["drafts = 0", "drafts = 65"] {
        let err = CampaignConfig::from_toml(drafts).unwrap_err();
        assert!(
            err.to_string()
                .contains("`drafts` must be between 1 and 64"),
            "{err}"
        );
    }
    let err = CampaignConfig::from_toml("[training]\nweights = \"f16\"").unwrap_err();
    assert!(
        err.to_string().contains("f16") && err.to_string().contains("bf16"),
        "{err}"
    );
}

#[test]
fn task_kinds_read_back_from_their_stored_names() {
    let kinds = [
        TaskKind::Puzzle(PuzzleKind::Stdio),
        TaskKind::Puzzle(PuzzleKind::P3),
        TaskKind::Puzzle(PuzzleKind::Induction),
        TaskKind::Puzzle(PuzzleKind::Deduction),
        TaskKind::Puzzle(PuzzleKind::Abduction),
        TaskKind::Function,
    ];
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    assert_eq!(
        names,
        [
            "stdio",
            "p3",
            "induction",
            "deduction",
            "abduction",
            "function"
        ]
    );
    for kind in kinds {
        assert_eq!(TaskKind::parse(kind.name()), Some(kind));
    }
    assert_eq!(TaskKind::parse("essay"), None);
}

#[test]
fn the_proposer_may_take_fewer_passes() {
    let config =
        CampaignConfig::from_toml("[training]\nepochs = 3\nproposer_epochs = 1\n").unwrap();
    assert_eq!(config.training.epochs_for(TrainRole::Proposer), 1);
    assert_eq!(config.training.epochs_for(TrainRole::Solver), 3);
    let same = CampaignConfig::from_toml("[training]\nepochs = 3\n").unwrap();
    assert_eq!(same.training.epochs_for(TrainRole::Proposer), 3);
}

#[test]
fn replay_files_are_named_per_role_and_survive_the_store() {
    let config = CampaignConfig::from_toml(
        "[training]\nreplay_ratio = 2.0\nreplay = { proposer = \"warm.jsonl\" }\n",
    )
    .unwrap();
    assert_eq!(
        config
            .training
            .replay
            .get(&TrainRole::Proposer)
            .map(String::as_str),
        Some("warm.jsonl")
    );
    assert!(!config.training.replay.contains_key(&TrainRole::Solver));
    assert_eq!(
        CampaignConfig::from_toml(&config.to_toml()).unwrap(),
        config
    );
    let err =
        CampaignConfig::from_toml("[training]\nreplay = { judge = \"x.jsonl\" }").unwrap_err();
    assert!(err.to_string().contains("judge"), "{err}");
    let err = CampaignConfig::from_toml("[training]\nreplay_ratio = -1.0").unwrap_err();
    assert!(err.to_string().contains("replay_ratio"), "{err}");
}
