"""Writes data/secret/*.in for ev-charging-stops (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, d, r, xs):
    assert 0 <= len(xs) <= 2 * 10**4 and 1 <= d <= 10**9 and 1 <= r <= 10**9
    assert all(0 < x < d for x in xs)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d %d\n%s\n" % (len(xs), d, r, " ".join(map(str, xs))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(4242)
    write("01.in", 10, 10, [])          # exactly reachable, no stations
    write("02.in", 11, 10, [])          # unreachable, no stations
    write("03.in", 1, 1, [])
    write("04.in", 20, 10, [10])        # arrive empty at station, then empty at depot
    write("05.in", 20, 10, [5, 5, 5, 9])  # duplicates, stuck
    write("06.in", 10**9, 1, list(range(1, 20001)))  # stuck after many stops
    # max: stations every k km, answer large
    d = 10**9
    xs = sorted(rng.sample(range(1, d), 20000))
    gaps = max(b - a for a, b in zip([0] + xs, xs + [d]))
    write("07.in", d, gaps + rng.randint(0, 5000), xs[::-1])
    # max: reachable with many duplicates
    xs = [rng.randint(1, 2000) * 500000 - 1 for _ in range(5000)]
    xs = [x for x in xs if 0 < x < d]
    write("08.in", d, 3 * 10**6, xs)
    # random medium, some unreachable
    xs = [rng.randint(1, 999) for _ in range(60)]
    write("09.in", 1000, 200, xs)
    xs = [rng.randint(1, 10**9 - 1) for _ in range(5000)]
    write("10.in", 10**9, 3 * 10**6, xs)
    write("11.in", 10**9, 10**9, xs[:1000])


main()
