import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    marks = data[1].decode()
    adj = [[] for _ in range(n + 1)]
    pos = 2
    for _ in range(n - 1):
        u = int(data[pos])
        v = int(data[pos + 1])
        w = int(data[pos + 2])
        pos += 3
        adj[u].append((v, w))
        adj[v].append((u, w))
    marked = [i + 1 for i in range(n) if marks[i] == '1']

    def dists(src):
        d = [-1] * (n + 1)
        d[src] = 0
        stack = [src]
        while stack:
            v = stack.pop()
            dv = d[v]
            for to, w in adj[v]:
                if d[to] < 0:
                    d[to] = dv + w
                    stack.append(to)
        return d

    # In a tree, the farthest vertex of a set S from any vertex is an end of S's diameter.
    d0 = dists(marked[0])
    a = max(marked, key=lambda x: d0[x])
    da = dists(a)
    b = max(marked, key=lambda x: da[x])
    db = dists(b)
    sys.stdout.write(' '.join(str(max(da[v], db[v])) for v in range(1, n + 1)) + '\n')


main()
