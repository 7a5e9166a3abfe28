#include <bits/stdc++.h>
using namespace std;
const long long MOD = 1000000007LL;
long long power(long long b, long long e) {
    long long r = 1;
    b %= MOD;
    if (b < 0) b += MOD;
    while (e > 0) {
        if (e & 1) r = r * b % MOD;
        b = b * b % MOD;
        e >>= 1;
    }
    return r;
}
int main() {
    int T;
    if (scanf("%d", &T) != 1) return 0;
    const int K = 100000;
    vector<long long> fact(K + 1), inv(K + 1);
    fact[0] = 1;
    for (int i = 1; i <= K; i++) fact[i] = fact[i - 1] * i % MOD;
    inv[K] = power(fact[K], MOD - 2);
    for (int i = K; i > 0; i--) inv[i - 1] = inv[i] * i % MOD;
    string out;
    while (T--) {
        long long n, m;
        int k;
        scanf("%lld %lld %d", &n, &m, &k);
        long long ans = 0;
        // inclusion-exclusion over the set of complaining grandchildren that get nothing
        for (int j = 0; j <= k; j++) {
            long long c = fact[k] * inv[j] % MOD * inv[k - j] % MOD;
            long long term = c * power(m - j, n) % MOD;
            if (j & 1)
                ans = (ans - term + MOD) % MOD;
            else
                ans = (ans + term) % MOD;
        }
        out += to_string(ans);
        out += '\n';
    }
    fputs(out.c_str(), stdout);
}
