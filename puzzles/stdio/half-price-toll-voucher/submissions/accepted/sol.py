import sys
import heapq


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for i in range(m):
        u = int(data[2 + 3 * i])
        v = int(data[3 + 3 * i])
        w = int(data[4 + 3 * i])
        adj[u].append((v, w))
    INF = float('inf')
    dist = [INF] * (2 * (n + 1))  # state = 2 * town + used
    dist[2] = 0
    pq = [(0, 2)]
    while pq:
        d, s = heapq.heappop(pq)
        if d != dist[s]:
            continue
        v, used = s >> 1, s & 1
        for to, w in adj[v]:
            t = 2 * to + used
            nd = d + w
            if nd < dist[t]:
                dist[t] = nd
                heapq.heappush(pq, (nd, t))
            if not used:
                t2 = 2 * to + 1
                nd = d + w // 2
                if nd < dist[t2]:
                    dist[t2] = nd
                    heapq.heappush(pq, (nd, t2))
    ans = min(dist[2 * n], dist[2 * n + 1])
    print(-1 if ans == INF else ans)


main()
