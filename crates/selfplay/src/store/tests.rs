//! Tests of the store: idempotent commits, refusing foreign files, upgrades.

use super::*;
use crate::config::{CampaignConfig, PuzzleKind, TaskKind, TrainRole};
use crate::similarity::Fingerprint;
use crate::verdicts::{FormatProblem, Reason, Rejection};

fn row(slot: u32, valid: bool) -> PuzzleRow {
    PuzzleRow {
        topic: "strings".into(),
        difficulty: "easy".into(),
        seed: u64::MAX - 3,
        prompt: "write".into(),
        reply: "reply".into(),
        rejection: (!valid)
            .then(|| Rejection::new(Reason::Format(FormatProblem::NoCode), "no block")),
        statement: valid.then(|| "Read n, print n.".to_string()),
        fingerprint: valid.then(|| Fingerprint::of("Read n, print n.")),
        ..PuzzleRow::empty(1, slot, TaskKind::Puzzle(PuzzleKind::Stdio))
    }
}

#[test]
fn commits_are_idempotent_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = Store::open(&path).unwrap();
    store.campaign_config(&CampaignConfig::default()).unwrap();
    store.start_round(1).unwrap();
    let t = StageTime {
        propose: 1.5,
        ..StageTime::default()
    };
    let a = store.commit_puzzle(&row(0, true), &t).unwrap();
    let again = store.commit_puzzle(&row(0, true), &t).unwrap();
    assert_eq!(a, again);
    store.commit_puzzle(&row(1, false), &t).unwrap();
    assert_eq!(store.committed_slots(1).unwrap(), vec![0, 1]);
    assert_eq!(store.round_time(1).unwrap().propose, 3.0);
    let back = store.puzzles(1).unwrap();
    assert_eq!(back[0].seed, u64::MAX - 3);
    assert_eq!(back[0].fingerprint, row(0, true).fingerprint);
    assert_eq!(
        back[1].rejection.as_ref().unwrap().reason,
        Reason::Format(FormatProblem::NoCode)
    );
    assert_eq!(store.unsolved(1).unwrap().len(), 1);

    let attempt = AttemptRow {
        idx: 0,
        reply: "r".into(),
        code: Some("print(1)".into()),
        verdict: "AC".into(),
        passed: 2,
        total: 2,
        per_test: vec![true, true],
        message: String::new(),
    };
    let score = PuzzleScore {
        solve_rate: 1.0,
        learnable: false,
        reward_azr: 0.0,
        reward_sqlm: 0.0,
        discrimination: Some(0.0),
    };
    store
        .commit_attempts(a, std::slice::from_ref(&attempt), &score, &t, None)
        .unwrap();
    store
        .commit_attempts(a, &[attempt.clone(), attempt.clone()], &score, &t, None)
        .unwrap();
    assert_eq!(store.attempts(a).unwrap(), vec![attempt]);
    assert_eq!(store.score(a).unwrap(), Some(score));
    assert!(store.unsolved(1).unwrap().is_empty());
    assert_eq!(store.round_counts(1).unwrap(), (1, 1));
    assert_eq!(store.round_counts(2).unwrap(), (0, 0));
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert_eq!(
        reopened.stored_config().unwrap(),
        Some(CampaignConfig::default())
    );
}

#[test]
fn refuses_foreign_databases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE t (x)").unwrap();
    drop(conn);
    let err = Store::open(&path).err().expect("refused");
    assert!(err.to_string().contains("not a campaign store"), "{err}");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE t; CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('schema_version', '99')").unwrap();
    drop(conn);
    let err = Store::open(&path).err().expect("refused");
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

#[test]
fn processes_opening_a_new_store_at_once_all_succeed() {
    // A running campaign and a reader (`campaign status`, a test polling the store) may open a
    // store that does not exist yet at the same moment: neither may see half the schema.
    for _ in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let opened: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6).map(|_| s.spawn(|| Store::open(&path))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for store in opened {
            let store = store.unwrap();
            assert_eq!(store.committed_slots(1).unwrap(), Vec::<u32>::new());
        }
    }
}

#[test]
fn version_1_stores_are_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("campaign.db");
    let mut store = Store::open(&path).unwrap();
    store.start_round(1).unwrap();
    store
        .commit_puzzle(&row(0, true), &StageTime::default())
        .unwrap();
    drop(store);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE model; DROP TABLE evaluation; ALTER TABLE puzzle DROP COLUMN origin;
         ALTER TABLE puzzle DROP COLUMN task;
         UPDATE meta SET value = '1' WHERE key = 'schema_version'",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).expect("upgraded");
    assert_eq!(store.rounds().unwrap(), vec![1]);
    let kept = store.puzzles(1).unwrap();
    assert_eq!(kept.len(), 1);
    assert!(!kept[0].seed_task);
    let row = ModelRow {
        round: 2,
        role: TrainRole::Solver,
        spec: "models/round-1/solver".into(),
        examples: 3,
        final_loss: Some(0.5),
        seconds: 1.0,
    };
    store.set_model(&row).unwrap();
    assert_eq!(store.model(2, TrainRole::Solver).unwrap(), Some(row));
    drop(store);
    let version: String = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION.to_string());
}

#[test]
fn version_3_held_out_rows_become_the_seed_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("campaign.db");
    let mut store = Store::open(&path).unwrap();
    store.start_round(1).unwrap();
    let mut pool_task = row(0, true);
    pool_task.seed_task = true;
    pool_task.task = Some(crate::pools::TaskRef {
        pool: "mbpp".into(),
        id: "mbpp/601".into(),
    });
    store
        .commit_puzzle(&pool_task, &StageTime::default())
        .unwrap();
    assert_eq!(store.puzzles(1).unwrap()[0].task, pool_task.task);
    drop(store);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE evaluation; ALTER TABLE puzzle DROP COLUMN task;
         CREATE TABLE heldout (round INTEGER PRIMARY KEY, solver TEXT NOT NULL,
             problems INTEGER NOT NULL, samples INTEGER NOT NULL, pass1 REAL NOT NULL,
             passk REAL NOT NULL, seconds REAL NOT NULL, results TEXT NOT NULL);
         INSERT INTO heldout VALUES (0, 'base', 2, 5, 0.1, 0.5, 3.0,
             '[{\"id\":\"a\",\"n\":5,\"c\":1},{\"id\":\"b\",\"n\":5,\"c\":0}]');
         UPDATE meta SET value = '3' WHERE key = 'schema_version'",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).expect("upgraded");
    let rows = store.heldout().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].set.as_str(), rows[0].greedy), ("seed", None));
    assert_eq!(
        rows[0].results[0],
        ProblemScore {
            id: "a".into(),
            n: 5,
            c: 1,
            greedy: None
        }
    );
    assert_eq!(store.puzzles(1).unwrap()[0].task, None);
}

#[test]
fn typed_rows_are_stored_by_name_and_read_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("c.db")).unwrap();
    store.start_round(1).unwrap();
    let mut rejected = row(0, false);
    rejected.kind = TaskKind::Puzzle(PuzzleKind::Abduction);
    rejected.rejection = Some(Rejection::new(Reason::NearDuplicate, "similarity 0.93"));
    let mut retired = row(1, false);
    retired.rejection = Some(Rejection::new(Reason::Other("retired_reason".into()), ""));
    let mut pool_task = row(2, true);
    pool_task.kind = TaskKind::Function;
    pool_task.seed_task = true;
    pool_task.task = Some(crate::pools::TaskRef {
        pool: "mbpp".into(),
        id: "mbpp/601".into(),
    });
    let mut rows = [rejected, retired, pool_task];
    for row in &mut rows {
        row.id = store.commit_puzzle(row, &StageTime::default()).unwrap();
    }
    assert_eq!(store.puzzles(1).unwrap(), rows);
    assert_eq!(store.puzzle(rows[2].id).unwrap().as_ref(), Some(&rows[2]));
    let stored: Vec<(String, Option<String>, Option<String>)> = store
        .conn
        .prepare("SELECT kind, reason, detail FROM puzzle ORDER BY slot")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let named = |kind: &str, reason: Option<&str>, detail: Option<&str>| {
        (
            kind.to_string(),
            reason.map(str::to_string),
            detail.map(str::to_string),
        )
    };
    assert_eq!(
        stored,
        vec![
            named("abduction", Some("near_duplicate"), Some("similarity 0.93")),
            named("stdio", Some("retired_reason"), Some("")),
            named("function", None, None),
        ]
    );
    let reasons: Vec<Option<Reason>> = store
        .decisions()
        .unwrap()
        .into_iter()
        .map(|d| d.rejection)
        .collect();
    assert_eq!(
        reasons,
        vec![
            Some(Reason::NearDuplicate),
            Some(Reason::Other("retired_reason".into())),
            None
        ]
    );

    let dataset = DatasetRow {
        kind: TrainRole::Proposer,
        puzzle_id: rows[2].id,
        attempt_idx: -1,
        messages: "{}".into(),
    };
    store
        .finish_round(1, &[dataset], &StageTime::default())
        .unwrap();
    assert_eq!(
        store.dataset(TrainRole::Proposer).unwrap(),
        vec!["{}".to_string()]
    );
    let model = ModelRow {
        round: 2,
        role: TrainRole::Proposer,
        spec: "models/round-1/proposer".into(),
        examples: 1,
        final_loss: None,
        seconds: 2.0,
    };
    store.set_model(&model).unwrap();
    assert_eq!(store.models().unwrap(), vec![model]);
    let role: String = store
        .conn
        .query_row("SELECT role FROM model", [], |r| r.get(0))
        .unwrap();
    assert_eq!(role, "proposer");
}

#[test]
fn unknown_kinds_in_the_store_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("c.db")).unwrap();
    store.start_round(1).unwrap();
    let id = store
        .commit_puzzle(&row(0, true), &StageTime::default())
        .unwrap();
    store
        .conn
        .execute("UPDATE puzzle SET kind = 'sorting' WHERE id = ?1", [id])
        .unwrap();
    for err in [
        store.puzzles(1).err(),
        store.puzzle(id).err(),
        store.unsolved(1).err(),
        store.decisions().err(),
    ] {
        let err = err.expect("an unknown kind is an error");
        assert!(matches!(err, SelfplayError::Schema { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("puzzle {id} has the kind `sorting`")),
            "{message}"
        );
    }

    // The schema refuses other roles; a store written without its checks is still read safely.
    store
        .conn
        .execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             INSERT INTO model (round, role, spec, examples, final_loss, seconds)
                 VALUES (2, 'critic', 'm', 0, NULL, 0.0);",
        )
        .unwrap();
    let message = store
        .models()
        .expect_err("an unknown role is an error")
        .to_string();
    assert!(message.contains("role `critic`"), "{message}");
}
