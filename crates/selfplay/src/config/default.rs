//! The commented default configuration `crucible campaign init` writes (a test checks it parses
//! to `CampaignConfig::default()`, field by field).

/// The commented configuration `crucible campaign init` writes (it parses to the defaults).
pub const DEFAULT_CONFIG_TOML: &str = r#"# Crucible campaign configuration. Every field is optional; these are the defaults.

# A name for reports.
name = "campaign"
# Master seed: every proposal and attempt derives its own seed from it, so a resumed campaign
# re-creates exactly the work it lost.
seed = 0
# Rounds to run, puzzles proposed per round, and solutions written per valid puzzle (k).
rounds = 1
puzzles_per_round = 8
attempts = 8
# Seed-set train problems the solver also attempts each round, k times each (STaR / ReST-EM on
# problems with known tests); a window that moves on each round. Their verified solutions join
# the solver's training data — useful when the proposer's puzzles are rarely valid. 0: none.
seed_tasks_per_round = 0
# Most solver training examples kept per puzzle or pool problem (m); the most different
# accepted solutions win.
max_pairs_per_puzzle = 2
# Problem sets with trusted tests that the solver practises on each round (expert iteration:
# k samples per problem, the verified ones become training data), as [[pools]] tables:
#   [[pools]]
#   name = "mbpp"             # a short unique name
#   set = "puzzles/mbpp"      # any set `crucible eval` reads
#   split = "train"           # "train" (marked train) or "all" (all but held-out problems)
#   per_round = 0             # problems per round, a moving window (0: all of them)
#   samples = 8               # k per problem (0: `attempts`)
#   retry = 0                 # more samples for a problem none of the k solved (0: none)
#   band = false              # train only on problems some but not all samples solve
pools = []
# Puzzle kinds, proposed in turn: "stdio" (statement + reference + tests), "p3" (sat/sol),
# and the program-first "induction" / "deduction" / "abduction" (a function f and calls of it;
# the sandbox computes the results; the solver writes f from examples, works out a result, or
# finds arguments for a result).
kinds = ["stdio", "p3"]
# Language of stdin/stdout reference solutions and of the solver's attempts: python, cpp or c.
language = "python"
# Seed set for few-shot examples (its train split) and the copy check.
seed_set = "puzzles"
# Few-shot examples shown to the proposer. 0 by default: measured with the 0.5B model, one
# example made it copy the example in 6 of 16 proposals (see BENCHMARKS.md).
few_shot = 0
# More problem sets whose puzzles a proposal must not copy (the seed set's train split always
# counts): the data a proposer model was fine-tuned on, e.g. ["puzzles/p3-train"].
copy_check = []
# Problem sets whose short P3 puzzles (sat and sol within 300 bytes) are shown as P3 few-shot
# examples beside the built-in ones, and join the copy check: e.g. ["puzzles/p3-train"].
p3_examples = []
# Share (0 to 1) of program-first and P3 proposals that vary a seed instead of writing a new one:
# a reference solution of a function problem in `pools` (else a built-in example), or a P3
# puzzle of `pools` with its `sol`.
mutation = 0.0
# Topics sampled for proposals.
topics = ["arithmetic", "strings", "sorting", "counting", "prefix sums", "greedy choices",
          "simulation", "number theory", "arrays", "searching", "dynamic programming",
          "parsing text", "geometry on a grid", "dates and times", "bit manipulation",
          "combinatorics"]
# Answer types a new P3 puzzle is asked for, one drawn per proposal (a type listed twice is drawn
# twice as often), e.g. ["List[int]", "int", "str", "List[List[int]]"]; empty: none named.
answer_types = []
# Feedback turns a P3 proposal gets when its code does not compile, a trivial answer satisfies
# its `sat`, or its `sol` fails: the proposer sees what went wrong and answers again (0: none).
repairs = 0
# Replies sampled for each proposal request; the one that got furthest (a P3 `sol` that holds,
# then the gates passed), preferably no near-duplicate, is kept (1: one reply).
drafts = 1
# Model requests decoded together (a local model batches them; a remote one sends them at once).
batch = 8
# Sandbox worker threads (0: one per core, less one for the model).
sandbox_workers = 0
# Judge attempts and held-out samples on a `crucible serve` fleet instead of in-process
# (bearer token from $CRUCIBLE_JUDGE_TOKEN); unset: the in-process sandbox.
# judge_url = "http://judge.internal:8080"
# Estimated Jaccard similarity (word 3-grams, MinHash) at which a statement counts as a
# near-duplicate of an earlier puzzle or of a few-shot example.
near_duplicate_threshold = 0.7

[proposer]
# A known model name (crucible model list), a .gguf path, or an OpenAI-compatible URL.
model = "qwen2.5-coder-0.5b-instruct"
temperature = 0.8
top_p = 0.95
max_new_tokens = 640

[solver]
model = "qwen2.5-coder-0.5b-instruct"
temperature = 0.8
top_p = 0.95
max_new_tokens = 400

[limits]
# Limits of proposed puzzles: CPU time per test on the sandbox's calibrated clock, and memory
# per run. Pool tasks are judged as `crucible eval` judges them (5 s, 512 MiB).
time_ms = 2000
memory_mib = 256
# A stdin/stdout puzzle needs at least min_tests distinct inputs; at most max_tests are kept.
min_tests = 3
max_tests = 10
# Largest test input or expected output kept, bytes.
max_test_bytes = 1048576

[warmup]
# Before round 1, fine-tune the roles on a P3 set's puzzles, asked as the campaign asks them:
# the proposer its P3 request answered by each puzzle, the solver the solve request answered by
# its `sol` (P3's train puzzles: set = "puzzles/p3-train"; the default 0.5B then writes P3-style
# puzzles). Later rounds train on from the warmed models; the set joins the copy check. Empty
# `set`: no warm-up.
set = ""
roles = ["proposer", "solver"]
epochs = 1
# Conversations per optimizer step.
batch_size = 16
# Longest puzzle (`sat` and `sol`, bytes) each role learns.
proposer_max_chars = 600
solver_max_chars = 400

[training]
# Fine-tune after each round (LoRA; local models only): the solver on the verified solutions,
# the proposer on the valid, learnable puzzles. The next round samples with the tuned models,
# written as Hugging Face folders under DIR/models/round-N/.
enabled = true
roles = ["solver", "proposer"]
# "restart": fresh adapters on the base model, all data so far, every round (ReST-EM);
# "continue": the previous round's adapters, trained further on the new round's data.
mode = "restart"
epochs = 2
# Passes over the proposer's data (0: `epochs`); its few puzzles a round, learnt over several
# passes, come back as copies in the next round.
proposer_epochs = 0
# Most conversations per optimizer step (a round's few dozen examples: one step per pass at 64).
batch_size = 64
learning_rate = 0.0002
lora_rank = 8
lora_alpha = 16.0
# Longer training examples (tokens) are left out.
max_seq_len = 1024
# A learnable puzzle this similar (word 3-grams of its code, 0–1) to one that already taught the
# proposer, earlier or this round, does not teach it again (against collapse onto one family).
proposer_novelty = 0.5
# Teach the proposer a P3 puzzle under the topic read from its code and the difficulty its solve
# rate showed (hindsight), not the ones drawn for its request, so that it follows topics.
hindsight = true
# Conversations replayed beside a role's own data each round (against collapse and forgetting):
# a JSONL file per role in the layout `crucible train` reads, e.g. the warm-up data it was tuned
# on, as `replay = { proposer = "runs/p3-warm/data.jsonl" }`; `replay_ratio` of its lines per
# own example, drawn afresh each round. None by default.
replay_ratio = 1.0
# Merged weights: "bf16" (half the disk) or "f32".
weights = "bf16"

[heldout]
# The solver's pass@1 / pass@k on evaluation sets (by default the seed set's heldout split),
# before round 1 and after each round's training (same seed and sampling each time).
# 0 samples and greedy = false turn it off.
samples = 5
# Most problems evaluated per set (0: all), spread evenly over it (a set's own max_problems wins).
max_problems = 0
# Also one greedy sample per problem: greedy pass@1, on which any two points of the campaign
# are compared problem by problem (difference with a 95 % interval).
greedy = false
# Evaluation sets, as [[heldout.sets]] tables (name, set, split = "heldout", max_problems);
# none: the seed set's heldout split. Training examples that overlap any of them (13-grams)
# are left out of training.
sets = []
"#;
