"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(12121)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
T = 10**6


def write(idx, t, rules):
    n = len(t) - 1
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d\n' % (n, len(rules)))
        f.write(''.join(' '.join(map(str, row)) + '\n' for row in t))
        f.write(''.join('%d %d\n' % r for r in rules))


def rand_matrix(n, lo=0, hi=T):
    t = [[random.randint(lo, hi) for _ in range(n + 1)] for _ in range(n + 1)]
    for i in range(n + 1):
        t[i][i] = 0
    return t


def euclid_matrix(n):
    pts = [(random.randint(0, 1000), random.randint(0, 1000)) for _ in range(n + 1)]
    t = [[0] * (n + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(n + 1):
            dx = pts[i][0] - pts[j][0]
            dy = pts[i][1] - pts[j][1]
            climb = max(0, random.randint(-50, 200)) if i != j else 0
            t[i][j] = abs(dx) + abs(dy) + climb
    return t


def rand_rules(n, m, acyclic=True):
    perm = list(range(1, n + 1))
    random.shuffle(perm)
    rules = []
    for _ in range(m):
        i, j = random.sample(range(n), 2)
        if acyclic and i > j:
            i, j = j, i
        rules.append((perm[i], perm[j]))
    return rules


write(1, [[0, 5], [7, 0]], [])
write(2, [[0, 5], [7, 0]], [(1, 1)])                                  # rule a = a: impossible
write(3, rand_matrix(13), [])                                         # max size, no rules
write(4, rand_matrix(13), rand_rules(13, 15))                         # max size, some rules
write(5, euclid_matrix(13), rand_rules(13, 6))
chain = list(range(1, 14))
random.shuffle(chain)
write(6, rand_matrix(13), [(chain[i], chain[i + 1]) for i in range(12)] * 8)   # order fully forced
write(7, rand_matrix(13), rand_rules(13, 40, acyclic=False))          # likely cyclic
write(8, [[0] * 14 for _ in range(14)], rand_rules(13, 100))           # all zero, many rules
write(9, rand_matrix(6, 0, 20), rand_rules(6, 4))
write(10, [[0 if i == j else T for j in range(14)] for i in range(14)], [])   # all equal
write(11, euclid_matrix(11), [])
