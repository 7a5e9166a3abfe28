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

use crucible_cli::wiring::TrainTuner;
use crucible_model::{
    Completion, FinishReason, GenerationRequest, Generator, LocalModel, LocalModelConfig,
    ModelError, TEST_MODEL, default_models_dir, resolve_model,
};
use crucible_sandbox::{Sandbox, SandboxConfig};
use crucible_selfplay::{
    Campaign, CampaignConfig, CampaignEvent, HeldoutConfig, PoolConfig, PuzzleKind, Reason,
    SelfplayError, Store, TaskKind, TrainMode, TrainRole, TrainingConfig, TrainingSummary,
    TuneError, TuneJob, Tuned, Tuner, summarize, verify, write_report,
};
use std::path::Path;

fn seed_set() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../puzzles")
        .to_string_lossy()
        .into_owned()
}

fn sandbox() -> Sandbox {
    Sandbox::new(SandboxConfig {
        workers: 1,
        ..SandboxConfig::default()
    })
    .expect("sandbox")
}

fn tiny_config(model: &str) -> CampaignConfig {
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
fn check_consistent(dir: &Path, config: &CampaignConfig) {
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
    for kind in ["solver", "proposer"] {
        let path = dir.join("datasets").join(format!("{kind}.jsonl"));
        assert!(path.exists(), "{} missing", path.display());
    }
}

/// Runs `config` in `dir` with every model a fresh `make()` (a scripted generator), checks that
/// the store and the exported files agree, and opens the store.
fn run_with(dir: &Path, config: &CampaignConfig, make: impl Fn() -> Box<dyn Generator>) -> Store {
    let mut campaign = Campaign::open(dir, Some(config), sandbox()).expect("opens");
    let mut opener = |_: &str| -> Result<Box<dyn Generator>, ModelError> { Ok(make()) };
    campaign.run(&mut opener, None, &mut |_| {}).expect("runs");
    check_consistent(dir, config);
    Store::open(&Campaign::store_path(dir)).expect("store")
}

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

/// A finished completion of `text` (what the scripted generators answer).
fn completion(text: String) -> Completion {
    Completion {
        text,
        tokens: Vec::new(),
        logprobs: Vec::new(),
        finish: FinishReason::Stop,
        prompt_tokens: 0,
    }
}

/// Fixed replies chosen by the request's seed; fails once `fail_after` requests are served.
struct Scripted {
    served: usize,
    fail_after: Option<usize>,
}

const DOUBLE: &str = "Title: Double it\nStatement:\nRead one integer n from standard input and print twice its value.\n\
Solution:\n```python\nprint(2 * int(input()))\n```\nTests:\n```\n1\n```\n```\n5\n```\n```\n-4\n```\n";
const VOWELS: &str = "Here is a puzzle.\n## Title: Vowel count\n## Statement\nRead a line of lowercase letters and print how many vowels (a, e, i, o, u) it has.\n\
## Solution\n```python\ns = input().strip()\nprint(sum(c in 'aeiou' for c in s))\n```\n## Generator\n```python\ni = int(input())\nprint('abcdefghijklmnopqrstuvwxyz'[i:] * (i + 1))\n```\n";
const P3_GOOD: &str = "```python\ndef sat(x: int) -> bool:\n    return x * x == 17161\n\ndef sol():\n    return 131\n```";
const P3_TRIVIAL: &str = "```python\ndef sat(s: str) -> bool:\n    return len(s) < 3\n\ndef sol():\n    return 'ab'\n```";

impl Scripted {
    fn proposal(request: &GenerationRequest) -> String {
        let prompt = &request.messages.last().expect("a message").content;
        let pick = request.sampling.seed % 4;
        if prompt.contains("programming puzzle about") {
            return (if pick < 3 { P3_GOOD } else { P3_TRIVIAL }).to_string();
        }
        match pick {
            0 => DOUBLE.to_string(),
            1 => VOWELS.to_string(),
            2 => "I cannot write that.".to_string(),
            _ => DOUBLE
                .replace("print(2 * int(input()))", "print(2 * int(input())")
                .to_string(),
        }
    }

    /// Even samples are right, odd ones wrong (or without code). Seed-set problems are
    /// answered with their reference solution.
    fn attempt(prompt: &str, i: usize) -> String {
        let right = i.is_multiple_of(2);
        if let Some((_, solution)) = seed_solutions()
            .iter()
            .find(|(statement, _)| prompt.contains(statement.as_str()))
        {
            let code = if right { solution.as_str() } else { "print(0)" };
            return format!("```python\n{code}\n```");
        }
        if let Some((_, solution)) = seed_p3_solutions()
            .iter()
            .find(|(sat, _)| prompt.contains(sat.as_str()))
        {
            let code = if right { solution.as_str() } else { "print(0)" };
            return format!("```python\n{code}\n```");
        }
        let code = if prompt.contains("twice its value") {
            if right {
                "print(int(input()) * 2)"
            } else {
                "print(int(input()) + 2)"
            }
        } else if prompt.contains("vowels") {
            if right {
                "print(len([c for c in input() if c in 'aeiou']))"
            } else {
                "print(len(input()))"
            }
        } else if right {
            "def sol():\n    return -131"
        } else {
            return "The answer is 130.".to_string();
        };
        format!("```python\n{code}\n```")
    }
}

impl Generator for Scripted {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        _on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        self.served += 1;
        if self.fail_after.is_some_and(|n| self.served > n) {
            return Err(ModelError::Tokenizer("scripted failure".into()));
        }
        let prompt = &request.messages.last().expect("a message").content;
        let solver = prompt.starts_with("Solve the following")
            || prompt.starts_with("Find an input that makes");
        Ok((0..request.n)
            .map(|i| {
                completion(if solver {
                    Self::attempt(prompt, i)
                } else {
                    Self::proposal(request)
                })
            })
            .collect())
    }

    fn describe(&self) -> String {
        "scripted".into()
    }
}

/// (statement, Python reference) of the seed set's stdin/stdout problems.
fn seed_solutions() -> &'static Vec<(String, String)> {
    static SOLUTIONS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    SOLUTIONS.get_or_init(|| {
        let root = Path::new(&seed_set()).join("stdio");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(root).expect("seed set").flatten() {
            let read = |rel: &str| std::fs::read_to_string(entry.path().join(rel));
            if let (Ok(statement), Ok(solution)) = (
                read("problem_statement/problem.md"),
                read("submissions/accepted/sol.py"),
            ) {
                out.push((statement.trim().to_string(), solution));
            }
        }
        out
    })
}

/// (sat, reference sol) of the seed set's P3 puzzles.
fn seed_p3_solutions() -> &'static Vec<(String, String)> {
    static SOLUTIONS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    SOLUTIONS.get_or_init(|| {
        let path = Path::new(&seed_set()).join("p3/puzzles.json");
        let text = std::fs::read_to_string(path).expect("seed P3 puzzles");
        let puzzles: Vec<serde_json::Value> = serde_json::from_str(&text).expect("JSON");
        puzzles
            .iter()
            .map(|p| {
                let field = |k: &str| p[k].as_str().unwrap_or_default().to_string();
                let body = p["sol_bodies"][0].as_str().unwrap_or_default();
                (
                    field("sat").trim().to_string(),
                    format!("{}\n{body}", field("sol_header")),
                )
            })
            .collect()
    })
}

fn scripted_config() -> CampaignConfig {
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

fn run_scripted(dir: &Path, fail_after: Option<usize>) -> Result<(), String> {
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
    for kind in ["solver", "proposer"] {
        assert_eq!(
            resumed.dataset(kind).expect("rows"),
            store.dataset(kind).expect("rows")
        );
    }
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
            return Ok(Box::new(Scripted {
                served: 0,
                fail_after: None,
            }));
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

/// Records the jobs it is given and writes stand-in outputs (no real training).
#[derive(Default)]
struct RecordingTuner {
    /// (role, round, training lines, continued from)
    jobs: Vec<(String, u32, usize, Option<std::path::PathBuf>)>,
}

impl Tuner for RecordingTuner {
    fn tune(
        &mut self,
        job: &TuneJob<'_>,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Tuned, TuneError> {
        progress("step 1/1");
        let lines = std::fs::read_to_string(job.data)
            .map_err(TuneError::failed)?
            .lines()
            .count();
        for (dir, file) in [
            (job.adapter_dir, "adapter_config.json"),
            (job.model_dir, "config.json"),
        ] {
            std::fs::create_dir_all(dir).map_err(TuneError::failed)?;
            std::fs::write(dir.join(file), "{}").map_err(TuneError::failed)?;
        }
        self.jobs.push((
            job.role.name().to_string(),
            job.round,
            lines,
            job.init_adapter.map(Path::to_path_buf),
        ));
        Ok(Tuned {
            examples: lines,
            final_loss: Some(1.0),
        })
    }
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
            Ok(Box::new(Scripted {
                served: 0,
                fail_after: None,
            }))
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
            .map(|r| store.dataset_rounds("solver", r, r).expect("rows").len())
            .collect();
        assert!(per_round.iter().all(|&n| n > 0), "{per_round:?}");
        let round_dir = |r: u32| dir.path().join(format!("models/round-{r}/solver"));
        assert_eq!(tuner.jobs.len(), 2, "{:?}", tuner.jobs);
        assert_eq!(tuner.jobs[0], ("solver".into(), 1, per_round[0], None));
        let (second_lines, continued) = match mode {
            TrainMode::Restart => (per_round[0] + per_round[1], None),
            TrainMode::Continue => (per_round[1], Some(round_dir(1).join("adapter"))),
        };
        assert_eq!(tuner.jobs[1], ("solver".into(), 2, second_lines, continued));

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

/// A tuner that cannot train its base.
struct RefusingTuner;

impl Tuner for RefusingTuner {
    fn check(&self, base: &str) -> Result<(), TuneError> {
        Err(TuneError::Unsupported(format!(
            "{base} is not a .gguf file"
        )))
    }

    fn tune(&mut self, _: &TuneJob<'_>, _: &mut dyn FnMut(&str)) -> Result<Tuned, TuneError> {
        panic!("a base that cannot be trained is never tuned")
    }
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
            SelfplayError::Untrainable { role, source: TuneError::Unsupported(_) } if role == "solver"
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("training.enabled = false"),
        "{error}"
    );
    drop(campaign);
    let store = Store::open(&Campaign::store_path(dir.path())).expect("store");
    assert!(store.heldout().expect("held-out").is_empty());
}

/// Proposes variants of the built-in seed programs: even seeds copy the program they were
/// given (with its own calls), odd ones write a different function.
struct Mutator;

const VARIANT: &str = "Description: Sums i * k over i below n, modulo 97.\n\n```python\n\
def f(n: int, k: int) -> int:\n    return sum(i * k for i in range(n)) % 97\n\n\
f(3, 2)\nf(10, 3)\nf(7, 7)\nf(20, 1)\nf(5, 11)\nf(0, 4)\nf(12, 5)\nf(9, 9)\nf(31, 2)\nf(4, 40)\n```\n";

impl Generator for Mutator {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        _on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let prompt = &request.messages.last().expect("a message").content;
        let text = if prompt.contains("variant of it") {
            let example = crucible_selfplay::program::example_drafts()
                .into_iter()
                .find(|d| prompt.contains(d.code.trim_end()))
                .expect("the prompt shows a seed program");
            if request.sampling.seed.is_multiple_of(2) {
                let inputs: Vec<&str> = example.inputs.iter().map(String::as_str).collect();
                crucible_selfplay::program::render_program(&example, &inputs)
            } else {
                VARIANT.to_string()
            }
        } else {
            "No code.".to_string()
        };
        Ok((0..request.n).map(|_| completion(text.clone())).collect())
    }

    fn describe(&self) -> String {
        "mutator".into()
    }
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
        assert!(p.prompt.contains("variant of it"), "{}", p.prompt);
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

/// A solver that fails every first sample and solves every retry (requests of 3 samples).
struct Retrier;

impl Generator for Retrier {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        _on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let prompt = &request.messages.last().expect("a message").content;
        Ok((0..request.n)
            .map(|_| {
                completion(if request.n == 3 {
                    Scripted::attempt(prompt, 0)
                } else {
                    "```python\nprint(0)\n```".to_string()
                })
            })
            .collect())
    }

    fn describe(&self) -> String {
        "retrier".into()
    }
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
    assert_eq!(store.dataset("solver").expect("dataset").len(), 2);
}

/// Proposes three P3 puzzles in turn: a solvable `sat` without `sol`, another with a wrong
/// `sol`, and one nothing satisfies. Solves them right on even samples.
#[derive(Default)]
struct Solvability {
    proposed: usize,
}

const SAT_SQUARE: &str = "def sat(x: int) -> bool:\n    return x * x == 17161\n";
const SAT_LETTERS: &str =
    "def sat(s: str) -> bool:\n    return s.count('q') == 7 and len(s) == 9 and s[0] == 'z'\n";
const SAT_NONE: &str = "def sat(li: List[int]) -> bool:\n    return len(li) == 2 and li[0] + li[1] == 3 and min(li) > 4\n";

impl Generator for Solvability {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        _on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let prompt = &request.messages.last().expect("a message").content;
        let text = |i: usize| {
            if prompt.contains("programming puzzle about") {
                return match self.proposed % 3 {
                    0 => format!("```python\n{SAT_SQUARE}```"),
                    1 => format!("```python\n{SAT_LETTERS}\ndef sol():\n    return 'qq'\n```"),
                    _ => format!("```python\n{SAT_NONE}\ndef sol():\n    return [5, 6]\n```"),
                };
            }
            let answer = match (i % 2, prompt.contains("17161"), prompt.contains("'q'")) {
                (1, _, _) => "7",
                (_, true, _) => "-131",
                (_, _, true) => "'zqqqqqqqa'",
                _ => "[1, 2]",
            };
            format!("```python\ndef sol():\n    return {answer}\n```")
        };
        let replies = (0..request.n).map(|i| completion(text(i))).collect();
        if prompt.contains("programming puzzle about") {
            self.proposed += 1;
        }
        Ok(replies)
    }

    fn describe(&self) -> String {
        "solvability".into()
    }
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
        ..CampaignConfig::default()
    };
    let store = run_with(dir.path(), &config, || Box::new(Solvability::default()));
    let puzzles = store.puzzles(1).expect("puzzles");
    assert_eq!(puzzles.len(), 3);
    for p in &puzzles {
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
    let proposer = store.dataset("proposer").expect("dataset");
    assert_eq!(proposer.len(), 2);
    assert!(proposer.iter().any(|row| row.contains("return -131")));
    assert!(proposer.iter().any(|row| row.contains("zqqqqqqqa")));
    let summary = &summarize(&store).expect("summary")[0];
    assert_eq!(summary.rejected.get("unsolved"), Some(&1));
    assert_eq!((summary.valid, summary.solved), (2, 2));
}

/// Starts `crucible serve` on 127.0.0.1:0 in a thread of its own; its base URL.
fn judge_server() -> String {
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
        let mut opener = |_: &str| -> Result<Box<dyn Generator>, ModelError> {
            Ok(Box::new(Scripted {
                served: 0,
                fail_after: None,
            }))
        };
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
