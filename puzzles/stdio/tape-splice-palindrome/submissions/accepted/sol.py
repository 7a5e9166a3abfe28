import sys


def main():
    data = sys.stdin.read().split()
    n, D = int(data[0]), int(data[1])
    s = [ord(c) for c in data[2]]
    # prev[j] = dp[i+1][j], cur[j] = dp[i][j]; dp of an empty or one-letter substring is 0
    prev = [0] * n
    for i in range(n - 1, -1, -1):
        cur = [0] * n
        si = s[i]
        left = 0  # cur[j-1]
        for j in range(i + 1, n):
            inner = prev[j - 1] if j - 1 >= i + 1 else 0
            d = si - s[j]
            best = inner + (d if d >= 0 else -d)
            t = prev[j] + D
            if t < best:
                best = t
            t = left + D
            if t < best:
                best = t
            cur[j] = best
            left = best
        prev = cur
    print(prev[n - 1])


main()
