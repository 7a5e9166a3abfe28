"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(55555)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
D = 100000


def write(idx, n, roads, reqs):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d %d\n' % (n, len(roads), len(reqs)))
        f.write(''.join('%d %d %d\n' % r for r in roads))
        f.write(''.join('%d %d\n' % r for r in reqs))


def rand_roads(n, m, dmax=D, lo=1, hi=None):
    hi = n if hi is None else hi
    return [(random.randint(lo, hi), random.randint(lo, hi), random.randint(0, dmax)) for _ in range(m)]


def rand_reqs(n, k, same=0.05):
    out = []
    for _ in range(k):
        u = random.randint(1, n)
        out.append((u, u if random.random() < same else random.randint(1, n)))
    return out


write(1, 1, [], [(1, 1)])
write(2, 2, [(1, 1, 5)], [(1, 2), (2, 1), (2, 2), (1, 1)])
write(3, 3, [(1, 2, 0), (2, 3, 0), (1, 3, 7)], [(1, 3), (3, 3), (2, 1)])
write(4, 10000, rand_roads(10000, 15000), rand_reqs(10000, 10000))                  # max size
write(5, 10000, rand_roads(10000, 15000, 20), rand_reqs(10000, 10000, 0.2))         # max size, many equal depths
# a long chain with increasing depths, plus noise far away
roads = [(i, i + 1, i) for i in range(1, 3000)] + rand_roads(6000, 3000, D, 3001, 6000)
write(6, 6000, roads, rand_reqs(6000, 5000))
# two clusters joined by a single deep road, and an unreachable third cluster
roads = rand_roads(3000, 4000, 1000, 1, 1000) + rand_roads(3000, 4000, 1000, 1001, 2000) + [(500, 1500, D)]
roads += rand_roads(3000, 2000, 1000, 2001, 3000)
write(7, 3000, roads, rand_reqs(3000, 4000))
write(8, 500, [(random.randint(1, 500), random.randint(1, 500), 7) for _ in range(800)], rand_reqs(500, 1000, 0.3))  # all equal depth
write(9, 1000, [], rand_reqs(1000, 500, 0.5))                                         # no roads
write(10, 30, rand_roads(30, 40, 10), rand_reqs(30, 200, 0.2))
write(11, 8000, [(1, v, random.randint(0, D)) for v in range(2, 8001)], rand_reqs(8000, 3000))  # star
