"""Writes data/secret/*.in for gear-train-lcm (deterministic)."""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "secret")


def write(name, t):
    assert 1 <= len(t) <= 2 * 10**4 and all(1 <= x <= 10**6 for x in t)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d\n%s\n" % (len(t), " ".join(map(str, t))))


def primes_upto(m):
    s = bytearray([1]) * (m + 1)
    s[0] = s[1] = 0
    for i in range(2, int(m ** 0.5) + 1):
        if s[i]:
            s[i * i::i] = bytearray(len(range(i * i, m + 1, i)))
    return [i for i in range(m + 1) if s[i]]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(60221)
    primes = primes_upto(10**6)
    write("01.in", [1])
    write("02.in", [1, 1, 1])
    write("03.in", [999983])
    write("04.in", [2**19, 2**10, 3**12, 3])
    write("05.in", [6, 10, 15])
    write("06.in", list(range(1, 41)))          # lcm(1..40), exceeds the modulus
    write("07.in", [rng.randint(1, 100) for _ in range(50)])
    # max: many distinct large primes (huge answer)
    powers = [p ** e for p in primes[:168] for e in range(2, 20) if p ** e <= 10**6]
    t = rng.sample(primes, 15000) + [rng.choice(powers) for _ in range(5000)]
    rng.shuffle(t)
    write("08.in", t)
    # max: random values
    write("09.in", [rng.randint(1, 10**6) for _ in range(20000)])
    # all equal
    write("10.in", [720720] * 3000)
    # all of 1..5000
    t = list(range(1, 5001))
    rng.shuffle(t)
    write("11.in", t)


main()
