"""Writes data/secret/*.in for nonoverlapping-motif (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, k, s):
    n = len(s)
    assert 2 <= k <= n <= 4 * 10**4 and all("a" <= c <= "z" for c in s)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d\n%s\n" % (n, k, s))


def fib_word(n):
    a, b = "a", "ab"
    while len(b) < n:
        a, b = b, b + a
    return b[:n]


def thue_morse(n):
    return "".join("ab"[bin(i).count("1") % 2] for i in range(n))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(4099)
    write("01.in", 2, "ab")                      # no motif
    write("02.in", 2, "aa")
    write("03.in", 3, "abababa")                 # overlapping "aba" does not count
    write("04.in", 2, "abcdefghijklmnopqrstuvwxyz")
    write("05.in", 4, "".join(rng.choice("ab") for _ in range(40)))
    write("06.in", 2, "".join(rng.choice("abc") for _ in range(200)))
    n = 40000
    write("07.in", 2, "a" * n)                   # answer n / 2
    write("08.in", 7, "z" * (n - 3))
    write("09.in", 2, "".join(rng.choice("ab") for _ in range(n)))
    write("10.in", 3, fib_word(n))
    write("11.in", 2, thue_morse(n))
    # a long planted motif inside random text
    motif = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(5000))
    filler = lambda m: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(m))
    s = filler(3000) + motif + filler(10000) + motif[:4000] + filler(7000) + motif + filler(100)
    s += filler(n - len(s))
    write("12.in", 3, s)
    # periodic with one defect; large k
    unit = "".join(rng.choice("xyz") for _ in range(13))
    s = list((unit * (n // 13 + 1))[:n])
    s[n // 2] = "a"
    write("13.in", 1000, "".join(s))
    write("14.in", n, "q" * n)                   # k = n


main()
