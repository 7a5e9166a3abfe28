#!/usr/bin/env python3
"""Warm-up data for P3 roles: P3's train puzzles as proposer replies, or their sols as solver replies.

Each puzzle of the set (sat and sol at most --max-chars long, whose sol satisfies its sat in
plain CPython) becomes one conversation in the layout `crucible train` reads: the proposer's
system message, the P3 proposal instruction the campaign sends (`propose_instruction` in
crates/eval/src/prompts/propose.rs, no examples) with a topic read from the puzzle and a
random difficulty, and the puzzle as the reply (`sat` and `sol` in one python block).

    python3 scripts/p3_warmup_data.py --set puzzles/p3-train/puzzles.json --out p3-warmup.jsonl

With `--role solver` each conversation is instead the solver's request for that puzzle as a
campaign sends it for a proposed puzzle (`solve_prompt` in crates/eval/src/prompts/solve.rs: the
puzzle's `sat`, the first line of its `sol` as the signature, no docstring, no system message)
and its `sol` as the reply.

A campaign whose proposer was fine-tuned on this data lists the set in `copy_check`, so that a
puzzle the proposer recalls counts as a copy (BENCHMARKS.md, "A proposer warmed up on P3's
train puzzles"). Only train puzzles: P3's test puzzles must never be used for training.
`--print-instruction TOPIC DIFFICULTY` prints the system message and one instruction as JSON,
`--print-solve-request SAT SIGNATURE` one solver request (tests compare them with the campaign's).
"""
import argparse
import json
import pathlib
import random
import subprocess
import sys

SYSTEM = ("You are an expert competitive programmer. You write original, correct programming "
          "puzzles, and you follow the requested layout exactly.")
PRELUDE = "from typing import *\nimport math\n"
# The topic table a campaign relabels its proposer examples with (first match wins; else by
# answer type), shared so that warm-up and self-play teach the same topics.
TOPICS_PATH = pathlib.Path(__file__).resolve().parent.parent / "crates/selfplay/data/p3_topics.json"
TOPICS = json.loads(TOPICS_PATH.read_text())


def instruction(topic, difficulty, answer_type=None):
    """The campaign's P3 proposal instruction (no examples, no seed puzzle); with `answer_type`
    (`List[int]`, ...) that of a campaign with `answer_types`."""
    typed = f", of type `{answer_type}`," if answer_type else ""
    return (f"Write a new {difficulty} Python programming puzzle about {topic}. A puzzle is a "
            f"function `sat` whose first parameter is the answer{typed} and whose other parameters have "
            "default values; it returns True exactly when the answer is correct, and finding a "
            "correct answer takes a little search or thought. A second function `sol`, with the "
            "same default parameters, computes a correct answer. The answer must not be trivial "
            "(not 0, 1, an empty list or an empty string). Reply with one ```python block that "
            "defines `sat` and `sol`.")


SOLVE_EXAMPLES = (
    "Example:\n\n```python\ndef sat(s: str):\n    return s.count(\"ab\") == 3 and len(s) == 8\n```\n\n"
    "Answer:\n\n```python\ndef sol():\n    return \"ababab\" + \"xy\"\n```\n\n"
    "Example:\n\n```python\ndef sat(nums: List[int], n=4):\n    return len(nums) == n and all(x > 0 "
    "for x in nums) and sum(nums) == 10\n```\n\n"
    "Answer:\n\n```python\ndef sol(n=4):\n    return [1, 2, 3, 4]\n```\n\n")


def solve_request(sat, signature):
    """The campaign's solver request for a P3 puzzle."""
    return ("Find an input that makes the function `sat` return True. Write it as a Python "
            "function `sol` with the signature below that returns that input itself (sol does "
            f"not call sat).\n\n{SOLVE_EXAMPLES}Puzzle:\n\n```python\n{sat.rstrip()}\n```\n\n"
            "Complete this function and reply with it in a single ```python code block:\n\n"
            f"```python\n{signature.rstrip()}\n```")


def topic_of(puzzle):
    """One of the campaign's default topics, read from the puzzle's name and sat."""
    return topic_of_text(puzzle["name"] + " " + puzzle["sat"], puzzle["ans_type"])


def topic_of_text(text, answer):
    """The table's topic of code `text` whose answer has the type `answer` (`str`, `List[int]`, …)."""
    text = text.lower()
    for words, topic in TOPICS["words"]:
        if any(w in text for w in words):
            return topic
    if answer == "str":
        return TOPICS["string_answer"]
    return TOPICS["list_answer"] if answer.startswith("List") else TOPICS["other_answer"]


def solves(sat, sol):
    """Whether sol() satisfies sat in plain CPython within 5 s."""
    code = f"{PRELUDE}{sat}\n\n{sol}\n\nassert sat(sol()) is True\n"
    try:
        run = subprocess.run([sys.executable, "-c", code], timeout=5, capture_output=True)
    except subprocess.TimeoutExpired:
        return False
    return run.returncode == 0


def conversations(puzzles, max_chars, rng, role, typed=False):
    """The warm-up conversations of `role`, in the set's order (`typed`: the proposer's
    instruction names the puzzle's answer type)."""
    for puzzle in puzzles:
        if not puzzle.get("sol_bodies"):
            continue
        sat = puzzle["sat"].rstrip()
        sol = puzzle["sol_header"].rstrip() + "\n" + puzzle["sol_bodies"][0].rstrip()
        if len(sat) + len(sol) > max_chars or not solves(sat, sol):
            continue
        difficulty = rng.choice(["easy", "medium", "hard"])
        if role == "solver":
            yield {"messages": [
                {"role": "user", "content": solve_request(sat, sol.splitlines()[0])},
                {"role": "assistant", "content": f"```python\n{sol}\n```"},
            ]}
            continue
        yield {"messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": instruction(topic_of(puzzle), difficulty,
                                                    puzzle["ans_type"] if typed else None)},
            {"role": "assistant", "content": f"```python\n{sat}\n\n{sol}\n```"},
        ]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="puzzles/p3-train/puzzles.json")
    parser.add_argument("--out")
    parser.add_argument("--max-chars", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--role", choices=["proposer", "solver"], default="proposer")
    parser.add_argument("--answer-types", action="store_true",
                        help="name each puzzle's answer type in the proposer's instruction, as a "
                             "campaign with `answer_types` asks")
    parser.add_argument("--print-instruction", nargs="+", metavar="TOPIC DIFFICULTY [TYPE]")
    parser.add_argument("--print-solve-request", nargs=2, metavar=("SAT", "SIGNATURE"))
    args = parser.parse_args()
    if args.print_instruction:
        print(json.dumps([SYSTEM, instruction(*args.print_instruction)]))
        return
    if args.print_solve_request:
        print(json.dumps(solve_request(*args.print_solve_request)))
        return
    if not args.out:
        parser.error("--out is required")
    with open(args.set) as f:
        puzzles = json.load(f)
    rng = random.Random(args.seed)
    n = 0
    with open(args.out, "w") as out:
        for conversation in conversations(puzzles, args.max_chars, rng, args.role,
                                          args.answer_types):
            out.write(json.dumps(conversation) + "\n")
            n += 1
    print(f"{n} conversations from {len(puzzles)} puzzles -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
