import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m, q = int(data[0]), int(data[1]), int(data[2])
    pos = 3
    edges = []
    for _ in range(m):
        a = int(data[pos]) - 1
        b = int(data[pos + 1]) - 1
        d = int(data[pos + 2])
        pos += 3
        edges.append((d, a, b))
    edges.sort()
    qu = [0] * q
    qv = [0] * q
    for i in range(q):
        qu[i] = int(data[pos]) - 1
        qv[i] = int(data[pos + 1]) - 1
        pos += 2

    par = list(range(n))
    size = [1] * n

    def find(x):
        while par[x] != x:
            par[x] = par[par[x]]
            x = par[x]
        return x

    # Offline: every component keeps the ids of its unanswered requests (small-to-large).
    pending = [[] for _ in range(n)]
    H = [-1] * q
    res_size = [0] * q
    waiting = []  # (threshold, request id): size is read once all roads <= threshold are in
    for i in range(q):
        if qu[i] == qv[i]:
            H[i] = 0
            waiting.append(i)
        else:
            pending[qu[i]].append(i)
            pending[qv[i]].append(i)
    wait_th = 0

    def flush():
        for i in waiting:
            res_size[i] = size[find(qu[i])]
        waiting.clear()

    idx = 0
    while idx < m:
        w = edges[idx][0]
        if waiting and wait_th < w:
            flush()
        wait_th = w
        while idx < m and edges[idx][0] == w:
            _, a, b = edges[idx]
            idx += 1
            ra = find(a)
            rb = find(b)
            if ra == rb:
                continue
            if len(pending[ra]) > len(pending[rb]):
                ra, rb = rb, ra
            # move ra's requests into rb, answering those that connect ra with rb
            lst = pending[rb]
            for i in pending[ra]:
                if H[i] >= 0:
                    continue
                other = qv[i] if find(qu[i]) == ra else qu[i]
                if find(other) == rb:
                    H[i] = w
                    waiting.append(i)
                else:
                    lst.append(i)
            pending[ra] = []
            if size[ra] > size[rb]:
                par[rb] = ra
                size[ra] += size[rb]
                pending[ra] = lst
                pending[rb] = []
            else:
                par[ra] = rb
                size[rb] += size[ra]
    flush()
    out = []
    for i in range(q):
        if H[i] < 0:
            res_size[i] = size[find(qu[i])]
        out.append('%d %d' % (H[i], res_size[i]))
    sys.stdout.write('\n'.join(out) + '\n')


main()
