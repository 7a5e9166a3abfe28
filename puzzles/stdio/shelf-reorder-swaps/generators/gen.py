"""Writes data/secret/*.in for shelf-reorder-swaps (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, h):
    assert 1 <= len(h) <= 2 * 10**4 and len(set(h)) == len(h) and all(1 <= x <= 10**9 for x in h)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n%s\n" % (len(h), " ".join(map(str, h))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(123457)
    write("01.in", [10**9])
    write("02.in", [2, 1])
    write("03.in", [1, 2, 3, 4, 5, 6])
    write("04.in", [60, 50, 40, 30, 20, 10])
    write("05.in", [2, 3, 4, 5, 6, 1])          # one long cycle ascending
    write("06.in", rng.sample(range(1, 30), 12))
    n = 20000
    vals = rng.sample(range(1, 10**9 + 1), n)
    write("07.in", vals)                        # random
    s = sorted(rng.sample(range(1, 10**5 + 1), n))
    # nearly descending: a few random exchanges
    d = s[::-1]
    for _ in range(50):
        i, j = rng.randrange(n), rng.randrange(n)
        d[i], d[j] = d[j], d[i]
    write("08.in", d)
    # single huge cycle for ascending
    rot = s[1:5000] + s[:1]
    write("09.in", rot)
    # reversed blocks: ascending and descending both far
    blocks = [s[i:i + 100][::-1] for i in range(0, n, 100)]
    write("10.in", [x for b in blocks for x in b])


main()
