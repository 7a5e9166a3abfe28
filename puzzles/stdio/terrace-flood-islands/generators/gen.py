"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(31337)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)


def write(idx, L, rows):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d %d\n' % (len(rows), len(rows[0]), L))
        f.write(''.join(r + '\n' for r in rows))


def rand_grid(R, C, digits='0123456789'):
    return [''.join(random.choice(digits) for _ in range(C)) for _ in range(R)]


write(1, 0, ['5'])
write(2, 5, ['5'])
write(3, 0, ['1' * 300 for _ in range(300)])                    # one big island
write(4, 4, rand_grid(300, 300))                                 # random, level in the middle
write(5, 0, [''.join('9' if (r + c) % 2 == 0 else '0' for c in range(300)) for r in range(300)])  # checkerboard
# snake corridor: a single long, winding island
R = C = 299
g = []
for r in range(R):
    if r % 2 == 0:
        g.append('7' * C)
    elif r % 4 == 1:
        g.append('0' * (C - 1) + '7')
    else:
        g.append('7' + '0' * (C - 1))
write(6, 3, g)
write(7, 9, rand_grid(50, 70))                                   # everything flooded
write(8, 6, rand_grid(1, 300))                                   # a single row
write(9, 2, rand_grid(300, 1))                                   # a single column
write(10, 5, rand_grid(300, 300, '0123456'))                     # many small islands
write(11, 1, rand_grid(200, 300, '0222222'))                     # near percolation
