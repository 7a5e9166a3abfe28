"""Writes data/secret/*.in for market-street-segments (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")
E9 = 10**9


def write(name, t, w):
    assert 1 <= len(w) <= 5 * 10**4 and all(-E9 <= x <= E9 for x in w) and abs(t) <= 10**15
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d\n%s\n" % (len(w), t, " ".join(map(str, w))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(99991)
    write("01.in", 5, [5])
    write("02.in", -5, [5])
    write("03.in", -E9, [-E9])
    write("04.in", 0, [1, -1, 1, -1, 1, -1, 1])
    write("05.in", 2, [rng.randint(-3, 3) for _ in range(200)])
    n = 50000
    write("06.in", 0, [0] * n)                                  # answer n(n+1)/2
    write("07.in", 10**15, [E9] * 3000)                         # no segment reaches 10^15
    write("08.in", 3 * 10**12, [E9] * 3000)                     # exactly one segment length
    write("09.in", 1, [rng.choice([-1, 0, 1]) for _ in range(n)])
    w = [rng.randint(-E9, E9) for _ in range(10000)]
    l = rng.randint(0, 9000)
    write("10.in", sum(w[l:l + 777]), w)                        # random, planted target
    write("11.in", -3 * 10**9, [rng.choice([-E9, E9, 0]) for _ in range(5000)])
    write("12.in", 5, [rng.randint(-9, 9) for _ in range(n)])



main()
