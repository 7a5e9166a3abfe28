#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    long long n, C, k;
    cin >> n >> C >> k;
    vector<long long> p(n);
    for (auto& x : p) cin >> x;
    sort(p.begin(), p.end());
    long long total = n * (n - 1) / 2;
    // pairs i < j (sorted) with p[j] - p[i] <= d, for d >= -1
    auto linear = [&](long long d) {
        long long cnt = 0;
        int j = 0;
        for (int i = 0; i < n; i++) {
            if (j < i) j = i;
            while (j + 1 < n && p[j + 1] - p[i] <= d) j++;
            cnt += j - i;
        }
        return cnt;
    };
    // pairs with circular distance <= d
    auto circular = [&](long long d) {
        if (2 * d >= C) return total;
        // linear gap x has circular distance <= d iff x <= d or x >= C - d (disjoint ranges)
        return linear(d) + (total - linear(C - d - 1));
    };
    long long lo = 0, hi = C / 2;
    while (lo < hi) {
        long long mid = (lo + hi) / 2;
        if (circular(mid) >= k) hi = mid;
        else lo = mid + 1;
    }
    cout << lo << "\n";
}
