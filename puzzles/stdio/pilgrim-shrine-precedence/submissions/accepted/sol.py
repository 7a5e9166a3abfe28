import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    pos = 2
    t = []
    for _ in range(n + 1):
        t.append([int(x) for x in data[pos:pos + n + 1]])
        pos += n + 1
    pre = [0] * n
    for _ in range(m):
        a = int(data[pos]) - 1
        b = int(data[pos + 1]) - 1
        pos += 2
        pre[b] |= 1 << a
    INF = float('inf')
    full = (1 << n) - 1
    dp = [[INF] * n for _ in range(1 << n)]
    for j in range(n):
        if pre[j] == 0:
            dp[1 << j][j] = t[0][j + 1]
    for mask in range(1, full + 1):
        row = dp[mask]
        # shrines that may come next from this set
        nxt = [j for j in range(n) if not (mask >> j) & 1 and pre[j] & mask == pre[j]]
        if not nxt:
            continue
        for last in range(n):
            cur = row[last]
            if cur == INF:
                continue
            tl = t[last + 1]
            for j in nxt:
                v = cur + tl[j + 1]
                target = dp[mask | (1 << j)]
                if v < target[j]:
                    target[j] = v
    best = INF
    for last in range(n):
        if dp[full][last] != INF:
            best = min(best, dp[full][last] + t[last + 1][0])
    print(-1 if best == INF else best)


main()
