"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(314159)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
M = 100000


def write(idx, R, C, pts):
    pts = list(pts)
    assert len(set(pts)) == len(pts) <= 400
    assert all(0 <= r <= R and 0 <= c <= C and (r, c) not in ((0, 0), (R, C)) for r, c in pts)
    random.shuffle(pts)
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d %d\n' % (R, C, len(pts)))
        f.write(''.join('%d %d\n' % p for p in pts))


def rand_pts(R, C, k):
    s = set()
    while len(s) < k:
        p = (random.randint(0, R), random.randint(0, C))
        if p != (0, 0) and p != (R, C):
            s.add(p)
    return s


def diagonal_band(R, C, k, width):
    """Icy points near the main diagonal, so most routes meet many of them."""
    s = set()
    while len(s) < k:
        t = random.random()
        r = int(t * R)
        c = min(C, max(0, int(t * C) + random.randint(-width, width)))
        if (r, c) != (0, 0) and (r, c) != (R, C):
            s.add((r, c))
    return s


write(1, 1, 1, [])
write(2, 1, 1, [(1, 0), (0, 1)])                       # every route meets exactly one
write(3, 1, 5, [(0, c) for c in range(1, 6)] + [(1, c) for c in range(0, 5)])
write(4, M, M, diagonal_band(M, M, 400, 30))            # max size
write(5, M, M, rand_pts(M, M, 400))                     # max size, scattered
write(6, M, 1, [(r, 0) for r in range(1, 401)])         # thin strip
write(7, 30, 30, rand_pts(30, 30, 400))                 # dense small grid
write(8, 5, 7, rand_pts(5, 7, 12))
write(9, M, M, [(i * 250, i * 250) for i in range(1, 400)])   # chain of points on the diagonal
write(10, 1000, 50000, diagonal_band(1000, 50000, 300, 200))
write(11, 20, 20, [(r, c) for r in range(1, 20) for c in range(1, 20) if (r + c) % 3 == 0][:400])
