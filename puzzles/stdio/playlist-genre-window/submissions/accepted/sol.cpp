#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, k;
    cin >> n >> k;
    vector<long long> g(n);
    for (auto& v : g) cin >> v;
    // compress genres
    vector<long long> vals(g);
    sort(vals.begin(), vals.end());
    vals.erase(unique(vals.begin(), vals.end()), vals.end());
    vector<int> c(n);
    for (int i = 0; i < n; i++) c[i] = lower_bound(vals.begin(), vals.end(), g[i]) - vals.begin();
    vector<int> cnt(vals.size(), 0);
    int distinct = 0, l = 0, best = 0;
    long long ways = 0;
    for (int r = 0; r < n; r++) {
        if (cnt[c[r]]++ == 0) distinct++;
        while (distinct > k)
            if (--cnt[c[l++]] == 0) distinct--;
        // l is the smallest valid start for the block ending at r
        int len = r - l + 1;
        if (len > best) {
            best = len;
            ways = 1;
        } else if (len == best) {
            ways++;
        }
    }
    cout << best << " " << ways << "\n";
}
