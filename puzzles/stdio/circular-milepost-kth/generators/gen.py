"""Writes data/secret/*.in for circular-milepost-kth (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")
E9 = 10**9


def write(name, c, k, p):
    n = len(p)
    assert 2 <= n <= 2 * 10**4 and 2 <= c <= E9 and 1 <= k <= n * (n - 1) // 2
    assert all(0 <= x < c for x in p)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d %d\n%s\n" % (n, c, k, " ".join(map(str, p))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(65537)
    write("01.in", 2, 1, [0, 1])                    # smallest track
    write("02.in", 10, 1, [0, 5])                   # antipodal, even C
    write("03.in", 11, 1, [0, 6])                   # odd C
    write("04.in", E9, 1, [0, E9 - 1])              # wrap-around distance 1
    write("05.in", 12, 15, [0, 3, 6, 9, 0, 6])      # largest k, duplicates
    p = [rng.randrange(50) for _ in range(30)]
    write("06.in", 50, rng.randint(1, 435), p)
    n = 20000
    total = n * (n - 1) // 2
    p = [rng.randrange(E9) for _ in range(n)]
    write("07.in", E9, total // 2, p)
    write("08.in", E9, 5000 * 4999 // 2, p[:5000])  # max distance
    write("09.in", E9, 3, p[:5000])
    # clustered near the seam
    p = [rng.choice([rng.randrange(0, 1000), rng.randrange(E9 - 1000, E9)]) for _ in range(5000)]
    write("10.in", E9, rng.randint(1, 5000 * 4999 // 2), p)
    # many equal positions
    p = [rng.randrange(7) * 142857142 for _ in range(5000)]
    write("11.in", 999999999, rng.randint(1, 5000 * 4999 // 2), p)
    # evenly spaced
    c = 3 * n
    write("12.in", c, total - n // 2, [3 * i for i in range(n)])
    # small random cases (checked against brute force)
    p = [rng.randrange(1000) for _ in range(300)]
    write("13.in", 1000, rng.randint(1, 300 * 299 // 2), p)
    p = [rng.randrange(2) for _ in range(200)]
    write("14.in", 3, rng.randint(1, 200 * 199 // 2), p)


main()
