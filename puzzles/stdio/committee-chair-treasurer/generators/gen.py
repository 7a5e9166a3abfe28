"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(4242)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
N = 10**6


def write(idx, qs):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d\n' % len(qs))
        f.write(''.join('%d %d\n' % x for x in qs))


write(1, [(1, 1)])
write(2, [(2, 2), (2, 1), (3, 2), (3, 3)])
write(3, [(N, N), (N, 1), (N, 2), (N, N - 1), (N, N // 2)])
qs = []
for _ in range(10000):
    n = random.randint(1, N)
    qs.append((n, random.randint(1, n)))
write(4, qs)                                             # random, max size
qs = []
for _ in range(10000):
    n = random.randint(N - 1000, N)
    qs.append((n, random.choice([1, 2, n, n - 1, random.randint(1, n)])))
write(5, qs)                                             # big n, edge k, max size
qs = [(n, k) for n in range(1, 41) for k in range(1, n + 1)]
write(6, qs)                                             # all small pairs
write(7, [(1000, k) for k in range(1, 1001)])
write(8, [(N, 500000)] * 10000)                          # all equal
write(9, [(n, 2) for n in range(2, 3000)])
write(10, [(random.randint(1, 100), 1) for _ in range(100)])
