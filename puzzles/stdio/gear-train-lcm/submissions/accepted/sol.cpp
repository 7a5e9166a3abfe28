#include <bits/stdc++.h>
using namespace std;
const long long MOD = 1000000007LL;

long long power(long long b, long long e) {
    long long r = 1;
    b %= MOD;
    while (e) {
        if (e & 1) r = r * b % MOD;
        b = b * b % MOD;
        e >>= 1;
    }
    return r;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<int> t(n);
    int mx = 1;
    for (auto& v : t) {
        cin >> v;
        mx = max(mx, v);
    }
    vector<int> spf(mx + 1, 0);
    for (int i = 2; i <= mx; i++)
        if (spf[i] == 0)
            for (int j = i; j <= mx; j += i)
                if (spf[j] == 0) spf[j] = i;
    vector<int> best(mx + 1, 0);  // highest exponent of each prime
    for (int v : t) {
        while (v > 1) {
            int p = spf[v], e = 0;
            while (v % p == 0) {
                v /= p;
                e++;
            }
            best[p] = max(best[p], e);
        }
    }
    long long ans = 1;
    for (int p = 2; p <= mx; p++)
        if (best[p]) ans = ans * power(p, best[p]) % MOD;
    cout << ans << "\n";
}
