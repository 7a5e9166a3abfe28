import sys

MOD = 10**9 + 7


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    values = set(map(int, data[1:1 + n]))
    mx = max(values)
    # smallest prime factor sieve; larger primes are written first so smaller ones overwrite them
    spf = list(range(mx + 1))
    primes = []
    i = 2
    while i * i <= mx:
        if spf[i] == i:
            primes.append(i)
        i += 1
    for p in reversed(primes):
        spf[p * p::p] = [p] * len(range(p * p, mx + 1, p))
    best = {}
    for v in values:
        while v > 1:
            p = spf[v]
            e = 0
            while v % p == 0:
                v //= p
                e += 1
            if best.get(p, 0) < e:
                best[p] = e
    ans = 1
    for p, e in best.items():
        ans = ans * pow(p, e, MOD) % MOD
    print(ans)


main()
