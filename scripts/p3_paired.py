#!/usr/bin/env python3
"""Compares two campaign stores slot by slot: valid and in-band counts of one round's proposals,
the slots valid (in band) in only one of them, and the paired difference with a 95 % interval
(normal approximation on the per-slot differences). Meant for two runs of the same requests —
the same config and seed, so each slot's prompt and sampling are the same — that differ in one
change; only the slots of the first store are compared.

    python3 scripts/p3_paired.py runs/p3-fit-default/campaign.db runs/p3-drafts-default/campaign.db [ROUND]
"""
import math
import sqlite3
import sys


def outcomes(path, round_):
    """slot -> (valid, in band) of the round's proposed puzzles."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = con.execute(
        "select slot, status, coalesce(learnable, 0) from puzzle "
        "where round = ? and origin = 'proposed'",
        (round_,),
    )
    return {slot: (status == "valid", bool(learnable)) for slot, status, learnable in rows}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    round_ = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    first, second = outcomes(sys.argv[1], round_), outcomes(sys.argv[2], round_)
    missing = [s for s in first if s not in second]
    if missing:
        sys.exit(f"slots {missing[:5]}… of the first store are not in the second")
    n = len(first)
    for i, name in ((0, "valid"), (1, "in band")):
        only_first = sum(first[s][i] and not second[s][i] for s in first)
        only_second = sum(second[s][i] and not first[s][i] for s in first)
        diff = (only_first - only_second) / n
        var = (only_first + only_second) / n**2 - diff * diff / n
        half = 1.96 * math.sqrt(max(var, 0.0))
        print(
            f"{name}: {sum(first[s][i] for s in first)} vs {sum(second[s][i] for s in first)} "
            f"of {n}; only first {only_first}, only second {only_second}; "
            f"diff {100 * diff:+.1f} points, 95 % CI {100 * (diff - half):+.1f} … {100 * (diff + half):+.1f}"
        )


if __name__ == "__main__":
    main()
