"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(1357)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
AL = 'abcdefghijklmnopqrstuvwxyz'


def write(idx, D, s):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d %d\n%s\n' % (len(s), D, s))


def rnd(n, alpha=AL):
    return ''.join(random.choice(alpha) for _ in range(n))


write(1, 7, 'q')
write(2, 0, 'az')
write(3, 100, 'az')
write(4, 4, rnd(1000))                          # max size
write(5, 100, rnd(1000))                         # max size, splicing is expensive
write(6, 1, rnd(1000, 'amz'))
write(7, 50, 'k' * 1000)                         # already a palindrome
half = rnd(500)
s = list(half + half[::-1])
for _ in range(30):
    s[random.randrange(1000)] = random.choice(AL)
write(8, 13, ''.join(s))                         # near palindrome
write(9, 12, 'az' * 500)
write(10, 3, rnd(37, 'ab'))
write(11, 25, rnd(999))
