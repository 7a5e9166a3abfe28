import sys
from bisect import bisect_right
from itertools import repeat


def main():
    data = sys.stdin.buffer.read().split()
    n, c, k = int(data[0]), int(data[1]), int(data[2])
    p = sorted(map(int, data[3:3 + n]))
    total = n * (n - 1) // 2
    base = n * (n + 1) // 2

    def linear(d):
        """pairs i < j (sorted) with p[j] - p[i] <= d"""
        return sum(map(bisect_right, repeat(p, n), [x + d for x in p])) - base

    def circular(d):
        """pairs with circular distance <= d"""
        if 2 * d >= c:
            return total
        # linear gap x has circular distance <= d iff x <= d or x >= c - d (disjoint ranges)
        return linear(d) + total - linear(c - d - 1)

    lo, hi = 0, c // 2
    while lo < hi:
        mid = (lo + hi) // 2
        if circular(mid) >= k:
            hi = mid
        else:
            lo = mid + 1
    print(lo)


main()
