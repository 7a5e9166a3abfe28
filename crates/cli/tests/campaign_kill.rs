//! `kill -9` of a running `crucible campaign run` mid-round, then `crucible campaign resume`:
//! nothing committed is lost or changed, nothing is stored twice, and the result equals an
//! uninterrupted run with the same configuration (seeds derive from round and slot).

use crucible_model::{TEST_MODEL, default_models_dir, resolve_model};
use crucible_selfplay::{Campaign, CampaignConfig, Decision, Store, verify};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn snapshot(dir: &Path) -> Vec<Decision> {
    Store::open(&Campaign::store_path(dir))
        .and_then(|s| s.decisions())
        .expect("store reads")
}

fn committed(dir: &Path) -> usize {
    let path = Campaign::store_path(dir);
    if !path.exists() {
        return 0;
    }
    Store::open(&path)
        .ok()
        .and_then(|s| s.committed_slots(1).ok())
        .map_or(0, |s| s.len())
}

fn crucible(args: &[&str], config: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crucible"));
    cmd.args(args)
        .arg(dir)
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if !config.as_os_str().is_empty() {
        cmd.arg("--config").arg(config);
    }
    cmd
}

/// A running `crucible`, killed when dropped: a failed assertion leaves no campaign running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn kill_9_mid_round_then_resume_matches_an_uninterrupted_run() {
    if resolve_model(TEST_MODEL, &default_models_dir()).is_err() {
        eprintln!("skipped: {TEST_MODEL} is not fetched (run ./setup.sh)");
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    let mut config = CampaignConfig {
        name: "kill".into(),
        // Eight proposals, one request per model call, so puzzles commit one at a time and the
        // kill lands between them: with three, a fast run (the test model's replies are often
        // short and all rejected) could commit them all and exit between two looks.
        puzzles_per_round: 8,
        attempts: 2,
        batch: 1,
        seed_set: Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../puzzles")
            .to_string_lossy()
            .into_owned(),
        ..CampaignConfig::default()
    };
    config.proposer.model = TEST_MODEL.into();
    config.solver.model = TEST_MODEL.into();
    config.proposer.max_new_tokens = 160;
    config.solver.max_new_tokens = 96;
    // Training between rounds has its own end-to-end test (tests/campaign.rs).
    config.training.enabled = false;
    let config_path = work.path().join("campaign.toml");
    std::fs::write(&config_path, config.to_toml()).expect("config");

    let straight: PathBuf = work.path().join("straight");
    let status = crucible(&["campaign", "run", "--dir"], &config_path, &straight)
        .status()
        .expect("crucible runs");
    assert!(status.success());

    let killed = work.path().join("killed");
    let log = work.path().join("killed.log");
    let mut child = Running(
        crucible(&["campaign", "run", "--dir"], &config_path, &killed)
            .stderr(std::fs::File::create(&log).expect("log"))
            .spawn()
            .expect("crucible starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(600);
    while committed(&killed) == 0 {
        assert!(Instant::now() < deadline, "no puzzle committed in time");
        if let Some(status) = child.0.try_wait().expect("wait") {
            panic!(
                "the campaign ended ({status}) before it could be killed:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.0.kill().expect("SIGKILL");
    child.0.wait().expect("reaped");
    let kept = snapshot(&killed);
    assert!(
        !kept.is_empty() && kept.len() < 8,
        "killed after {} puzzles",
        kept.len()
    );

    let status = crucible(&["campaign", "resume"], Path::new(""), &killed)
        .status()
        .expect("resume runs");
    assert!(status.success());
    let resumed = snapshot(&killed);
    assert_eq!(&resumed[..kept.len()], &kept[..], "committed work changed");
    assert_eq!(resumed, snapshot(&straight));
    let problems = verify(&killed).expect("verify runs");
    assert!(problems.is_empty(), "{problems:#?}");
}
