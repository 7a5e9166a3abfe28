"""Writes data/secret/*.in for parking-garage-fees (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")
ALPH = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def t(m):
    return "%02d:%02d" % (m // 60, m % 60)


def write(name, visits):
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n" % len(visits))
        for p, a, b in visits:
            f.write("%s %s %s\n" % (p, t(a), t(b)))


def rand_visits(rng, n, plates, long_bias=False):
    vs = []
    for _ in range(n):
        p = rng.choice(plates)
        a = rng.randint(0, 1439)
        if long_bias:
            b = rng.randint(a, 1439)
        else:
            b = min(1439, a + rng.choice([0, 1, 14, 15, 16, 29, 30, 31, 59, 60, 61, 90, 150, 269, 270, 271, 300]) + rng.randint(0, 3))
        vs.append((p, a, b))
    return vs


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20240611)
    # 01: single free visit
    write("01.in", [("A", 0, 15)])
    # 02: boundaries around the grace period and the half-hour steps / the cap
    bounds = [0, 15, 16, 30, 31, 60, 61, 240, 241, 270, 271, 1439]
    write("02.in", [("B%d" % i, 0, d) for i, d in enumerate(bounds)])
    # 03: prefixes and digit/letter ordering
    write("03.in", [("AB", 0, 100), ("A", 0, 100), ("ABC", 5, 6), ("9", 0, 40), ("A0", 0, 31), ("0", 60, 1439), ("AA", 0, 16)])
    # 04: same plate many visits
    write("04.in", [("SAME", a, a + 31) for a in range(0, 1400, 35)])
    # 05: random small
    plates = ["".join(rng.choice(ALPH) for _ in range(rng.randint(1, 3))) for _ in range(10)]
    write("05.in", rand_visits(rng, 50, plates))
    # 06: random medium
    plates = ["".join(rng.choice(ALPH) for _ in range(rng.randint(1, 8))) for _ in range(300)]
    write("06.in", rand_visits(rng, 2000, plates, long_bias=True))
    # 07: max, many distinct plates
    plates = ["".join(rng.choice(ALPH) for _ in range(rng.randint(1, 8))) for _ in range(6000)]
    write("07.in", rand_visits(rng, 10000, plates))
    # 08: max, few plates, long stays
    plates = ["".join(rng.choice(ALPH) for _ in range(8)) for _ in range(20)]
    write("08.in", rand_visits(rng, 10000, plates, long_bias=True))
    # 09: all distinct plates
    plates = set()
    while len(plates) < 3000:
        plates.add("".join(rng.choice(ALPH) for _ in range(rng.randint(4, 8))))
    plates = sorted(plates)
    rng.shuffle(plates)
    vs = rand_visits(rng, 3000, ["X"])
    write("09.in", [(p, a, b) for p, (_, a, b) in zip(plates, vs)])


main()
