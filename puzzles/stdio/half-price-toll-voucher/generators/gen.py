"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(99120)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
W = 10**6


def write(idx, n, edges):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d\n' % (n, len(edges)))
        f.write(''.join('%d %d %d\n' % e for e in edges))


def rand_graph(n, m, wmax=W):
    return [(random.randint(1, n), random.randint(1, n), random.randint(0, wmax)) for _ in range(m)]


write(1, 1, [])
write(2, 1, [(1, 1, 7)])
write(3, 2, [(1, 2, 1)])                                  # voucher makes it free
n = 10000
perm = list(range(2, n))
random.shuffle(perm)
path = [1] + perm[:300] + [n]
edges = [(a, b, random.randint(W // 2, W)) for a, b in zip(path, path[1:])]
edges += rand_graph(n, 20000 - len(edges))
random.shuffle(edges)
write(4, n, edges)                                        # random sparse with a guaranteed route, max size
# layered graph: many alternatives, big single tolls tempt the voucher
n = 10000
edges = []
layers = [list(range(2 + 100 * i, 2 + 100 * (i + 1))) for i in range(99)]
for v in layers[0]:
    edges.append((1, v, random.randint(0, W)))
for a, b in zip(layers, layers[1:]):
    for _ in range(190):
        edges.append((random.choice(a), random.choice(b), random.choice([random.randint(0, 1000), random.randint(0, W)])))
for v in layers[-1]:
    edges.append((v, n, random.randint(0, W)))
random.shuffle(edges)
write(5, n, edges[:20000])
# long chain 1 -> 2 -> ... -> n with shortcuts that are expensive
n = 10000
edges = [(i, i + 1, random.randint(0, 100)) for i in range(1, n)]
for _ in range(20000 - len(edges)):
    a = random.randint(1, n - 1)
    b = random.randint(a + 1, n)
    edges.append((a, b, random.randint(W // 2, W)))
random.shuffle(edges)
write(6, n, edges)
# disconnected: two halves, no road from the first to the second
n = 5000
edges = [(random.randint(1, 2500), random.randint(1, 2500), random.randint(0, W)) for _ in range(2000)]
edges += [(random.randint(2501, n), random.randint(1, n), random.randint(0, W)) for _ in range(2000)]
write(7, n, edges)
write(8, 300, [(random.randint(1, 300), random.randint(1, 300), random.randint(5, 10)) for _ in range(6000)])  # dense, small weights, many ties
write(9, 50, [(random.randint(1, 50), random.randint(1, 50), random.choice([0, 1, W])) for _ in range(200)])
write(10, 3000, [(i, i + 1, W) for i in range(1, 3000)])  # all equal, one long path
write(11, 2000, rand_graph(2000, 3000))
