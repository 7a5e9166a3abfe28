"""Writes data/secret/*.in for painted-lockers (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")
E18 = 10**18


def write(name, cases):
    assert 1 <= len(cases) <= 1000 and all(1 <= lo <= hi <= E18 and 1 <= a <= E18 and 1 <= b <= E18 for lo, hi, a, b in cases)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n" % len(cases))
        f.write("".join("%d %d %d %d\n" % c for c in cases))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(8086)
    write("01.in", [(1, 1, 1, 1)])
    write("02.in", [(1, 1, 1, 2), (1, 1, 2, 1), (1, E18, 1, E18), (1, E18, E18, E18),
                    (E18, E18, E18, 1), (E18, E18, E18 - 1, E18), (1, E18, 10**9, 10**9 + 7),
                    (1, E18, 999999999999999989, 999999999999999877), (1, E18, 2, 3),
                    (5, 5, 6, 7), (2, 3, 4, 5)])
    # lcm overflows 64 bits
    write("03.in", [(rng.randint(1, E18 // 2), rng.randint(E18 // 2, E18),
                     rng.randint(E18 // 10, E18), rng.randint(E18 // 10, E18)) for _ in range(100)])
    # small numbers, brute-force friendly
    cases = []
    for _ in range(200):
        lo = rng.randint(1, 100)
        cases.append((lo, rng.randint(lo, 200), rng.randint(1, 30), rng.randint(1, 30)))
    write("04.in", cases)
    # max: random huge values
    cases = []
    for _ in range(1000):
        lo = rng.randint(1, E18)
        hi = rng.randint(lo, E18)
        cases.append((lo, hi, rng.randint(1, 10**rng.randint(1, 18)), rng.randint(1, 10**rng.randint(1, 18))))
    write("05.in", cases)
    # max: a and b sharing large factors, lcm near R
    cases = []
    for _ in range(1000):
        g = rng.randint(1, 10**6)
        a = g * rng.randint(1, 10**6)
        b = g * rng.randint(1, 10**6)
        lo = rng.randint(1, 10**12)
        cases.append((lo, rng.randint(lo, E18), a, b))
    write("06.in", cases)
    # one is a multiple of the other
    cases = []
    for _ in range(1000):
        a = rng.randint(1, 10**9)
        b = a * rng.randint(1, 10**9)
        lo = rng.randint(1, 10**15)
        cases.append((lo, rng.randint(lo, E18), a, b) if rng.random() < 0.5 else (lo, rng.randint(lo, E18), b, a))
    write("07.in", cases)
    # max: small a and b, wide ranges
    cases = []
    for _ in range(1000):
        lo = rng.randint(1, E18)
        cases.append((lo, rng.randint(lo, E18), rng.randint(1, 100), rng.randint(1, 100)))
    write("08.in", cases)
    # single lockers
    cases = []
    for _ in range(1000):
        a, b = rng.randint(1, 50), rng.randint(1, 50)
        x = rng.choice([a * b * rng.randint(1, 10**15), a * rng.randint(1, 10**15), rng.randint(1, E18)])
        x = min(x, E18)
        cases.append((x, x, a, b))
    write("09.in", cases)


main()
