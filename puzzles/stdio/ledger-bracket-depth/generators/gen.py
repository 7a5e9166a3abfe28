"""Writes every data/secret/*.in of this problem (deterministic)."""
import os
import random

random.seed(20240601)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'secret')
os.makedirs(OUT, exist_ok=True)
PAIRS = ['()', '[]', '{}', '<>']


def write(idx, s):
    with open(os.path.join(OUT, '%02d.in' % idx), 'w') as f:
        f.write('%d\n%s\n' % (len(s), s))


def random_valid(n, max_depth=None):
    """Random correct line of even length n."""
    out = []
    st = []
    remaining = n
    while remaining > 0:
        can_open = len(st) < remaining and (max_depth is None or len(st) < max_depth)
        if st and (not can_open or random.random() < 0.5):
            out.append(st.pop())
        else:
            p = random.choice(PAIRS)
            out.append(p[0])
            st.append(p[1])
        remaining -= 1
    return ''.join(out)


write(1, ')')
write(2, '(')
write(3, '<>')
write(4, '(' * 25000 + ')' * 25000)           # depth 25000, max size
write(5, random_valid(50000))                     # random correct, max size
s = list(random_valid(50000))
s[-1] = {')': ']', ']': '}', '}': '>', '>': ')'}[s[-1]]   # break at the very last char
write(6, ''.join(s))
write(7, random_valid(49998) + '<<')              # unclosed at the end -> -(n+1)
write(8, random_valid(1000, 3) + ']' + random_valid(1000))
write(9, '[]' * 25000)                           # depth 1
write(10, ''.join(random.choice('()[]{}<>') for _ in range(49999)))
write(11, random_valid(40000, 40))
