import sys

MOD = 1000000007


def main():
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    ns = [int(x) for x in data[1:1 + 2 * q:2]]
    ks = [int(x) for x in data[2:2 + 2 * q:2]]
    mx = max(ns)
    fact = [1] * (mx + 1)
    for i in range(1, mx + 1):
        fact[i] = fact[i - 1] * i % MOD
    inv = [1] * (mx + 1)
    inv[mx] = pow(fact[mx], MOD - 2, MOD)
    for i in range(mx, 0, -1):
        inv[i - 1] = inv[i] * i % MOD
    out = []
    for n, k in zip(ns, ks):
        c = fact[n] * inv[k] % MOD * inv[n - k] % MOD
        out.append(c * k % MOD * (k - 1) % MOD)
    sys.stdout.write('\n'.join(map(str, out)) + '\n')


main()
