"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(97531)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
V = 10**6
N = 1000


def write(idx, vals, edges):
    n = len(vals)
    perm = list(range(1, n + 1))
    random.shuffle(perm)
    nv = [0] * n
    for i in range(n):
        nv[perm[i] - 1] = vals[i]
    e = [(perm[a - 1], perm[b - 1]) for a, b in edges]
    e = [(a, b) if random.random() < 0.5 else (b, a) for a, b in e]
    random.shuffle(e)
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d\n%s\n' % (n, ' '.join(map(str, nv))))
        f.write(''.join('%d %d\n' % x for x in e))


def rand_tree(n, bias=None):
    return [(random.randint(1 if bias is None else max(1, v - bias), v - 1), v) for v in range(2, n + 1)]


write(1, [V], [])
write(2, [-V, -V], [(1, 2)])
write(3, [5, -1, 5], [(1, 2), (2, 3)])
write(4, [random.randint(-V, V) for _ in range(N)], rand_tree(N))                 # max size, random
write(5, [random.randint(-V, V) for _ in range(N)], rand_tree(N, 1))              # max size, a path
write(6, [random.randint(-V, V) for _ in range(N)], [(1, v) for v in range(2, N + 1)])   # star
write(7, [7] * N, rand_tree(N, 5))                                               # all equal
write(8, [random.randint(-V, -1) for _ in range(N)], rand_tree(N))               # all negative
# caterpillar with good leaves hanging off a bad spine
vals = [-V] * 300 + [random.randint(0, V) for _ in range(700)]
edges = [(i, i + 1) for i in range(1, 300)] + [(random.randint(1, 300), v) for v in range(301, 1001)]
write(9, vals, edges)
write(10, [random.randint(-10, 10) for _ in range(50)], rand_tree(50))
write(11, [random.randint(-V, V) for _ in range(600)], rand_tree(600, 20))
