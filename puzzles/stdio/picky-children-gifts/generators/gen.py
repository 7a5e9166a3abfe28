"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(11235)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
G = 10**9


def write(idx, cases):
    assert sum(k for _, _, k in cases) <= 10**5 and len(cases) <= 10000
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d\n' % len(cases))
        f.write(''.join('%d %d %d\n' % c for c in cases))


write(1, [(1, 1, 0), (1, 1, 1), (1, 2, 2), (5, 1, 1)])
write(2, [(n, m, k) for n in range(1, 7) for m in range(1, 7) for k in range(0, m + 1)])  # all small
write(3, [(G, G, 10**5)])                                        # one maximal situation
write(4, [(G, 10**5, 10**5)])                                    # surjections onto 10^5 children
write(5, [(99999, 10**5, 10**5), (10**5, 10**5, 0)])             # fewer gifts than children -> 0
cases = []
left = 10**5
while len(cases) < 10000:
    k = random.randint(0, min(left, 20))
    left -= k
    m = random.randint(max(k, 1), G)
    cases.append((random.randint(1, G), m, k))
write(6, cases)                                                  # max T, sum k at most 10^5
write(7, [(random.randint(1, G), G, 0) for _ in range(3000)])   # k = 0: plain powers
write(8, [(random.randint(1, 30), random.randint(1, 12), 0) for _ in range(200)] +
         [(n, m, m) for n, m in [(random.randint(1, 30), random.randint(1, 12)) for _ in range(200)]])
write(9, [(10**5, 10**5, 10**5)])                               # n = m = k: k!
write(10, [(G, random.randint(10, G), 10) for _ in range(3000)])
