"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(271828)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
A = 10**6
N = 30000


def write(idx, D, a):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d\n%s\n' % (len(a), D, ' '.join(map(str, a))))


write(1, 0, [7])
write(2, 1, [3, 3])
write(3, 0, [3, 3])
write(4, 1000, [random.randint(1, A) for _ in range(N)])                  # max size
write(5, -(10**6), [random.randint(1, A) for _ in range(10000)])              # every pair counts
write(6, 10**6, [random.randint(1, A) for _ in range(8000)])                 # no pair can count
write(7, 0, [7] * N)                                                 # all equal: n(n-1)/2
write(8, 1, list(range(N, 0, -1)))                                        # strictly decreasing
write(9, -3, [random.randint(1, 10) for _ in range(N)])                  # small values, negative D
write(10, 5, list(range(1, 2001)))                                        # increasing -> 0
write(11, 250000, [random.randint(1, A) for _ in range(5000)])
