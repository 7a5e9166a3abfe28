"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(1618)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
H = 10**6
N = 30000


def write(idx, h):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d\n%s\n' % (len(h), ' '.join(map(str, h))))


write(1, [5])
write(2, [1, 2])
write(3, [2, 1])
write(4, [random.randint(1, H) for _ in range(N)])                    # max size, random
write(5, [random.randint(1, 5) for _ in range(N)])                    # max size, many ties
write(6, list(range(1, 8001)))                                     # increasing
write(7, list(range(5000, 0, -1)))                                     # decreasing
write(8, [min(i, 9999 - i) + 1 for i in range(10000)])                 # mountain
write(9, [H] * 4000)                                                   # all equal
write(10, [H if i % 2 else 1 for i in range(3001)])                    # alternating
write(11, [abs(i - 5000) + 1 for i in range(10001)])                   # valley
