import sys
import heapq


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    pos = 2
    for _ in range(m):
        u, v, w, p, o = (int(x) for x in data[pos:pos + 5])
        pos += 5
        adj[u].append((v, w, p, o))
        adj[v].append((u, w, p, o))
    INF = float('inf')
    dist = [INF] * (n + 1)
    dist[1] = 0
    pq = [(0, 1)]
    while pq:
        t, v = heapq.heappop(pq)
        if t != dist[v]:
            continue
        for to, w, p, o in adj[v]:
            r = t % p
            arr = (t if r < o else t + p - r) + w
            if arr < dist[to]:
                dist[to] = arr
                heapq.heappush(pq, (arr, to))
    sys.stdout.write(' '.join(str(-1 if d == INF else d) for d in dist[1:]) + '\n')


main()
