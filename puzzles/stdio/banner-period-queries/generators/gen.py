"""Writes data/secret/*.in for banner-period-queries (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, s, qs):
    assert 1 <= len(s) <= 5 * 10**4 and 1 <= len(qs) <= 10**4
    assert all(1 <= m <= len(s) for m in qs)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%s\n%d\n" % (s, len(qs)))
        f.write("".join("%d\n" % m for m in qs))


def fib_word(n):
    a, b = "a", "ab"
    while len(b) < n:
        a, b = b, b + a
    return b[:n]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(3141)
    write("01.in", "q", [1])
    write("02.in", "ab", [1, 2])
    write("03.in", "abcabcabcab", list(range(1, 12)))
    write("04.in", "aabaabaabaaab", list(range(1, 14)))
    s = "".join(rng.choice("ab") for _ in range(60))
    write("05.in", s, list(range(1, 61)))
    n = 50000
    write("06.in", "a" * n, [rng.randint(1, n) for _ in range(10000)])
    w = fib_word(n)
    write("07.in", w, [rng.randint(1, n) for _ in range(9900)] + list(range(n - 99, n + 1)))
    unit = "".join(rng.choice("xyz") for _ in range(997))
    s = (unit * (n // 997 + 1))[:n]
    write("08.in", s, [rng.choice([rng.randint(1, n), 997 * rng.randint(1, n // 997)]) for _ in range(3000)])
    s = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
    write("09.in", s, [rng.randint(1, n) for _ in range(2000)])
    # almost periodic: period breaks near the end
    s = ("abcab" * (n // 5))[:n - 1] + "z"
    write("10.in", s, list(range(n, n - 500, -1)) + [rng.randint(1, n) for _ in range(500)])


main()
