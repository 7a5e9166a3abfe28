"""Writes data/secret/*.in for exam-rank-ties (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, rows):
    assert 1 <= len(rows) <= 2 * 10**4 and all(0 <= s <= 100 and 0 <= p <= 10**6 for s, p in rows)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n" % len(rows))
        f.write("".join("%d %d\n" % r for r in rows))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(5150)
    write("01.in", [(100, 10**6)])
    write("02.in", [(2, 5)] * 7)
    write("03.in", [(1, 0), (0, 0), (1, 1), (1, 0), (2, 10**6), (0, 10**6), (100, 0)])
    write("04.in", [(i, 0) for i in range(20)])
    write("05.in", [(rng.randint(0, 5), rng.randint(0, 5)) for _ in range(100)])
    write("06.in", [(rng.randint(0, 3), rng.randint(0, 10**6)) for _ in range(2000)])
    # max: heavy ties
    write("07.in", [(rng.randint(0, 10), rng.randint(0, 20)) for _ in range(20000)])
    # max: mostly distinct
    write("08.in", [(rng.randint(0, 100), rng.randint(0, 10**6)) for _ in range(20000)])
    # all equal
    write("09.in", [(7, 7)] * 5000)



main()
