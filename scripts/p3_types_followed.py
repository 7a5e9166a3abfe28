#!/usr/bin/env python3
"""Per round and per answer type, what a campaign's P3 proposer wrote: proposals, how many
`sat`s take the type asked for (campaigns with `answer_types`; others show the type read),
valid ones, and those in the band (0 < solve rate < 1).

The type written is the annotation of `sat`'s first parameter in the reply (every proposal has
a reply; only those past the compile and trivial-answer gates have a stored draft).

    python3 scripts/p3_types_followed.py runs/p3-types/campaign.db

Reads the store only.
"""
import collections
import re
import sqlite3
import sys

ASKED = re.compile(r"the answer, of type `([^`]+)`")
WRITTEN = re.compile(r"def sat\(\s*\w+\s*:\s*(\w+(?:\[[^=)]*\])?)")


def written_type(reply):
    """The annotation of `sat`'s first parameter in a reply, or `-`."""
    match = WRITTEN.search(reply)
    return match.group(1).replace(" ", "") if match else "-"


def main():
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    print("round  type asked (or written)  proposals  followed  valid  in band")
    for (rnd,) in db.execute("SELECT DISTINCT round FROM puzzle ORDER BY round"):
        rows = db.execute(
            "SELECT prompt, reply, status, learnable FROM puzzle "
            "WHERE round = ? AND origin = 'proposed' AND kind = 'p3'", (rnd,)).fetchall()
        table = collections.defaultdict(collections.Counter)
        for prompt, reply, status, learnable in rows:
            asked = ASKED.search(prompt)
            written = written_type(reply)
            key = asked.group(1) if asked else written
            counts = table[key]
            counts["proposals"] += 1
            counts["followed"] += bool(asked) and written == asked.group(1).replace(" ", "")
            counts["valid"] += status == "valid"
            counts["band"] += bool(learnable)
        for key, c in sorted(table.items(), key=lambda kv: -kv[1]["proposals"]):
            print(f"{rnd:>5}  {key:<23}  {c['proposals']:>9}  {c['followed']:>8}  "
                  f"{c['valid']:>5}  {c['band']:>7}")
        total = sum(table.values(), collections.Counter())
        print(f"{rnd:>5}  {'all':<23}  {total['proposals']:>9}  {total['followed']:>8}  "
              f"{total['valid']:>5}  {total['band']:>7}")


if __name__ == "__main__":
    main()
