import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = list(map(int, data[1:1 + n]))
    mx = max(a)
    spf = list(range(mx + 1))
    primes = []
    i = 2
    while i * i <= mx:
        if spf[i] == i:
            primes.append(i)
        i += 1
    for p in reversed(primes):
        spf[p * p::p] = [p] * len(range(p * p, mx + 1, p))
    # square-free part of every distinct value
    core_of = {}
    for v in set(a):
        # prime factors come out in non-decreasing order; equal neighbours cancel in pairs
        core = 1
        x = v
        while x > 1:
            p = spf[x]
            x //= p
            if x % p == 0:
                x //= p
            else:
                core *= p
        core_of[v] = core
    cnt = {}
    for v in a:
        c = core_of[v]
        cnt[c] = cnt.get(c, 0) + 1
    print(sum(k * (k - 1) // 2 for k in cnt.values()))


main()
