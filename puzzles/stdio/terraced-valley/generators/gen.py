"""Writes data/secret/*.in for terraced-valley (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")
E9 = 10**9


def write(name, h):
    assert 1 <= len(h) <= 3 * 10**4 and all(0 <= x <= E9 for x in h)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n%s\n" % (len(h), " ".join(map(str, h))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(2357)
    write("01.in", [7])
    write("02.in", [0, E9])
    write("03.in", [3, 3, 3, 3])
    write("04.in", [0, E9, 0])                    # a peak: worst shape
    write("05.in", [1, 2, 3, 4, 5, 4, 3, 2, 1])
    write("06.in", [rng.randint(0, 9) for _ in range(12)])
    write("07.in", [rng.randint(0, 100) for _ in range(40)])
    n = 30000
    write("08.in", [rng.randint(0, E9) for _ in range(5000)])
    # a mountain (the opposite of a valley) with noise
    write("09.in", [max(0, min(i, n - i) * 60 + rng.randint(-10**5, 10**5)) for i in range(n)])
    # already a valley
    write("10.in", [abs(i - 7000) * 10 for i in range(10000)])
    # noisy valley
    write("11.in", [abs(i - 12345) * 30 + rng.randint(0, 10**5) for i in range(n)])
    write("12.in", [E9 if i % 2 else 0 for i in range(5000)])



main()
