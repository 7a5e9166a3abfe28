"""Writes data/secret/*.in for bakery-deadlines (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, rows):
    assert 1 <= len(rows) <= 10**4
    assert all(1 <= p <= 10**6 and 1 <= d <= 10**12 for p, d in rows)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n" % len(rows))
        f.write("".join("%d %d\n" % r for r in rows))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(2718)
    write("01.in", [(1, 1)])
    write("02.in", [(2, 1)])
    write("03.in", [(5, 5), (5, 5), (5, 10), (5, 10), (1, 10)])
    write("04.in", [(3, 3), (3, 6), (1, 6), (1, 6), (1, 6)])
    write("05.in", [(rng.randint(1, 10), rng.randint(1, 40)) for _ in range(12)])
    write("06.in", [(rng.randint(1, 100), rng.randint(1, 3000)) for _ in range(500)])
    n = 10000
    # everything fits
    write("07.in", [(10**6, 10**12) for _ in range(2000)])
    # max: tight random deadlines
    write("08.in", [(rng.randint(1, 10**6), rng.randint(1, 2 * 10**9)) for _ in range(n)])
    # max: equal deadline, knapsack-like by count
    write("09.in", [(rng.randint(1, 10**6), 10**9) for _ in range(3000)])
    # max: increasing deadlines with short jobs mixed in
    rows = []
    for i in range(n):
        rows.append((rng.choice([1, 10**6, rng.randint(1, 10**6)]), rng.randint(1, 10**6) * (i + 1) // 2 + 1))
    rng.shuffle(rows)
    write("10.in", rows)


main()
