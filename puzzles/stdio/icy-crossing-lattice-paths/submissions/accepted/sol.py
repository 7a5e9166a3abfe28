import sys

MOD = 998244353


def main():
    data = sys.stdin.buffer.read().split()
    R, C, k = int(data[0]), int(data[1]), int(data[2])
    pts = sorted((int(data[3 + 2 * i]), int(data[4 + 2 * i])) for i in range(k))
    N = R + C
    fact = [1] * (N + 1)
    for i in range(1, N + 1):
        fact[i] = fact[i - 1] * i % MOD
    inv = [1] * (N + 1)
    inv[N] = pow(fact[N], MOD - 2, MOD)
    for i in range(N, 0, -1):
        inv[i - 1] = inv[i] * i % MOD

    def ways(r1, c1, r2, c2):
        dr = r2 - r1
        dc = c2 - c1
        if dr < 0 or dc < 0:
            return 0
        return fact[dr + dc] * inv[dr] % MOD * inv[dc] % MOD

    f = [0] * k  # routes start -> p_i with no icy point before p_i
    for i in range(k):
        ri, ci = pts[i]
        v = ways(0, 0, ri, ci)
        for j in range(i):
            rj, cj = pts[j]
            if cj <= ci:
                v -= f[j] * ways(rj, cj, ri, ci)
        f[i] = v % MOD
    g = [0] * k  # routes p_i -> end with no icy point after p_i
    for i in range(k - 1, -1, -1):
        ri, ci = pts[i]
        v = ways(ri, ci, R, C)
        for j in range(i + 1, k):
            rj, cj = pts[j]
            if cj >= ci:
                v -= ways(ri, ci, rj, cj) * g[j]
        g[i] = v % MOD
    zero = ways(0, 0, R, C)
    one = 0
    for i in range(k):
        ri, ci = pts[i]
        zero -= f[i] * ways(ri, ci, R, C)
        one += f[i] * g[i]
    print((zero + one) % MOD)


main()
