import sys
from collections import Counter

MOD = (1 << 61) - 1
BASE = 1000003


def main():
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    s = data[2][:n]
    H = [0] * (n + 1)
    P = [1] * (n + 1)
    for i in range(n):
        H[i + 1] = (H[i] * BASE + (s[i] - 96)) % MOD
        P[i + 1] = P[i] * BASE % MOD

    def feasible(L):
        """does some string of length L have k pairwise non-overlapping occurrences?"""
        p = P[L]
        hashes = [(H[i + L] - H[i] * p) % MOD for i in range(n - L + 1)]
        # only strings with at least k (possibly overlapping) occurrences can qualify
        frequent = {h for h, c in Counter(hashes).items() if c >= k}
        if not frequent:
            return False
        next_free = {}
        count = {}
        for i, h in enumerate(hashes):
            if h not in frequent:
                continue
            # greedily take the earliest occurrence that does not overlap the previous one
            if next_free.get(h, -1) <= i:
                next_free[h] = i + L
                c = count.get(h, 0) + 1
                if c >= k:
                    return True
                count[h] = c
        return False

    lo, hi = 0, n // k
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if feasible(mid):
            lo = mid
        else:
            hi = mid - 1
    print(lo)


main()
