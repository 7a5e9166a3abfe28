"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(8086)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
V = 10**6


def write(idx, B, stalls):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d\n' % (B, len(stalls)))
        for t, items in stalls:
            f.write('%d %d %s\n' % (t, len(items), ' '.join('%d %d' % it for it in items)))


def rand_stalls(total, per, pmax, vmax, pmand, pmin=1):
    stalls = []
    left = total
    while left > 0:
        c = min(left, random.randint(1, per))
        left -= c
        items = [(random.randint(pmin, pmax), random.randint(0, vmax)) for _ in range(c)]
        stalls.append((1 if random.random() < pmand else 0, items))
    return stalls


write(1, 1, [(0, [(1, 0)])])
write(2, 1, [(0, [(2, 5)])])                                           # nothing affordable -> 0
write(3, 5000, [(1, [(5000, V)])])
write(4, 5000, rand_stalls(200, 6, 500, V, 0.3))                       # max size, feasible
write(5, 5000, rand_stalls(200, 1, 5000, V, 0.0))                      # plain 0/1 knapsack, max size
write(6, 5000, [(1, [(25, 7)]) for _ in range(200)])                   # 200 promised stalls, 5000 exactly
write(7, 4999, [(1, [(25, 7)]) for _ in range(200)])                   # one coin short -> -1
write(8, 3000, rand_stalls(200, 10, 300, 1000, 0.5, 50))               # many promises, tight
write(9, 5000, [(0, [(random.randint(1, 5000), V) for _ in range(200)])])  # single stall, all equal joy
write(10, 1000, rand_stalls(60, 4, 400, 50, 0.2))
write(11, 5000, rand_stalls(200, 200, 5000, V, 0.0))                   # one huge optional stall
