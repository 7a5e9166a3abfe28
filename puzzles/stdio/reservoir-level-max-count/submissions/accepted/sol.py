import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    size = 1
    h = 0
    while size < n:
        size *= 2
        h += 1
    NEG = -(10 ** 18)
    # Bottom-up segment tree; mx[p] already includes the pending add d[p] of node p.
    mx = [NEG] * (2 * size)
    cnt = [0] * (2 * size)
    d = [0] * size
    for i in range(n):
        mx[size + i] = int(data[2 + i])
        cnt[size + i] = 1
    for p in range(size - 1, 0, -1):
        a, b = mx[2 * p], mx[2 * p + 1]
        if a > b:
            mx[p], cnt[p] = a, cnt[2 * p]
        elif a < b:
            mx[p], cnt[p] = b, cnt[2 * p + 1]
        else:
            mx[p], cnt[p] = a, cnt[2 * p] + cnt[2 * p + 1]

    def rebuild(p, mx=mx, cnt=cnt, d=d):
        while p > 1:
            p >>= 1
            a, b = mx[2 * p], mx[2 * p + 1]
            if a > b:
                mx[p], cnt[p] = a + d[p], cnt[2 * p]
            elif a < b:
                mx[p], cnt[p] = b + d[p], cnt[2 * p + 1]
            else:
                mx[p], cnt[p] = a + d[p], cnt[2 * p] + cnt[2 * p + 1]

    def push(p, mx=mx, d=d, size=size, levels=tuple(range(h, 0, -1))):
        for s in levels:
            i = p >> s
            v = d[i]
            if v:
                c = 2 * i
                mx[c] += v
                mx[c + 1] += v
                if c < size:
                    d[c] += v
                    d[c + 1] += v
                d[i] = 0

    out = []
    pos = 2 + n
    for _ in range(q):
        t = data[pos]
        l = int(data[pos + 1]) - 1 + size
        r = int(data[pos + 2]) + size  # half-open
        if t == b'1':
            x = int(data[pos + 3])
            pos += 4
            l0, r0 = l, r - 1
            while l < r:
                if l & 1:
                    mx[l] += x
                    if l < size:
                        d[l] += x
                    l += 1
                if r & 1:
                    r -= 1
                    mx[r] += x
                    if r < size:
                        d[r] += x
                l >>= 1
                r >>= 1
            rebuild(l0)
            rebuild(r0)
        else:
            pos += 3
            push(l)
            push(r - 1)
            best = NEG
            c = 0
            while l < r:
                if l & 1:
                    v = mx[l]
                    if v > best:
                        best, c = v, cnt[l]
                    elif v == best:
                        c += cnt[l]
                    l += 1
                if r & 1:
                    r -= 1
                    v = mx[r]
                    if v > best:
                        best, c = v, cnt[r]
                    elif v == best:
                        c += cnt[r]
                l >>= 1
                r >>= 1
            out.append('%d %d' % (best, c))
    sys.stdout.write('\n'.join(out) + ('\n' if out else ''))


main()
