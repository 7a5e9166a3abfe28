#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    long long m;
    cin >> n >> m;
    vector<long long> s(n), t(n);
    for (int i = 0; i < n; i++) cin >> s[i] >> t[i];
    // number of copies done by time T, capped at m
    auto done = [&](long long T) {
        long long total = 0;
        for (int i = 0; i < n; i++) {
            if (T < s[i]) continue;
            total += (T - s[i]) / t[i];
            if (total >= m) return m;
        }
        return total;
    };
    long long lo = 0, hi = LLONG_MAX;
    for (int i = 0; i < n; i++) hi = min(hi, s[i] + m * t[i]);  // one press alone suffices
    while (lo < hi) {
        long long mid = lo + (hi - lo) / 2;
        if (done(mid) >= m) hi = mid;
        else lo = mid + 1;
    }
    cout << lo << "\n";
}
