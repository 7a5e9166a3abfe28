"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(8675309)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
N = 20000
A = 10**6


def write(idx, a, ops):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d\n' % (len(a), len(ops)))
        f.write(' '.join(map(str, a)) + '\n')
        f.write(''.join(' '.join(map(str, op)) + '\n' for op in ops))


def rand_ops(n, q, padd, xlo, xhi, maxlen=None):
    ops = []
    for _ in range(q):
        if maxlen is None:
            l = random.randint(1, n)
            r = random.randint(l, n)
        else:
            l = random.randint(1, n)
            r = min(n, l + random.randint(0, maxlen))
        if random.random() < padd:
            ops.append((1, l, r, random.randint(xlo, xhi)))
        else:
            ops.append((2, l, r))
    return ops


write(1, [5], [(2, 1, 1), (1, 1, 1, -10**6), (2, 1, 1)])
write(2, [0, 0], [(2, 1, 2), (1, 1, 1, 1), (2, 1, 2), (1, 2, 2, 1), (2, 1, 2), (2, 2, 2)])
write(3, [random.randint(0, 9) for _ in range(N)], rand_ops(N, N, 0.5, -3, 3))     # max size, many ties
write(4, [random.randint(0, A) for _ in range(N)], rand_ops(N, N, 0.5, -A, A))     # max size, big values
write(5, [7] * N, rand_ops(N, 8000, 0.3, -1, 1, 50))                               # all equal, short ranges
ops = [(1, 1, 5000, A) for _ in range(3000)] + [(2, 1, 5000), (2, 1, 1), (2, 5000, 5000)]  # values grow large
write(6, [A] * 5000, ops)
ops = []
for i in range(1, 3001):
    ops.append((1, i, i, -i))
    ops.append((2, 1, 3000))
write(7, [0] * 3000, ops)
write(8, [random.randint(0, 2) for _ in range(1000)], rand_ops(1000, 5000, 0.6, -1, 1))
write(9, [random.randint(0, A) for _ in range(10)], rand_ops(10, 300, 0.5, -5, 5))
write(10, [A] * 200, [(2, l, r) for l in range(1, 201, 7) for r in range(l, 201, 9)])  # only questions
