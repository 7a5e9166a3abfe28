import sys


def main():
    data = sys.stdin.buffer.read().split()
    B, g = int(data[0]), int(data[1])
    NEG = -(10 ** 18)
    dp = [NEG] * (B + 1)  # dp[b] = best joy spending exactly b coins
    dp[0] = 0
    pos = 2
    for _ in range(g):
        t = int(data[pos])
        c = int(data[pos + 1])
        pos += 2
        nd = [NEG] * (B + 1) if t == 1 else dp[:]
        for _ in range(c):
            p = int(data[pos])
            v = int(data[pos + 1])
            pos += 2
            if p > B:
                continue
            shifted = [NEG] * p + [x + v for x in dp[:B + 1 - p]]
            nd = list(map(max, nd, shifted))
        dp = nd
    best = max(dp)
    # unreachable states stay far below zero (joys are non-negative)
    print(best if best >= 0 else -1)


main()
