"""Writes data/secret/*.in for hiking-budget-window (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, b, c):
    assert 1 <= len(c) <= 2 * 10**4 and 1 <= b <= 10**15 and all(1 <= x <= 10**9 for x in c)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d\n%s\n" % (len(c), b, " ".join(map(str, c))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(1729)
    write("01.in", 1, [1])
    write("02.in", 1, [2])
    write("03.in", 5, [5, 5, 5, 5])           # ties: earliest
    write("04.in", 10**15, [10**9] * 10)       # everything fits
    write("05.in", 6, [7, 1, 2, 3, 9, 3, 2, 1, 8])  # two equal best blocks
    write("06.in", 50, [rng.randint(1, 20) for _ in range(100)])
    n = 20000
    write("07.in", 10**15, [10**9] * n)        # max, whole range
    write("08.in", 10**9 - 1, [10**9] * 2000)  # nothing fits
    c = [rng.randint(1, 10**9) for _ in range(n)]
    write("09.in", 5 * 10**9, c)
    c = [rng.choice([1, 2, 3, 1000]) for _ in range(n)]
    write("10.in", 5000, c)
    c = [rng.randint(1, 100) for _ in range(n)]
    write("11.in", sum(c) - 1, c)


main()
