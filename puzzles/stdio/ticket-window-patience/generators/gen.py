"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(777001)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)


def write(idx, rows):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d\n' % len(rows))
        f.write(''.join('%d %d %d\n' % r for r in rows))


def gen(n, gap, dmax, pmax, amax=10**9):
    a = 0
    rows = []
    for _ in range(n):
        a = min(amax, a + random.randint(0, gap))
        rows.append((a, random.randint(1, dmax), random.randint(0, pmax)))
    return rows


write(1, [(0, 1, 0)])
write(2, [(10**9, 10**9, 10**9)])
write(3, [(5, 3, 0)] * 5)                                  # everyone at once, no patience
write(4, gen(10000, 10**5, 10**9 // 10**4, 10**9, 10**9))   # big values, most are served
write(5, gen(10000, 10, 12, 30))                          # busy line, mixed
write(6, gen(10000, 5000, 10**4, 10**4))
write(7, [(10**9, 1, 0)] * 3000)                         # all arrive at the last minute
write(8, gen(1000, 3, 5, 0))
write(9, gen(50, 100, 100, 200))
write(10, [(0, random.randint(1, 10**5), random.randint(0, 10**9)) for _ in range(10000)])  # all a = 0, long waits
