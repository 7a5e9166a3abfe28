"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(13579)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
C = 10**6
N = 150


def write(idx, s, c):
    assert len(s) == len(c)
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d\n%s\n%s\n' % (len(s), s, ' '.join(map(str, c))))


def rnd(n, alpha='()[]{}?'):
    return ''.join(random.choice(alpha) for _ in range(n))


def balanced(n):
    out, st = [], []
    for rem in range(n, 0, -1):
        if st and (len(st) >= rem or random.random() < 0.5):
            out.append(st.pop())
        else:
            p = random.choice(['()', '[]', '{}'])
            out.append(p[0])
            st.append(p[1])
    return ''.join(out)


write(1, '?', [3])
write(2, '??', [1, 1])
write(3, ')(', [4, 9])
write(4, rnd(N), [random.randint(1, C) for _ in range(N)])                  # max size
write(5, rnd(N - 1, '?'), [random.randint(2, C) for _ in range(N - 2)] + [1])  # odd count of ? -> erase one
write(6, rnd(N, '([{'), [C] * N)                                          # only openers: erase all
s = list(balanced(N))
for _ in range(12):
    s[random.randrange(N)] = random.choice('()[]{}?')
write(7, ''.join(s), [random.randint(1, C) for _ in range(N)])            # nearly balanced
write(8, rnd(N, '()[]'), [random.randint(1, 3) for _ in range(N)])         # many ties
write(9, balanced(140), [random.randint(1, C) for _ in range(140)])       # already balanced: 0
write(10, rnd(25, '(]?'), [random.randint(1, 100) for _ in range(25)])
write(11, ('([{?' * 40)[:N], [7] * N)
