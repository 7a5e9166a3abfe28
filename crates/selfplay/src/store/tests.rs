//! Tests of the store: idempotent commits, refusing foreign files, upgrades.

use super::*;
use crate::config::CampaignConfig;
use crate::similarity::Fingerprint;

fn row(slot: u32, valid: bool) -> PuzzleRow {
    PuzzleRow {
        id: 0,
        round: 1,
        slot,
        kind: "stdio".into(),
        topic: "strings".into(),
        difficulty: "easy".into(),
        seed: u64::MAX - 3,
        prompt: "write".into(),
        reply: "reply".into(),
        rejection: (!valid).then(|| ("format_no_code".to_string(), "no block".to_string())),
        title: None,
        statement: valid.then(|| "Read n, print n.".to_string()),
        draft: None,
        tests: None,
        fingerprint: valid.then(|| Fingerprint::of("Read n, print n.")),
        seed_task: false,
        task: None,
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
    assert_eq!(back[1].rejection.as_ref().unwrap().0, "format_no_code");
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
        role: "solver".into(),
        spec: "models/round-1/solver".into(),
        examples: 3,
        final_loss: Some(0.5),
        seconds: 1.0,
    };
    store.set_model(&row).unwrap();
    assert_eq!(store.model(2, "solver").unwrap(), Some(row));
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
