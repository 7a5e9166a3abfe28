#!/usr/bin/env python3
"""PyTorch + PEFT baseline for Crucible's LoRA training: training tokens/s and peak RSS of
`crucible train` next to PyTorch + PEFT, same data, same weights, same batches, one thread each.

Opt-in (not part of CI). One-time setup of the PyTorch venv (PyPI; ~6 GB with the CUDA
packages the Linux torch wheel depends on, which the CPU run never uses):

    python3 scripts/bench_peft.py --setup        # creates ~/.cache/crucible/venv-peft

Then (this script itself needs only the standard library; the PyTorch side runs as a child
process with the venv's Python):

    python3 scripts/bench_peft.py --crucible PATH/TO/crucible [--model qwen2.5-coder-0.5b-instruct]
        [--examples 12] [--configs recompute,no-recompute] [--batch-size 1] [--grad-accum 2]

What it does:
* Converts the model with `crucible model convert` (f32 safetensors, dequantized from the very
  GGUF our trainer loads), so both sides train the same weights.
* Writes a JSONL data set from the seed set (`puzzles/stdio`, `train` split by default):
  statement as the user message, "```python\\n<sol.py>\\n```" as the assistant reply.
* Runs `crucible train` (RAYON_NUM_THREADS=1, 1 epoch, no held-out split, no checkpoint
  before the end) and times each optimizer step from its per-step stderr lines.
* Runs PyTorch + PEFT (`torch.set_num_threads(1)`, fp32, AdamW) in a child process: the HF
  folder's tokenizer and chat template (prompt tokens masked with -100 in the labels), the
  same LoRA config (rank, alpha, dropout, targets), the same warm-up + cosine schedule and
  gradient clipping, and the same micro-batches in the same order: the script re-implements
  our trainer's split/bucketing/shuffle (SplitMix64 streams), right padding with the
  end-of-turn token, causal mask only. Like our trainer, the LM head and the loss are computed
  on the scored (completion) positions only. Gradient checkpointing (HF's, non-reentrant) is
  on for the `recompute` configuration and off for `no-recompute`.
* Tokens are counted identically on both sides: the non-padding input tokens of the
  micro-batches (each conversation of n tokens contributes n - 1 inputs). Tokens/s is over the
  steady-state steps: step 1 is a warm-up on both sides and is left out. Wall time per step: ours
  from the arrival of its per-step lines, PyTorch's measured in the worker. Tokens per CPU-second
  (each child's user + system time from /proc/PID/stat at each step line) is printed too: on a
  shared machine it is less sensitive to other processes than wall time, and the share of the
  machine other processes used during each run is reported. Peak RSS is each child process's
  ru_maxrss (os.wait4). A side that fails (e.g. killed for memory) is reported, not fatal.
* Default batches: 12 conversations (530-1,050 tokens with Qwen), micro-batches of 1 sequence, 2
  accumulated per step (6 steps, ~20 minutes for both configurations on one thread). With 2
  sequences per micro-batch our `--no-recompute` trainer needed more than the machine's 24 GiB
  on the 0.5B model and was killed.
* Prints each row as it is measured and a Markdown table at the end, with the step-1 loss of
  both sides (the adapters start as no-ops, so it is the base model's loss and must agree) and
  the total tokens each side saw.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

DEFAULT_VENV = os.path.expanduser("~/.cache/crucible/venv-peft")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ["torch", "transformers", "peft", "safetensors"]

# Our trainer's defaults that have no command-line flag (crates/train/src/trainer.rs, optim.rs).
WARMUP_FRACTION = 0.05
FINAL_LR_FRACTION = 0.0
MAX_GRAD_NORM = 1.0
# Random streams of crates/train/src/trainer.rs.
SPLIT_STREAM = 2
ORDER_STREAM = 1000
MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------- our trainer's data plan


class Rng:
    """crates/train/src/rng.rs: SplitMix64."""

    def __init__(self, seed):
        self.state = seed & MASK64

    @classmethod
    def derived(cls, seed, stream):
        mixer = cls(seed ^ ((stream * 0xD1B54A32D192ED03) & MASK64))
        return cls(mixer.next_u64())

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        return (self.next_u64() * n) >> 64

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def bucket(lengths, max_tokens, max_rows):
    """crates/train/src/data.rs `bucket`: indices grouped into micro-batches."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches, current = [], []
    for i in order:
        n = lengths[i]
        if current and (len(current) >= max_rows or (len(current) + 1) * n > max_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def plan(examples, args):
    """The micro-batches (lists of examples) of each optimizer step of a 1-epoch run with no
    held-out split, in our trainer's order. `examples` are (tokens, prompt_len) in file order."""
    examples = [e for e in examples if len(e[0]) <= args.max_seq_len]
    # `split` with fraction 0 holds nothing out but still shuffles.
    Rng.derived(args.seed, SPLIT_STREAM).shuffle(examples)
    batches = bucket([len(t) for t, _ in examples], args.batch_tokens, args.batch_size)
    order = list(range(len(batches)))
    Rng.derived(args.seed, ORDER_STREAM + 0).shuffle(order)
    accum = args.grad_accum
    steps = []
    for s in range(0, len(order), accum):
        steps.append([[examples[i] for i in batches[b]] for b in order[s:s + accum]])
    return steps


def lr_at(step, total, peak):
    """crates/train/src/optim.rs `Schedule::at`."""
    import math

    warmup = math.ceil(WARMUP_FRACTION * total)
    if step < warmup:
        return peak * (step + 1) / warmup
    decay = max(total - warmup - 1, 1)
    progress = min((step - warmup) / decay, 1.0)
    cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
    return peak * (FINAL_LR_FRACTION + (1.0 - FINAL_LR_FRACTION) * cosine)


def steady(steps, key="secs"):
    """(tokens, seconds, tokens/s) over steps 2.. (step 1 is the warm-up); `key` "secs" is
    wall-clock time, "cpu" the process's CPU time."""
    rest = steps[1:]
    tokens = sum(s["tokens"] for s in rest)
    secs = sum(s[key] for s in rest)
    return tokens, secs, tokens / secs if secs > 0 else float("nan")


# ---------------------------------------------------------------- the PyTorch side (worker)


def tokenize(hf, data):
    """(tokenizer, end-of-turn id, [(tokens, prompt_len)]) as our trainer builds examples: the
    prompt rendered by the chat template with the generation prompt, the reply tokenized
    separately, then the end-of-turn token."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(hf)
    template = json.load(open(os.path.join(hf, "tokenizer_config.json"))).get("chat_template")
    end_of_turn = tok.convert_tokens_to_ids("<|im_end|>")
    examples = []
    with open(data) as f:
        for line in f:
            if not line.strip():
                continue
            messages = json.loads(line)["messages"]
            context, reply = messages[:-1], messages[-1]
            prompt = tok.apply_chat_template(context, tokenize=False, add_generation_prompt=True,
                                             chat_template=template)
            tokens = tok(prompt, add_special_tokens=False)["input_ids"]
            prompt_len = len(tokens)
            tokens = tokens + tok(reply["content"], add_special_tokens=False)["input_ids"]
            tokens.append(end_of_turn)
            examples.append((tokens, prompt_len))
    return tok, end_of_turn, examples


def worker(args):
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    os.environ.setdefault("MKL_NUM_THREADS", str(args.threads))
    import torch
    import torch.nn.functional as F
    import transformers
    import peft
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    tok, end_of_turn, examples = tokenize(args.hf, args.data)
    steps = plan(examples, args)
    total = len(steps)
    if args.plan_only:
        print(json.dumps({"lengths": [len(t) for t, _ in examples],
                          "steps": [sum(len(t) - 1 for mb in s for t, _ in mb) for s in steps]}))
        return

    model = AutoModelForCausalLM.from_pretrained(args.hf, dtype=torch.float32)
    model.config.use_cache = False
    if args.recompute:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    lora = peft.LoraConfig(
        r=args.rank, lora_alpha=args.alpha, lora_dropout=args.dropout,
        target_modules=args.targets.split(","), bias="none", task_type="CAUSAL_LM",
    )
    model = peft.get_peft_model(model, lora)
    model.train()
    inner = model.get_base_model()  # *ForCausalLM with LoRA layers injected
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=args.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    import resource

    print(json.dumps({"event": "ready", "steps": total,
                      "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "trainable": sum(p.numel() for p in params),
                      "attn": getattr(inner.config, "_attn_implementation", None),
                      "versions": {"torch": torch.__version__,
                                   "transformers": transformers.__version__,
                                   "peft": peft.__version__}}), flush=True)

    for step, micro in enumerate(steps):
        started = time.perf_counter()
        scored = sum(len(t) - max(p - 1, 0) - 1 for mb in micro for t, p in mb)
        tokens = 0
        loss_sum = 0.0
        for mb in micro:
            length = max(len(t) - 1 for t, _ in mb)
            inputs = torch.full((len(mb), length), end_of_turn, dtype=torch.long)
            labels = torch.full((len(mb), length), -100, dtype=torch.long)
            for r, (t, p) in enumerate(mb):
                n = len(t) - 1
                inputs[r, :n] = torch.tensor(t[:n])
                first = max(p - 1, 0)  # position whose next token is the first completion one
                labels[r, first:n] = torch.tensor(t[first + 1:n + 1])
                tokens += n
            # Causal mask only (right padding never reaches real positions), as in ours.
            hidden = inner.model(input_ids=inputs).last_hidden_state
            keep = labels != -100
            logits = inner.lm_head(hidden[keep])
            nll = F.cross_entropy(logits, labels[keep], reduction="sum")
            (nll / scored).backward()
            loss_sum += nll.item()
        norm = torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
        lr = lr_at(step, total, args.lr)
        for group in optim.param_groups:
            group["lr"] = lr
        optim.step()
        optim.zero_grad(set_to_none=True)
        secs = time.perf_counter() - started
        print(json.dumps({"event": "step", "step": step + 1, "total": total, "tokens": tokens,
                          "scored": scored, "loss": loss_sum / scored, "lr": lr,
                          "grad_norm": float(norm), "secs": secs}), flush=True)


# ---------------------------------------------------------------- the driver


def busy_cpu_seconds():
    """CPU seconds all processes have used (user, nice, system, irq, softirq; /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    return sum(fields[i] for i in (0, 1, 2, 5, 6)) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """CPU time (user + system, all threads) process `pid` has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_child(cmd, env, on_line):
    """Runs `cmd`, calling on_line(text, monotonic time, child's CPU seconds) for each
    stdout/stderr line (merged);
    returns (exit code, peak RSS in MiB, wall seconds, cores that other processes used on
    average meanwhile)."""
    started = time.monotonic()
    busy = busy_cpu_seconds()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1)
    for line in proc.stdout:
        on_line(line.rstrip("\n"), time.monotonic(), cpu_seconds(proc.pid))
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    others = None
    if busy is not None:
        mine = usage.ru_utime + usage.ru_stime
        others = max(busy_cpu_seconds() - busy - mine, 0.0) / wall
    return proc.returncode, usage.ru_maxrss / 1024, wall, others


STEP_LINE = re.compile(r"^step (\d+)/(\d+) epoch \d+ loss ([0-9.naNinf]+) .* ([0-9.]+) tok/s")


def run_ours(args, data, out, recompute, step_tokens):
    cmd = [args.crucible, "train", "--data", data, "--base", args.model, "--out", out,
           "--epochs", "1", "--lr", str(args.lr), "--rank", str(args.rank),
           "--alpha", str(args.alpha), "--dropout", str(args.dropout), "--targets", args.targets,
           "--batch-tokens", str(args.batch_tokens), "--batch-size", str(args.batch_size),
           "--grad-accum", str(args.grad_accum), "--max-seq-len", str(args.max_seq_len),
           "--eval-fraction", "0", "--seed", str(args.seed),
           "--checkpoint-every", "1000000", "--restart"]
    if not recompute:
        cmd.append("--no-recompute")
    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    state = {"last": None, "last_cpu": None, "progress_start": None, "steps": [], "info": None}

    def on_line(line, now, cpu):
        if args.verbose:
            print(f"  [ours] {line}", file=sys.stderr, flush=True)
        if "training and" in line and "held-out conversations" in line:
            state["info"] = line
            state["progress_start"] = now
            state["last"] = now
            state["last_cpu"] = cpu
            return
        m = STEP_LINE.match(line)
        if not m:
            return
        k, total, loss, rate = int(m[1]), int(m[2]), float(m[3]), float(m[4])
        tokens = step_tokens[k - 1] if k - 1 < len(step_tokens) else None
        secs, cpu_secs = now - state["last"], cpu - state["last_cpu"]
        state["steps"].append({"step": k, "total": total, "loss": loss, "tokens": tokens,
                               "secs": secs, "cpu": cpu_secs, "rate_cum": rate,
                               "elapsed": now - state["progress_start"]})
        state["last"], state["last_cpu"] = now, cpu
        print(f"  ours  step {k}/{total}: loss {loss:.4f}, {secs:.1f} s ({cpu_secs:.1f} CPU-s)",
              file=sys.stderr, flush=True)

    code, rss, wall, others = run_child(cmd, env, on_line)
    state["code"], state["others"] = code, others
    if code != 0:
        print(f"  ours failed (exit {code}{', killed: out of memory?' if code == -9 else ''}) "
              f"after {len(state['steps'])} steps, peak RSS {rss:.0f} MiB", file=sys.stderr,
              flush=True)
    return state, rss, wall


def run_torch(args, data, hf, recompute):
    cmd = [args.python, os.path.abspath(__file__), "--worker", "--hf", hf, "--data", data]
    for name in ["lr", "rank", "alpha", "dropout", "targets", "batch_tokens", "batch_size",
                 "grad_accum", "max_seq_len", "seed", "threads"]:
        cmd += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    if recompute:
        cmd.append("--recompute")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads),
               TOKENIZERS_PARALLELISM="false")
    state = {"steps": [], "ready": None, "log": [], "last_cpu": None}

    def on_line(line, now, cpu):
        if args.verbose:
            print(f"  [torch] {line}", file=sys.stderr, flush=True)
        try:
            event = json.loads(line)
        except ValueError:
            state["log"].append(line)
            return
        if event.get("event") == "ready":
            state["ready"] = event
            state["last_cpu"] = cpu
        elif event.get("event") == "step":
            # Wall time as the worker measured it; CPU time from /proc, as for ours.
            event["cpu"] = cpu - state["last_cpu"]
            state["last_cpu"] = cpu
            state["steps"].append(event)
            print(f"  torch step {event['step']}/{event['total']}: loss {event['loss']:.4f}, "
                  f"{event['secs']:.1f} s ({event['cpu']:.1f} CPU-s)", file=sys.stderr,
                  flush=True)

    code, rss, wall, others = run_child(cmd, env, on_line)
    state["code"], state["others"] = code, others
    if code != 0:
        print("\n".join(state["log"][-30:]), file=sys.stderr)
        print(f"  PyTorch failed (exit {code}{', killed: out of memory?' if code == -9 else ''}) "
              f"after {len(state['steps'])} steps, peak RSS {rss:.0f} MiB", file=sys.stderr,
              flush=True)
    return state, rss, wall


def token_plan(args, hf, data):
    """Conversation lengths and per-step input-token counts of the plan (the worker's
    tokenization, in the venv)."""
    cmd = [args.python, os.path.abspath(__file__), "--worker", "--plan-only", "--hf", hf,
           "--data", data]
    for name in ["batch_tokens", "batch_size", "grad_accum", "max_seq_len", "seed"]:
        cmd += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    out = subprocess.run(cmd, capture_output=True, text=True,
                         env=dict(os.environ, TOKENIZERS_PARALLELISM="false"))
    if out.returncode != 0:
        raise SystemExit(f"tokenizing the data failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_dataset(path, split, limit):
    base = os.path.join(ROOT, "puzzles", "stdio")
    rows = []
    for slug in sorted(os.listdir(base)):
        d = os.path.join(base, slug)
        yaml_path = os.path.join(d, "problem.yaml")
        sol = os.path.join(d, "submissions", "accepted", "sol.py")
        stmt = os.path.join(d, "problem_statement", "problem.md")
        if not (os.path.isfile(yaml_path) and os.path.isfile(sol) and os.path.isfile(stmt)):
            continue
        m = re.search(r"^\s*split:\s*(\w+)", open(yaml_path).read(), re.M)
        if split != "all" and (not m or m[1] != split):
            continue
        statement = open(stmt).read().strip()
        code = open(sol).read().strip()
        rows.append({"messages": [
            {"role": "user", "content": statement},
            {"role": "assistant", "content": f"```python\n{code}\n```"},
        ]})
    rows = rows[:limit]
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    return len(rows)


def setup(venv):
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pip = [os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    # The CPU-only index (download.pytorch.org) is not reachable from every machine; PyPI's
    # Linux wheel also works on the CPU (it pulls the CUDA packages in, unused).
    subprocess.run(pip + PACKAGES, check=True)
    print(f"venv ready: {venv}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", action="store_true", help="create the venv and exit")
    parser.add_argument("--venv", default=DEFAULT_VENV)
    parser.add_argument("--python", help="Python with torch/transformers/peft (default: the venv's)")
    parser.add_argument("--crucible", help="the crucible binary (a release build)")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--hf", help="converted HF folder to reuse (default: convert into a temp dir)")
    parser.add_argument("--split", default="train", help="seed-set split: train, heldout or all")
    parser.add_argument("--examples", type=int, default=12)
    parser.add_argument("--configs", default="recompute,no-recompute")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=float, default=16.0)
    parser.add_argument("--dropout", type=float, default=0.05)
    parser.add_argument("--targets", default="q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj")
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--grad-accum", type=int, default=2)
    parser.add_argument("--max-seq-len", type=int, default=2048)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (data, HF folder)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--recompute", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plan-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if args.setup:
        return setup(args.venv)
    if not args.crucible:
        parser.error("--crucible PATH is required (a built binary; this script does not build)")
    args.crucible = os.path.abspath(os.path.expanduser(args.crucible))
    args.python = args.python or os.path.join(args.venv, "bin", "python")
    if not os.path.exists(args.python):
        raise SystemExit(f"no {args.python}: run `python3 {sys.argv[0]} --setup` first")
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    for c in configs:
        if c not in ("recompute", "no-recompute"):
            parser.error(f"unknown configuration {c!r} (recompute, no-recompute)")

    bench_started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="bench-peft-")
    hf = args.hf
    if not hf:
        hf = os.path.join(tmp, "hf")
        print(f"converting {args.model} to {hf} ...", file=sys.stderr, flush=True)
        subprocess.run([args.crucible, "model", "convert", args.model, hf], check=True,
                       stdout=subprocess.DEVNULL)
    data = os.path.join(tmp, "data.jsonl")
    n = write_dataset(data, args.split, args.examples)
    tp = token_plan(args, hf, data)
    step_tokens = tp["steps"]
    lengths = tp["lengths"]
    print(f"data: {n} conversations from puzzles/stdio ({args.split} split), "
          f"{min(lengths)}-{max(lengths)} tokens each, {sum(lengths)} in all; "
          f"{len(step_tokens)} optimizer steps of up to {args.grad_accum} micro-batches "
          f"(<= {args.batch_size} sequences, <= {args.batch_tokens} padded tokens each); "
          f"{sum(step_tokens)} input tokens per epoch", flush=True)

    rows = []
    versions = None
    for config in configs:
        recompute = config == "recompute"
        out = os.path.join(tmp, f"ours-{config}")
        print(f"[{config}] ours ...", file=sys.stderr, flush=True)
        ours, ours_rss, ours_wall = run_ours(args, data, out, recompute, step_tokens)
        print(f"[{config}] PyTorch + PEFT ...", file=sys.stderr, flush=True)
        theirs, torch_rss, torch_wall = run_torch(args, data, hf, recompute)
        if theirs["ready"]:
            versions = theirs["ready"]["versions"]
        row = {"config": config, "ours": ours, "torch": theirs, "ours_rss": ours_rss,
               "torch_rss": torch_rss}
        rows.append(row)
        print(describe(row, step_tokens, ours_wall, torch_wall), flush=True)

    print()
    print(f"model: {args.model}; {n} conversations, {len(step_tokens)} optimizer steps; "
          f"{args.threads} thread(s) each; torch {versions and versions['torch']}, "
          f"transformers {versions and versions['transformers']}, "
          f"peft {versions and versions['peft']}")
    print(f"LoRA rank {args.rank}, alpha {args.alpha:g}, dropout {args.dropout:g}, "
          f"targets {args.targets}; lr {args.lr:g}; micro-batches of <= {args.batch_size} "
          f"sequences / {args.batch_tokens} padded tokens, grad accum {args.grad_accum}; "
          f"tokens/s over steps 2..{len(step_tokens)} (step 1 = warm-up)")
    print()
    print("| configuration | ours tok/s | PyTorch+PEFT tok/s | ours / PyTorch "
          "| ours tok per CPU-s | PyTorch tok per CPU-s | ours / PyTorch (CPU) "
          "| peak RSS ours (MiB) | peak RSS PyTorch (MiB) | step-1 loss ours / PyTorch "
          "| other processes' load, cores (ours / PyTorch run) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        label = ("gradient checkpointing on (our default)" if r["config"] == "recompute"
                 else "gradient checkpointing off (`--no-recompute`)")
        o, t = r["ours"], r["torch"]
        o_rate, t_rate = rate_text(o, len(step_tokens)), rate_text(t, len(step_tokens))
        o_cpu, t_cpu = (rate_text(o, len(step_tokens), "cpu"),
                        rate_text(t, len(step_tokens), "cpu"))
        ratio = cpu_ratio = "-"
        if complete(o, len(step_tokens)) and complete(t, len(step_tokens)):
            ratio = f"{steady(o['steps'])[2] / steady(t['steps'])[2]:.2f}x"
            cpu_ratio = f"{steady(o['steps'], 'cpu')[2] / steady(t['steps'], 'cpu')[2]:.2f}x"
        loss = " / ".join(f"{x['steps'][0]['loss']:.4f}" if x["steps"] else "-" for x in (o, t))
        load = " / ".join(f"{x['others']:.2f}" if x["others"] is not None else "-" for x in (o, t))
        print(f"| {label} | {o_rate} | {t_rate} | {ratio} | {o_cpu} | {t_cpu} | {cpu_ratio} "
              f"| {r['ours_rss']:.0f} "
              f"| {r['torch_rss']:.0f} | {loss} | {load} |")
    print()
    print(f"total time: {time.monotonic() - bench_started:.0f} s")
    if args.keep:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


def complete(side, steps):
    return side["code"] == 0 and len(side["steps"]) == steps


def rate_text(side, steps, key="secs"):
    if complete(side, steps):
        return f"{steady(side['steps'], key)[2]:.1f}"
    why = "out of memory (killed)" if side["code"] == -9 else f"failed ({side['code']})"
    return f"{why} at step {len(side['steps']) + 1}"


def describe(row, step_tokens, ours_wall, torch_wall):
    """The detailed line of one configuration."""
    o, t = row["ours"], row["torch"]
    parts = [f"{row['config']}:"]
    for name, side, rss, wall in (("ours", o, row["ours_rss"], ours_wall),
                                  ("PyTorch", t, row["torch_rss"], torch_wall)):
        if complete(side, len(step_tokens)):
            tok, secs, rate = steady(side["steps"])
            _, cpu, cpu_rate = steady(side["steps"], "cpu")
            parts.append(f"{name} {rate:.1f} tok/s ({tok} tokens in {secs:.1f} s; "
                         f"{cpu_rate:.1f} tok per CPU-s, {cpu:.1f} CPU-s),")
        else:
            parts.append(f"{name} {rate_text(side, len(step_tokens))},")
        losses = " ".join(f"{s['loss']:.4f}" for s in side["steps"])
        load = f"{side['others']:.2f}" if side["others"] is not None else "?"
        parts.append(f"peak RSS {rss:.0f} MiB, step losses [{losses}], wall {wall:.0f} s, "
                     f"other processes {load} cores;")
    if o["steps"]:
        # Our CLI prints cumulative tokens/s since its progress started; rate x elapsed is the
        # tokens it counted (to the rounding of the printed rate), a check of the plan.
        last = o["steps"][-1]
        parts.append(f"tokens: ours ~{last['rate_cum'] * last['elapsed']:.0f} "
                     f"+- {0.5 * last['elapsed']:.0f} over {len(o['steps'])} steps (its printed "
                     f"cumulative tok/s x elapsed), plan {sum(step_tokens[:len(o['steps'])])};")
    if t["steps"]:
        parts.append(f"PyTorch counted {sum(s['tokens'] for s in t['steps'])} over "
                     f"{len(t['steps'])} steps;")
    if t["ready"]:
        parts.append(f"PyTorch peak RSS after loading {t['ready']['rss_mib']:.0f} MiB")
    return " ".join(parts)


if __name__ == "__main__":
    main()
