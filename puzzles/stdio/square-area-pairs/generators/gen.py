"""Writes data/secret/*.in for square-area-pairs (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, a):
    assert 1 <= len(a) <= 2 * 10**4 and all(1 <= x <= 10**6 for x in a)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n%s\n" % (len(a), " ".join(map(str, a))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(1414)
    write("01.in", [1])
    write("02.in", [7, 28])
    write("03.in", [1, 4, 9, 16, 25, 1000000, 999999, 2, 3])
    write("04.in", list(range(1, 101)))
    write("05.in", [rng.randint(1, 50) for _ in range(1000)])
    # max: all equal -> n(n-1)/2
    write("06.in", [1000000] * 20000)
    # max: random large values
    write("07.in", [rng.randint(1, 10**6) for _ in range(20000)])
    # max: few cores times random squares
    cores = [1, 2, 3, 5, 6, 7, 10, 11, 13, 30, 210, 2310, 999983]
    a = []
    while len(a) < 20000:
        c = rng.choice(cores)
        s = rng.randint(1, int((10**6 // c) ** 0.5))
        a.append(c * s * s)
    write("08.in", a)
    # distinct values 1..5000 shuffled
    a = list(range(1, 5001))
    rng.shuffle(a)
    write("09.in", a)


main()
