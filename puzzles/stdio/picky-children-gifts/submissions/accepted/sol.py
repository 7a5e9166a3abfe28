import sys

MOD = 1000000007


def main():
    data = sys.stdin.buffer.read().split()
    T = int(data[0])
    cases = [(int(data[1 + 3 * i]), int(data[2 + 3 * i]), int(data[3 + 3 * i])) for i in range(T)]
    K = max(k for _, _, k in cases)
    fact = [1] * (K + 1)
    for i in range(1, K + 1):
        fact[i] = fact[i - 1] * i % MOD
    inv = [1] * (K + 1)
    inv[K] = pow(fact[K], MOD - 2, MOD)
    for i in range(K, 0, -1):
        inv[i - 1] = inv[i] * i % MOD
    out = []
    for n, m, k in cases:
        fk = fact[k]
        total = 0
        sign = 1
        for j in range(k + 1):
            term = fk * inv[j] % MOD * inv[k - j] % MOD * pow(m - j, n, MOD)
            total += sign * term
            sign = -sign
        out.append(total % MOD)
    sys.stdout.write('\n'.join(map(str, out)) + '\n')


main()
