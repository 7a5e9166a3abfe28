#include <bits/stdc++.h>
using namespace std;
vector<int> par, sz;
vector<long long> best;
int find(int x) {
    while (par[x] != x) {
        par[x] = par[par[x]];
        x = par[x];
    }
    return x;
}
int main() {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    vector<long long> w(n + 1);
    par.resize(n + 1);
    sz.assign(n + 1, 1);
    best.resize(n + 1);
    for (int i = 1; i <= n; i++) {
        scanf("%lld", &w[i]);
        par[i] = i;
        best[i] = w[i];
    }
    int groups = n;
    string out;
    for (int i = 0; i < q; i++) {
        int t;
        scanf("%d", &t);
        if (t == 1) {
            int a, b;
            scanf("%d %d", &a, &b);
            a = find(a);
            b = find(b);
            if (a == b) continue;
            if (sz[a] < sz[b]) swap(a, b);
            par[b] = a;
            sz[a] += sz[b];
            best[a] = max(best[a], best[b]);
            groups--;
        } else if (t == 2) {
            int a;
            scanf("%d", &a);
            a = find(a);
            out += to_string(sz[a]) + " " + to_string(best[a]) + "\n";
        } else if (t == 3) {
            int a;
            long long x;
            scanf("%d %lld", &a, &x);
            w[a] += x;
            int r = find(a);
            best[r] = max(best[r], w[a]);
        } else {
            out += to_string(groups) + "\n";
        }
    }
    fputs(out.c_str(), stdout);
}
