"""Writes data/secret/*.in for skyline-facade-paint (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, h):
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n%s\n" % (len(h), " ".join(map(str, h))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(77001)
    write("01.in", [1])
    write("02.in", [0])
    write("03.in", [10**9])
    write("04.in", [5, 5, 5, 5])
    write("05.in", [0, 7, 0, 7, 0])
    write("06.in", [rng.randint(0, 10) for _ in range(30)])
    write("07.in", [rng.choice([0, rng.randint(1, 10**9)]) for _ in range(1000)])
    # max: alternating extremes (largest answer)
    write("08.in", [10**9 if i % 2 == 0 else 0 for i in range(50000)])
    write("09.in", [rng.randint(0, 20) for _ in range(50000)])
    write("10.in", [10**9] * 2000)
    write("11.in", sorted(rng.randint(0, 10**6) for _ in range(5000)))
    write("12.in", [rng.randint(0, 10**9) for _ in range(3000)])



main()
