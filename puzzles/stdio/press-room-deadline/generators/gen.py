"""Writes data/secret/*.in for press-room-deadline (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")
E9 = 10**9


def write(name, m, presses):
    assert 1 <= len(presses) <= 10**4 and 1 <= m <= E9
    assert all(0 <= s <= E9 and 1 <= t <= E9 for s, t in presses)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d\n" % (len(presses), m))
        f.write("".join("%d %d\n" % p for p in presses))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(777)
    write("01.in", 1, [(0, 1)])
    write("02.in", 1, [(E9, 1), (0, E9)])            # warm-up vs slow
    write("03.in", 5, [(3, 2)] * 5)
    write("04.in", E9, [(0, 1)])
    write("05.in", 37, [(rng.randint(0, 20), rng.randint(1, 10)) for _ in range(6)])
    n = 10**4
    write("06.in", E9, [(rng.randint(0, E9), rng.randint(1, E9)) for _ in range(n)])
    write("07.in", E9, [(E9, E9)] * 2000)
    write("08.in", E9, [(0, 1)] * n)
    write("09.in", rng.randint(1, E9), [(rng.randint(0, 1000), rng.randint(1, 1000)) for _ in range(n)])
    write("10.in", 12345, [(rng.randint(0, E9), rng.randint(1, 100)) for _ in range(2000)])
    write("11.in", E9, [(rng.randint(0, E9), rng.randint(1, E9)) for _ in range(1999)] + [(E9, 1)])



main()
