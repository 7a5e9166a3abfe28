import sys
from bisect import bisect_left


def main():
    data = sys.stdin.buffer.read().split()
    n, D = int(data[0]), int(data[1])
    a = [int(x) for x in data[2:2 + n]]
    vals = sorted(set(a))
    idx = {v: i + 1 for i, v in enumerate(vals)}
    k = len(vals)
    bit = [0] * (k + 1)
    total = 0
    for j in range(n):
        x = a[j]
        # earlier values strictly below x + D are not drops
        i = bisect_left(vals, x + D)
        s = 0
        while i > 0:
            s += bit[i]
            i &= i - 1
        total += j - s
        i = idx[x]
        while i <= k:
            bit[i] += 1
            i += i & -i
    print(total)


main()
