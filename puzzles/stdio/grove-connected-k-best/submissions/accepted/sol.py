import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    val = [0] + [int(x) for x in data[1:1 + n]]
    adj = [[] for _ in range(n + 1)]
    pos = 1 + n
    for _ in range(n - 1):
        a = int(data[pos])
        b = int(data[pos + 1])
        pos += 2
        adj[a].append(b)
        adj[b].append(a)
    parent = [0] * (n + 1)
    parent[1] = -1
    order = []
    stack = [1]
    while stack:
        v = stack.pop()
        order.append(v)
        for to in adj[v]:
            if to != parent[v]:
                parent[to] = v
                stack.append(to)
    NEG = -(10 ** 18)
    best = [NEG] * (n + 1)
    # dp[v][j-1] = best value of a connected set of j vertices in v's subtree containing v
    dp = [None] * (n + 1)
    for v in reversed(order):
        cur = [val[v]]
        for c in adj[v]:
            if c == parent[v]:
                continue
            ch = dp[c]
            dp[c] = None
            lb = len(ch)
            nw = cur + [NEG] * lb
            # iterate over the shorter list, vectorise over the longer one
            short, long_ = (cur, ch) if len(cur) <= lb else (ch, cur)
            ll = len(long_)
            for i, sv in enumerate(short):
                lo = i + 1
                nw[lo:lo + ll] = map(max, nw[lo:lo + ll], [sv + x for x in long_])
            cur = nw
        for j, x in enumerate(cur):
            if x > best[j + 1]:
                best[j + 1] = x
        dp[v] = cur
    sys.stdout.write(' '.join(map(str, best[1:])) + '\n')


main()
