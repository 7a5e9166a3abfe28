#!/usr/bin/env python3
"""Prints N accepted (valid) puzzles of a campaign store, drawn at random with a fixed seed, in
full: kind, the seed program and the task named from it (mutations), description, program, tests (inputs the sandbox found are marked), a P3
puzzle's `sat` (and the one written, when its constants were fitted) and the proposer's `sol` (when it held), the solver's solve rate and one accepted answer. For BENCHMARKS appendices, so a reader can judge quality.

    python3 scripts/sample_puzzles.py runs/program-first/campaign.db 20 > appendix.md
"""
import json
import random
import sqlite3
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    db, n = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "select id, round, slot, kind, draft, tests, solve_rate from puzzle "
        "where status = 'valid' and origin = 'proposed' order by id"
    ).fetchall()
    random.Random(seed).shuffle(rows)
    picked = sorted(rows[:n])
    print(f"{len(picked)} of {len(rows)} valid puzzles in `{db}`, drawn with seed {seed}.\n")
    for pid, rnd, slot, kind, draft, tests, rate in picked:
        draft = json.loads(draft)
        tests = json.loads(tests)
        print(f"## Puzzle {pid} (round {rnd}, slot {slot}, {kind}), solve rate {rate}\n")
        if draft.get("parent"):
            print(f"Seed program shown to the proposer:\n\n```python\n{draft['parent'].rstrip()}\n```\n")
        if draft.get("idea"):
            print(f"Task the proposer wrote from it (its program was then asked for without the seed): {draft['idea']}\n")
        if draft.get("description"):
            print(f"Description: {draft['description']}\n")
        code = draft.get("code") or draft.get("solution") or draft.get("sat", "")
        print(f"```python\n{code.rstrip()}\n```\n")
        if kind == "p3":
            if draft.get("sat_as_written"):
                print(f"The `sat` as the proposer wrote it (validation fitted its constants to the answer of its `sol`):\n\n```python\n{draft['sat_as_written'].rstrip()}\n```\n")
            if draft.get("sol"):
                print(f"The proposer's `sol`, which satisfies `sat`:\n\n```python\n{draft['sol'].rstrip()}\n```\n")
            else:
                print("No working `sol` from the proposer: valid because a solver attempt satisfied `sat`.\n")
        if tests:
            print("Tests (`*`: input found by the sandbox):\n")
        for t in tests:
            mark = " *" if t.get("found") else ""
            print(f"- `f({t['input']})` → `{t['expected'].strip()}`{mark}")
        answer = con.execute(
            "select code from attempt where puzzle_id = ? and verdict = 'AC' order by idx limit 1",
            (pid,),
        ).fetchone()
        if answer and answer[0]:
            print(f"\nAn accepted answer:\n\n```python\n{answer[0].rstrip()}\n```")
        print()


if __name__ == "__main__":
    main()
