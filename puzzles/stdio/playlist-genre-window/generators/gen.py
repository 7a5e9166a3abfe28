"""Writes data/secret/*.in for playlist-genre-window (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, k, g):
    assert 1 <= k <= len(g) <= 5 * 10**4 and all(1 <= x <= 10**9 for x in g)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d\n%s\n" % (len(g), k, " ".join(map(str, g))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(5555)
    write("01.in", 1, [10**9])
    write("02.in", 1, [1, 2, 3, 4, 5])              # every single song, n blocks
    write("03.in", 1, [4, 4, 4, 4])
    write("04.in", 2, [1, 2, 1, 2, 3, 2, 3, 2, 1])
    write("05.in", 3, [rng.randint(1, 5) for _ in range(100)])
    n = 50000
    write("06.in", 1, [rng.randint(1, 10**9) for _ in range(5000)])
    write("07.in", 5000, [rng.randint(1, 10**9) for _ in range(5000)])   # whole list
    write("08.in", 5, [rng.randint(1, 8) for _ in range(n)])
    g = []
    while len(g) < n:
        g.extend([rng.randint(1, 30)] * rng.randint(1, 50))
    write("09.in", 3, g[:n])
    write("10.in", 1000, [rng.randint(1, 1500) * 666661 for _ in range(5000)])
    write("11.in", 2, [1, 2] * 10000)
    write("12.in", 2, [1, 2, 3] * 7000)                            # many tied blocks
    g = []
    while len(g) < n:
        g.extend([rng.randint(1, 10**9)] * 7)
    write("13.in", 4, g[:5000])



main()
