#!/usr/bin/env python3
"""Whether a campaign's P3 proposer follows the topic it is asked for, round by round.

For each round: the proposals stored with their draft (those that passed the compile and
trivial-answer gates: a store keeps no draft of the others), how many of those asked for a
topic the topic table can name (crates/selfplay/data/p3_topics.json, the table hindsight
labels use), how many of those are about the topic asked for (by the table), the most common
topic read, and the number of distinct topics read (a proposer collapsed onto one family
writes one topic whatever it is asked).

    python3 scripts/p3_topics_followed.py runs/p3-hindsight/campaign.db

Chance agreement is about 1 in the number of nameable topics asked for (11 with the default
topics). Reads the store only.
"""
import collections
import json
import re
import sqlite3
import sys

from p3_warmup_data import TOPICS, topic_of_text


def topic_of(sat):
    """The table's topic of a proposed `sat` (the campaign's reading: no puzzle name)."""
    match = re.search(r"def sat\(\s*\w+\s*:\s*([^,=)\[]+)", sat)
    return topic_of_text(sat, match.group(1).strip() if match else "")


def main():
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    nameable = {t for _, t in TOPICS["words"]} | {
        TOPICS["string_answer"], TOPICS["list_answer"], TOPICS["other_answer"]}
    print("round  parsed  asked-nameable  followed  top topic read          distinct")
    for (rnd,) in db.execute("SELECT DISTINCT round FROM puzzle ORDER BY round"):
        rows = db.execute(
            "SELECT topic, draft FROM puzzle WHERE round = ? AND origin = 'proposed' "
            "AND draft IS NOT NULL AND topic NOT LIKE 'pool %'", (rnd,)).fetchall()
        read = [(asked, topic_of(json.loads(d).get("sat", ""))) for asked, d in rows]
        asked = [(a, r) for a, r in read if a in nameable]
        followed = sum(a == r for a, r in asked)
        counts = collections.Counter(r for _, r in read)
        top, n = counts.most_common(1)[0] if counts else ("-", 0)
        print(f"{rnd:>5}  {len(read):>6}  {len(asked):>14}  {followed:>8}  "
              f"{top + f' ({n})':<22}  {len(counts):>8}")


if __name__ == "__main__":
    main()
