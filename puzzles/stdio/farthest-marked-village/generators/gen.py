"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(424242)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
W = 10000
N = 10000


def write(idx, marks, edges):
    n = len(marks)
    perm = list(range(1, n + 1))
    random.shuffle(perm)
    relabel = {i + 1: perm[i] for i in range(n)}
    m = ['0'] * n
    for i, c in enumerate(marks):
        m[relabel[i + 1] - 1] = c
    e = [(relabel[u], relabel[v], w) if random.random() < 0.5 else (relabel[v], relabel[u], w) for u, v, w in edges]
    random.shuffle(e)
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d\n%s\n' % (n, ''.join(m)))
        f.write(''.join('%d %d %d\n' % x for x in e))


def rand_tree(n, wmax=W, depth_bias=None):
    edges = []
    for v in range(2, n + 1):
        if depth_bias is None:
            p = random.randint(1, v - 1)
        else:
            p = random.randint(max(1, v - depth_bias), v - 1)
        edges.append((p, v, random.randint(1, wmax)))
    return edges


def marks(n, prob):
    m = ['1' if random.random() < prob else '0' for _ in range(n)]
    if '1' not in m:
        m[random.randrange(n)] = '1'
    return ''.join(m)


write(1, '1', [])
write(2, '01', [(1, 2, 5)])
write(3, '11', [(1, 2, 10000)])
write(4, marks(N, 0.3), rand_tree(N))                              # max size, random tree
write(5, marks(N, 0.001), rand_tree(N, W, 3))                      # max size, deep tree, few marks
ms = ['0'] * N
ms[N // 2] = '1'
write(6, ''.join(ms), [(i, i + 1, W) for i in range(1, N)])        # path, single mark in the middle
write(7, "1" * 2000, [(1, v, random.randint(1, W)) for v in range(2, 2001)])   # star, all marked
write(8, marks(3000, 0.5), rand_tree(3000, 1))                     # all weights 1
write(9, '0' * 999 + '1', rand_tree(1000, W, 1))                   # path-like, last vertex marked
write(10, marks(200, 0.1), rand_tree(200))
# caterpillar
edges = [(i, i + 1, random.randint(1, W)) for i in range(1, 2000)]
edges += [(random.randint(1, 2000), v, random.randint(1, W)) for v in range(2001, 4001)]
write(11, marks(4000, 0.02), edges)
