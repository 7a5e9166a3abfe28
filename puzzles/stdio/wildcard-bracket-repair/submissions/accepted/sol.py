import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    s = data[1]
    c = [int(x) for x in data[2:2 + n]]
    closing_for = {'(': ')?', '[': ']?', '{': '}?', '?': ')]}?'}
    # partners[i] = positions k > i that can close the bracket opened at i
    partners = []
    for i in range(n):
        ok = closing_for.get(s[i], '')
        partners.append([k for k in range(i + 1, n) if s[k] in ok])
    # dp[i][j] = min cost for s[i..j-1]; dp[i][i] = 0
    dp = [[0] * (n + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row = dp[i]
        nxt = dp[i + 1]
        ci = c[i]
        pi = partners[i]
        for j in range(i + 1, n + 1):
            best = ci + nxt[j]
            for k in pi:
                if k >= j:
                    break
                v = nxt[k] + dp[k + 1][j]
                if v < best:
                    best = v
            row[j] = best
    print(dp[0][n])


main()
