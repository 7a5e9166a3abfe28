#include <bits/stdc++.h>
using namespace std;
const long long MOD = 1000000007LL;
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
int main() {
    int q;
    if (scanf("%d", &q) != 1) return 0;
    vector<pair<int, int>> qs(q);
    int mx = 1;
    for (auto &[n, k] : qs) {
        scanf("%d %d", &n, &k);
        mx = max(mx, n);
    }
    vector<long long> fact(mx + 1), inv(mx + 1);
    fact[0] = 1;
    for (int i = 1; i <= mx; i++) fact[i] = fact[i - 1] * i % MOD;
    inv[mx] = power(fact[mx], MOD - 2);
    for (int i = mx; i > 0; i--) inv[i - 1] = inv[i] * i % MOD;
    string out;
    for (auto [n, k] : qs) {
        long long c = fact[n] * inv[k] % MOD * inv[n - k] % MOD;
        long long ans = c * k % MOD * (k - 1) % MOD;
        out += to_string(ans);
        out += '\n';
    }
    fputs(out.c_str(), stdout);
}
