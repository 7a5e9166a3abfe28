"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(24680)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
L = 10000


def write(idx, n, bridges):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d\n' % (n, len(bridges)))
        f.write(''.join('%d %d %d %d %d\n' % b for b in bridges))


def bridge(u, v, wmax=L, pmax=L, open_frac=None):
    p = random.randint(1, pmax)
    o = random.randint(1, p) if open_frac is None else max(1, min(p, int(p * open_frac)))
    return (u, v, random.randint(1, wmax), p, o)


def connected(n, m, **kw):
    perm = list(range(1, n + 1))
    random.shuffle(perm)
    bs = []
    for i in range(1, n):
        bs.append(bridge(perm[random.randint(max(0, i - 5), i - 1)], perm[i], **kw))
    while len(bs) < m:
        u, v = random.sample(range(1, n + 1), 2)
        bs.append(bridge(u, v, **kw))
    random.shuffle(bs)
    return bs


write(1, 1, [])
write(2, 2, [(1, 2, 1, 1, 1)])
write(3, 2, [(2, 1, 10000, 10000, 1), (1, 2, 1, 10000, 1)])
write(4, 10000, connected(10000, 12000))                               # max size
write(5, 10000, connected(10000, 12000, open_frac=0.01))               # max size, rarely down
write(6, 3000, connected(3000, 5000, wmax=5, pmax=50))                 # short bridges, many waits
# two components: island 1 cannot reach the second half
bs = connected(1500, 2500)
bs += [(u + 1500, v + 1500, w, p, o) for (u, v, w, p, o) in connected(1500, 2500)]
write(7, 3000, bs)
write(8, 3000, [bridge(i, i + 1, open_frac=0.5) for i in range(1, 3000)])   # long path
write(9, 300, [(1, v, 10000, 10000, 10000) for v in range(2, 301)])     # star, always down
write(10, 40, connected(40, 120, wmax=20, pmax=30))
write(11, 1000, connected(1000, 3000))
