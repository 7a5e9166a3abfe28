import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    w = [0] + [int(x) for x in data[2:2 + n]]
    par = list(range(n + 1))
    sz = [1] * (n + 1)
    best = w[:]
    groups = n
    pos = 2 + n
    out = []

    def find(x):
        while par[x] != x:
            par[x] = par[par[x]]
            x = par[x]
        return x

    for _ in range(q):
        t = data[pos]
        if t == b'1':
            a = find(int(data[pos + 1]))
            b = find(int(data[pos + 2]))
            pos += 3
            if a == b:
                continue
            if sz[a] < sz[b]:
                a, b = b, a
            par[b] = a
            sz[a] += sz[b]
            if best[b] > best[a]:
                best[a] = best[b]
            groups -= 1
        elif t == b'2':
            a = find(int(data[pos + 1]))
            pos += 2
            out.append('%d %d' % (sz[a], best[a]))
        elif t == b'3':
            a = int(data[pos + 1])
            w[a] += int(data[pos + 2])
            pos += 3
            r = find(a)
            if w[a] > best[r]:
                best[r] = w[a]
        else:
            pos += 1
            out.append(str(groups))
    sys.stdout.write('\n'.join(out) + ('\n' if out else ''))


main()
