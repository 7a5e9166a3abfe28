"""Writes data/secret/*.in for rainfall-range-totals (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, rain, queries):
    n, q = len(rain), len(queries)
    assert 1 <= n <= 5 * 10**4 and 1 <= q <= 10**4 and all(0 <= x <= 10**4 for x in rain)
    assert all(1 <= l <= r <= n for l, r in queries)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d\n%s\n" % (len(rain), len(queries), " ".join(map(str, rain))))
        f.write("".join("%d %d\n" % qr for qr in queries))


def rand_queries(rng, n, q):
    res = []
    for _ in range(q):
        l = rng.randint(1, n)
        r = rng.randint(l, n)
        res.append((l, r))
    return res


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(31337)
    write("01.in", [0], [(1, 1)])
    write("02.in", [10**4], [(1, 1), (1, 1)])
    write("03.in", [0] * 10, [(1, 10), (3, 3), (2, 9)])
    write("04.in", [10**4] * 10, [(1, 10), (5, 6), (10, 10)])
    rain = [rng.choice([0, 0, rng.randint(1, 30)]) for _ in range(50)]
    write("05.in", rain, rand_queries(rng, 50, 50))
    n = 50000
    rain = [rng.choice([0, rng.randint(0, 9)]) for _ in range(n)]
    write("06.in", rain, rand_queries(rng, n, 10000))
    rain = [10**4] * 5000
    write("07.in", rain, [(1, 5000)] * 1000 + rand_queries(rng, 5000, 1000))
    n = 20000
    rain = [0 if rng.random() < 0.9 else rng.randint(1, 10**4) for _ in range(n)]
    qs = [(i, i) for i in rng.sample(range(1, n + 1), 5000)] + rand_queries(rng, n, 5000)
    rng.shuffle(qs)
    write("08.in", rain, qs)



main()
