#!/usr/bin/env python3
"""Counts the valid P3 puzzles of a campaign store that are, by behaviour, one of the built-in
examples (`P3_EXAMPLES` in crates/selfplay/src/examples.rs) or an earlier valid puzzle written
another way — which the copy and near-duplicate checks, reading the text, miss. Each puzzle's
answer is its own `sol` when that holds, else a solver's accepted one. Two puzzles are the same

  - by default, when each `sat` accepts the other's answer;
  - with --signature (stricter), when both `sat`s give the same verdict on every answer known
    (all examples' and all valid puzzles' answers).

Runs the stored code in plain CPython with a 1 s alarm per call: for stores you made.

    python3 scripts/p3_same_puzzles.py runs/p3-drafts32/campaign.db [--signature] [-v]
"""
import copy
import json
import math
import re
import signal
import sqlite3
import sys
from pathlib import Path
from typing import *  # noqa: F401,F403 — the names a `sat` uses

EXAMPLES = Path(__file__).resolve().parent.parent / "crates/selfplay/src/examples.rs"


def timeout(*_):
    raise TimeoutError


def call(f, *args):
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        return f(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def load(src, name):
    scope = {}
    exec("from typing import *\nimport math\n" + src, scope)
    return scope[name]


def examples():
    block = EXAMPLES.read_text().split("pub const P3_EXAMPLES")[1].split("];")[0]
    strs = [json.loads(f'"{s}"') for s in re.findall(r'"((?:[^"\\]|\\.)*)"', block)]
    return [(f"example {i // 2 + 1}", strs[i], [strs[i + 1]]) for i in range(0, len(strs), 2)]


def puzzles(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "select id, round, slot, draft from puzzle where status = 'valid' and origin = 'proposed' "
        "order by round, slot"
    ).fetchall()
    for pid, rnd, slot, draft in rows:
        d = json.loads(draft)
        sols = [d["sol"]] if d.get("sol") else []
        sols += [c for (c,) in con.execute(
            "select code from attempt where puzzle_id = ? and verdict = 'AC' order by idx", (pid,)) if c]
        yield f"round {rnd} slot {slot}", d["sat"], sols


def accepts(sat, answer):
    """Whether `sat` holds on a copy of `answer` (a `sat` may change its argument in place)."""
    try:
        return call(sat, copy.deepcopy(answer)) is True
    except BaseException:
        return False


def answer_of(sat, sols):
    for src in sols:
        try:
            answer = call(load(src, "sol"))
        except BaseException:
            continue
        if accepts(sat, answer):
            return answer
    return None


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    signal.signal(signal.SIGALRM, timeout)
    items = []
    for name, sat_src, sols in [*examples(), *puzzles(sys.argv[1])]:
        try:
            sat = load(sat_src, "sat")
        except BaseException:
            continue
        items.append((name, sat, answer_of(sat, sols)))
    probes = [a for _, _, a in items if a is not None]
    verdicts = [tuple(accepts(sat, p) for p in probes) for _, sat, _ in items]
    copies, repeats, valid = [], [], 0
    for i, (name, sat, answer) in enumerate(items):
        if name.startswith("example"):
            continue
        valid += 1
        if answer is None:
            continue
        if "--signature" in sys.argv:
            same = [items[j][0] for j in range(i) if verdicts[j] == verdicts[i]]
        else:
            same = [items[j][0] for j in range(i) if items[j][2] is not None
                    and accepts(sat, items[j][2]) and accepts(items[j][1], answer)]
        if any(s.startswith("example") for s in same):
            copies.append((name, same))
        elif same:
            repeats.append((name, same))
    print(f"{sys.argv[1]}: {valid} valid; the same as a built-in example {len(copies)}, "
          f"as an earlier puzzle {len(repeats)}, new {valid - len(copies) - len(repeats)}")
    if "-v" in sys.argv:
        for name, same in copies + repeats:
            print(f"  {name}: {', '.join(same)}")


if __name__ == "__main__":
    main()
