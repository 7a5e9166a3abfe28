"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(60606)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
P = 10**6


def write(idx, p, edges):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d\n' % (len(p), len(edges)))
        f.write(' '.join(map(str, p)) + '\n')
        f.write(''.join('%d %d\n' % e for e in edges))


def dag_edges(n, m, span=None):
    """Random DAG edges along a hidden random order."""
    perm = list(range(1, n + 1))
    random.shuffle(perm)
    edges = []
    for _ in range(m):
        i = random.randint(0, n - 2)
        j = random.randint(i + 1, n - 1 if span is None else min(n - 1, i + span))
        edges.append((perm[i], perm[j]))
    return edges


write(1, [5], [])
write(2, [0, 0], [(2, 1), (2, 1)])
write(3, [7], [(1, 1)])                                                  # self-rule: impossible
n = 10000
write(4, [random.randint(0, P) for _ in range(n)], dag_edges(n, 30000))                   # max size
write(5, [random.randint(0, 3) for _ in range(n)], dag_edges(n, 30000, 50))               # many ties, max size
edges = dag_edges(5000, 14999)
a, b = edges[12345]
edges.append((b, a))                                                     # one back edge -> cycle
random.shuffle(edges)
write(6, [random.randint(0, P) for _ in range(5000)], edges)
write(7, [3] * 2000, [])                                                 # all equal, no rules
write(8, list(range(3000, 0, -1)), [(i + 1, i) for i in range(1, 3000)])    # forced chain against priority
write(9, [random.randint(0, P) for _ in range(200)], dag_edges(200, 1500))
# a cycle that is not reachable from a source-free start: two parts, second part is a cycle
p = [random.randint(0, 100) for _ in range(1000)]
edges = dag_edges(900, 2000) + [(901 + i, 901 + (i + 1) % 100) for i in range(100)]
write(10, p, edges)
