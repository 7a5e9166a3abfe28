"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(5150)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
G = 10**6


def write(idx, w, ops):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d\n' % (len(w), len(ops)))
        f.write(' '.join(map(str, w)) + '\n')
        f.write(''.join(' '.join(map(str, op)) + '\n' for op in ops))


def rand_ops(n, q, probs, xmax=G):
    ops = []
    for _ in range(q):
        r = random.random()
        if r < probs[0]:
            ops.append((1, random.randint(1, n), random.randint(1, n)))
        elif r < probs[1]:
            ops.append((2, random.randint(1, n)))
        elif r < probs[2]:
            ops.append((3, random.randint(1, n), random.randint(0, xmax)))
        else:
            ops.append((4,))
    return ops


write(1, [7], [(2, 1), (4,), (1, 1, 1), (3, 1, 5), (2, 1), (4,)])
write(2, [0, 0], [(4,), (1, 1, 2), (1, 2, 1), (2, 2), (3, 2, 0), (2, 1), (4,)])
n = 20000
write(3, [random.randint(0, G) for _ in range(n)], rand_ops(n, 20000, (0.4, 0.7, 0.9)))   # max size, mixed
# chain joins that build a long path if unions were naive, then many queries
ops = [(1, i, i + 1) for i in range(1, 10000)]
ops += [(2, random.randint(1, n)) for _ in range(8000)]
ops += [(3, random.randint(1, n), G) for _ in range(1500)]
ops += [(2, 1)] * 500 + [(4,)]
write(4, [random.randint(0, G) for _ in range(n)], ops)                                    # max size
write(5, [G] * 1000, rand_ops(1000, 3000, (0.3, 0.6, 0.8)))                                 # all equal, large values
write(6, [random.randint(0, 10) for _ in range(3000)], rand_ops(3000, 5000, (0.1, 0.5, 0.9), 3))
write(7, [5] * 10, [(4,)] * 5 + [(2, i) for i in range(1, 11)])                            # only questions
ops = [(1, random.randint(1, 100), random.randint(1, 100)) for _ in range(2000)] + [(4,), (2, 1), (2, 100)]
write(8, [random.randint(0, G) for _ in range(100)], ops)                                   # everything joins
write(9, [random.randint(0, G) for _ in range(5000)], rand_ops(5000, 8000, (0.05, 0.3, 0.95)))
write(10, [i for i in range(1, 501)], [(3, i, G) for i in range(1, 501)] + [(1, 1, i) for i in range(2, 501)] + [(2, 250), (4,)])
