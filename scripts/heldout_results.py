#!/usr/bin/env python3
"""Writes one held-out evaluation stored in a campaign's database as a `crucible eval` results
file, so that `crucible eval --compare` pairs it with a run made outside the campaign (the
unverified-data control, another model):

    scripts/heldout_results.py runs/expert-iteration/campaign.db 0 mbpp-test /tmp/base.jsonl
    crucible eval --compare /tmp/base.jsonl runs/control/eval-mbpp

ROUND 0 is the model before training, N the model after round N. A problem's score is its
greedy verdict when the evaluation was greedy, else c of n samples."""
import json
import sqlite3
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    db, round_, name, out = sys.argv[1:]
    row = sqlite3.connect(db).execute(
        "SELECT solver, results FROM evaluation WHERE round = ? AND name = ?",
        (int(round_), name),
    ).fetchone()
    if row is None:
        sys.exit(f"{db} holds no held-out evaluation `{name}` for round {round_}")
    solver, results = row
    key = f"campaign {db} round {round_} {name} ({solver})"
    with open(out, "w") as f:
        for r in json.loads(results):
            greedy = r.get("greedy")
            n, c = (1, int(greedy)) if greedy is not None else (r["n"], r["c"])
            result = {"id": r["id"], "name": r["id"], "difficulty": None, "n": n, "c": c,
                      "samples": []}
            f.write(json.dumps({"key": key, "result": result}) + "\n")


if __name__ == "__main__":
    main()
