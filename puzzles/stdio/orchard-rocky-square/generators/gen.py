"""Writes data/secret/*.in for orchard-rocky-square (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, k, grid):
    n, m = len(grid), len(grid[0])
    assert 1 <= n <= 200 and 1 <= m <= 200 and 1 <= k <= min(n, m)
    assert all(len(r) == m and all(v == -1 or 0 <= v <= 1000 for v in r) for r in grid)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d %d\n" % (n, m, k))
        f.write("".join(" ".join(map(str, r)) + "\n" for r in grid))


def rand_grid(rng, n, m, rock_p, lo=0, hi=1000):
    return [[-1 if rng.random() < rock_p else rng.randint(lo, hi) for _ in range(m)] for _ in range(n)]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(16180)
    write("01.in", 1, [[-1]])
    write("02.in", 1, [[0]])
    write("03.in", 1, [[0, 0, 0], [0, 0, 0]])                  # all ties -> 1 1
    write("04.in", 3, [[1] * 5 for _ in range(3)])              # ties along a row
    write("05.in", 2, [[7, -1, 7], [-1, 7, -1], [7, -1, 7]])    # no valid plot
    write("06.in", 3, rand_grid(rng, 8, 11, 0.1, 0, 9))
    write("07.in", 50, [[1000] * 50 for _ in range(50)])        # whole grid
    write("08.in", 17, rand_grid(rng, 200, 200, 0.001))         # max, few rocks
    write("09.in", 1, rand_grid(rng, 120, 150, 0.3))            # k = 1
    g = rand_grid(rng, 200, 200, 0.0, 5, 5)
    for _ in range(40):
        g[rng.randrange(200)][rng.randrange(200)] = -1
    write("10.in", 27, g)                                       # max, many equal sums
    write("11.in", 60, rand_grid(rng, 100, 99, 0.0001, 990, 1000))



main()
