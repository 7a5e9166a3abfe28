#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long D;
    if (scanf("%d %lld", &n, &D) != 2) return 0;
    vector<long long> a(n);
    for (auto &x : a) scanf("%lld", &x);
    vector<long long> vals(a);
    sort(vals.begin(), vals.end());
    vals.erase(unique(vals.begin(), vals.end()), vals.end());
    int k = vals.size();
    vector<int> bit(k + 1, 0);
    auto add = [&](int i) {
        for (i++; i <= k; i += i & -i) bit[i]++;
    };
    auto prefix = [&](int cnt) {  // how many inserted values have compressed index < cnt
        int s = 0;
        for (int i = cnt; i > 0; i -= i & -i) s += bit[i];
        return s;
    };
    long long total = 0;
    for (int j = 0; j < n; j++) {
        // earlier a_i with a_i >= a_j + D
        int below = lower_bound(vals.begin(), vals.end(), a[j] + D) - vals.begin();
        total += j - prefix(below);
        add(lower_bound(vals.begin(), vals.end(), a[j]) - vals.begin());
    }
    printf("%lld\n", total);
}
