#include <bits/stdc++.h>
using namespace std;
const long long MOD = 998244353LL;
long long power(long long b, long long e) {
    long long r = 1;
    b %= MOD;
    while (e > 0) {
        if (e & 1) r = r * b % MOD;
        b = b * b % MOD;
        e >>= 1;
    }
    return r;
}
vector<long long> fact, inv;
long long ways(long long r1, long long c1, long long r2, long long c2) {
    long long dr = r2 - r1, dc = c2 - c1;
    if (dr < 0 || dc < 0) return 0;
    return fact[dr + dc] * inv[dr] % MOD * inv[dc] % MOD;
}
int main() {
    long long R, C;
    int k;
    if (scanf("%lld %lld %d", &R, &C, &k) != 3) return 0;
    vector<pair<long long, long long>> p(k);
    for (auto &[r, c] : p) scanf("%lld %lld", &r, &c);
    sort(p.begin(), p.end());
    int N = R + C;
    fact.assign(N + 1, 1);
    inv.assign(N + 1, 1);
    for (int i = 1; i <= N; i++) fact[i] = fact[i - 1] * i % MOD;
    inv[N] = power(fact[N], MOD - 2);
    for (int i = N; i > 0; i--) inv[i - 1] = inv[i] * i % MOD;
    // f[i]: routes start -> p_i touching no other icy point before it
    // g[i]: routes p_i -> end touching no other icy point after it
    vector<long long> f(k), g(k);
    for (int i = 0; i < k; i++) {
        long long v = ways(0, 0, p[i].first, p[i].second);
        for (int j = 0; j < i; j++)
            v = (v - f[j] * ways(p[j].first, p[j].second, p[i].first, p[i].second)) % MOD;
        f[i] = (v + MOD) % MOD;
    }
    for (int i = k - 1; i >= 0; i--) {
        long long v = ways(p[i].first, p[i].second, R, C);
        for (int j = i + 1; j < k; j++)
            v = (v - ways(p[i].first, p[i].second, p[j].first, p[j].second) * g[j]) % MOD;
        g[i] = (v + MOD) % MOD;
    }
    long long zero = ways(0, 0, R, C), one = 0;
    for (int i = 0; i < k; i++) {
        zero = (zero - f[i] * ways(p[i].first, p[i].second, R, C)) % MOD;
        one = (one + f[i] * g[i]) % MOD;
    }
    long long ans = ((zero + one) % MOD + MOD) % MOD;
    printf("%lld\n", ans);
}
