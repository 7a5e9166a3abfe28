#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<int> a(n);
    int mx = 1;
    for (auto& v : a) {
        cin >> v;
        mx = max(mx, v);
    }
    vector<int> spf(mx + 1, 0);
    for (int i = 2; i <= mx; i++)
        if (spf[i] == 0)
            for (int j = i; j <= mx; j += i)
                if (spf[j] == 0) spf[j] = i;
    // a_i * a_j is a square iff both have the same square-free part
    vector<long long> cnt(mx + 1, 0);
    long long pairs = 0;
    for (int v : a) {
        int core = 1;
        while (v > 1) {
            int p = spf[v], e = 0;
            while (v % p == 0) {
                v /= p;
                e++;
            }
            if (e & 1) core *= p;
        }
        pairs += cnt[core]++;
    }
    cout << pairs << "\n";
}
