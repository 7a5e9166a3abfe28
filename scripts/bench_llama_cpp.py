#!/usr/bin/env python3
"""llama.cpp baseline for Crucible's model benchmarks: prefill and decode tokens/s of
Qwen2.5-Coder-0.5B-Instruct (Q4_K_M) through llama-cpp-python, greedy, on the CPU.

Run it with the venv that `scripts/llama-server-test.sh --setup-only` creates:

    ~/.cache/crucible/venv-llama/bin/python scripts/bench_llama_cpp.py [--threads 1,2]
        [--batches 1,8,32] [--runs 3] [--model PATH]

* Prefill: a 100-token ChatML prompt, evaluated in one call (n_batch = 512), timed.
* Decode: 64 new tokens, greedy (argmax of the logits, end-of-turn ignored so every run decodes
  64), one token per sequence per step, timed separately from prefill.
* Batch 1 uses the high-level `Llama.eval`. Batch B > 1 runs B copies of the prompt as B
  sequences of one llama.cpp context (n_seq_max = B, unified KV cache, n_ctx large enough for
  all of them) through llama-cpp-python's low-level API: prefill packs the B prompts into
  llama_batch chunks of at most n_batch tokens; each decode step is one llama_batch with one
  token per sequence. Batched rates count the tokens of all sequences.
* Each figure is the median of `--runs` runs after one untimed warm-up. Peak RSS is the
  process's `ru_maxrss`, after the batch-1 runs and at the end.
"""

import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np
import llama_cpp
from llama_cpp import Llama
from llama_cpp import _internals as internals

PROMPT_TOKENS = 100
NEW_TOKENS = 64
N_BATCH = 512
N_CTX = 4096
QUESTION = (
    "Write a C++17 program that reads an integer n followed by n integers from standard input "
    "and prints the length of the longest strictly increasing subsequence. Use the O(n log n) "
    "patience sorting method with std::lower_bound, read input quickly with std::ios::sync_with_stdio"
    "(false), and explain the idea in two sentences before the code. The program must handle "
    "n up to 200000 and values up to 10^9 in absolute value, including negative numbers and "
    "duplicates, and it must print a single line with the answer."
)


def default_model():
    models = os.environ.get("CRUCIBLE_MODELS_DIR") or os.path.expanduser("~/.cache/crucible/models")
    return os.path.join(models, "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")


def prompt_tokens(llm):
    text = (
        "<|im_start|>system\nYou are a careful competitive programmer.<|im_end|>\n"
        f"<|im_start|>user\n{QUESTION}<|im_end|>\n<|im_start|>assistant\n"
    )
    tokens = llm.tokenize(text.encode(), add_bos=False, special=True)
    if len(tokens) < PROMPT_TOKENS:
        raise SystemExit(f"prompt has only {len(tokens)} tokens")
    return tokens[:PROMPT_TOKENS]


def greedy(ctx, rows, n_vocab):
    """Argmax of the logits of the last `rows` outputs of the latest decode."""
    pointer = llama_cpp.llama_get_logits(ctx)
    logits = np.ctypeslib.as_array(pointer, shape=(rows, n_vocab))
    return [int(t) for t in np.argmax(logits, axis=1)]


def run_batch1(llm, prompt):
    """(prefill tokens/s, decode tokens/s) of one sequence via Llama.eval."""
    llm.reset()
    started = time.perf_counter()
    llm.eval(prompt)
    prefill = time.perf_counter() - started
    token = greedy(llm._ctx.ctx, 1, llm.n_vocab())[0]
    started = time.perf_counter()
    for _ in range(NEW_TOKENS):
        llm.eval([token])
        token = greedy(llm._ctx.ctx, 1, llm.n_vocab())[0]
    decode = time.perf_counter() - started
    return len(prompt) / prefill, NEW_TOKENS / decode


class BatchedContext:
    """A context holding `sequences` sequences that decode together."""

    def __init__(self, llm, sequences, threads):
        self.sequences = sequences
        self.n_vocab = llm.n_vocab()
        params = llama_cpp.llama_context_params.from_buffer_copy(llm.context_params)
        needed = sequences * (PROMPT_TOKENS + NEW_TOKENS + 1)
        params.n_ctx = max(N_CTX, -(-needed // 256) * 256)
        params.n_batch = N_BATCH
        params.n_ubatch = N_BATCH
        params.n_seq_max = sequences
        params.kv_unified = True
        params.n_threads = threads
        params.n_threads_batch = threads
        self.n_ctx = params.n_ctx
        self.ctx = internals.LlamaContext(model=llm._model, params=params, verbose=False)
        self.batch = internals.LlamaBatch(
            n_tokens=max(N_BATCH, sequences), embd=0, n_seq_max=1, verbose=False
        )

    def close(self):
        self.batch.close()
        self.ctx.close()

    def decode(self, items):
        """Decodes (sequence, position, token, wants_logits) items as one llama_batch."""
        b = self.batch.batch
        b.n_tokens = len(items)
        for j, (seq, pos, token, logits) in enumerate(items):
            b.token[j] = token
            b.pos[j] = pos
            b.n_seq_id[j] = 1
            b.seq_id[j][0] = seq
            b.logits[j] = logits
        self.ctx.decode(self.batch)

    def run(self, prompt):
        """(prefill tokens/s, decode tokens/s), counting every sequence's tokens."""
        llama_cpp.llama_memory_clear(self.ctx.memory, True)
        last = len(prompt) - 1
        items = [
            (seq, pos, token, pos == last)
            for seq in range(self.sequences)
            for pos, token in enumerate(prompt)
        ]
        next_tokens = []
        started = time.perf_counter()
        for start in range(0, len(items), N_BATCH):
            chunk = items[start : start + N_BATCH]
            self.decode(chunk)
            rows = sum(1 for item in chunk if item[3])
            if rows:
                next_tokens += greedy(self.ctx.ctx, rows, self.n_vocab)
        prefill = time.perf_counter() - started
        started = time.perf_counter()
        for step in range(NEW_TOKENS):
            pos = len(prompt) + step
            self.decode([(seq, pos, next_tokens[seq], True) for seq in range(self.sequences)])
            next_tokens = greedy(self.ctx.ctx, self.sequences, self.n_vocab)
        decode = time.perf_counter() - started
        tokens = self.sequences * len(prompt)
        return tokens / prefill, self.sequences * NEW_TOKENS / decode


def progress(row):
    t, b, n_ctx, prefill, decode = row
    print(f"threads {t}, batch {b}: prefill {prefill:.1f} tok/s, decode {decode:.1f} tok/s",
          file=sys.stderr, flush=True)


def median_rates(run, runs):
    run()  # warm-up: pages the weights in, sizes the buffers
    results = [run() for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=default_model())
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--batches", default="1,8,32")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    batches = [int(b) for b in args.batches.split(",")]

    rows = []
    rss_batch1 = None
    for t in threads:
        llm = Llama(
            model_path=args.model,
            n_threads=t,
            n_threads_batch=t,
            n_batch=N_BATCH,
            n_ctx=N_CTX,
            verbose=False,
        )
        prompt = prompt_tokens(llm)
        for b in batches:
            if b == 1:
                prefill, decode = median_rates(lambda: run_batch1(llm, prompt), args.runs)
                rows.append((t, b, N_CTX, prefill, decode))
                progress(rows[-1])
                rss_batch1 = rss_batch1 or peak_rss_mib()
                continue
            context = BatchedContext(llm, b, t)
            prefill, decode = median_rates(lambda: context.run(prompt), args.runs)
            rows.append((t, b, context.n_ctx, prefill, decode))
            progress(rows[-1])
            context.close()
        llm.close()

    print(f"model: {os.path.basename(args.model)}; llama-cpp-python {llama_cpp.__version__}")
    print(
        f"prompt {PROMPT_TOKENS} tokens, {NEW_TOKENS} new tokens (greedy), n_batch {N_BATCH}, "
        f"median of {args.runs} runs"
    )
    print()
    print("| threads | batch | n_ctx | prefill tok/s | decode tok/s |")
    print("|---|---|---|---|---|")
    for t, b, n_ctx, prefill, decode in rows:
        print(f"| {t} | {b} | {n_ctx} | {prefill:.1f} | {decode:.1f} |")
    print()
    if rss_batch1 is not None:
        print(f"peak RSS after the batch-1 runs: {rss_batch1:.0f} MiB")
    print(f"peak RSS at the end: {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
