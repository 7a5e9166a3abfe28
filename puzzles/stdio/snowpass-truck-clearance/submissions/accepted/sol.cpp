#include <bits/stdc++.h>
using namespace std;
// Kruskal reconstruction tree: leaves 0..n-1 are towns; every successful union creates a new
// node whose weight is the depth of the road. The bottleneck between u and v is the weight of
// their LCA. The towns reachable with clearance H from a node are the leaves below its highest
// ancestor of weight <= H.
int main() {
    int n, m, q;
    if (scanf("%d %d %d", &n, &m, &q) != 3) return 0;
    vector<array<int, 3>> e(m);
    for (auto &x : e) {
        scanf("%d %d %d", &x[1], &x[2], &x[0]);
        x[1]--;
        x[2]--;
    }
    sort(e.begin(), e.end());
    int total = 2 * n;
    vector<int> dsu(total), par(total, -1), leaves(total, 0);
    vector<long long> wt(total, 0);
    iota(dsu.begin(), dsu.end(), 0);
    auto find = [&](int x) {
        while (dsu[x] != x) {
            dsu[x] = dsu[dsu[x]];
            x = dsu[x];
        }
        return x;
    };
    for (int i = 0; i < n; i++) leaves[i] = 1;
    int cnt = n;
    for (auto &[d, a, b] : e) {
        int ra = find(a), rb = find(b);
        if (ra == rb) continue;
        int node = cnt++;
        wt[node] = d;
        par[ra] = node;
        par[rb] = node;
        dsu[ra] = node;
        dsu[rb] = node;
        leaves[node] = leaves[ra] + leaves[rb];
    }
    const int LOG = 16;
    vector<array<int, LOG>> up(cnt);
    vector<int> depth(cnt, 0);
    // nodes are created after their children, so process in decreasing id for depth
    for (int v = cnt - 1; v >= 0; v--) {
        up[v][0] = par[v] == -1 ? v : par[v];
        depth[v] = par[v] == -1 ? 0 : depth[par[v]] + 1;
    }
    for (int k = 1; k < LOG; k++)
        for (int v = 0; v < cnt; v++) up[v][k] = up[up[v][k - 1]][k - 1];
    auto lca = [&](int a, int b) {
        if (depth[a] < depth[b]) swap(a, b);
        for (int k = LOG - 1; k >= 0; k--)
            if (depth[a] - (1 << k) >= depth[b]) a = up[a][k];
        if (a == b) return a;
        for (int k = LOG - 1; k >= 0; k--)
            if (up[a][k] != up[b][k]) {
                a = up[a][k];
                b = up[b][k];
            }
        return up[a][0];
    };
    auto root = [&](int a) {
        for (int k = LOG - 1; k >= 0; k--) a = up[a][k];
        return a;
    };
    // highest ancestor of x (x itself included) whose weight is <= H; weights grow upwards
    auto climb = [&](int x, long long H) {
        for (int k = LOG - 1; k >= 0; k--)
            if (wt[up[x][k]] <= H) x = up[x][k];
        return x;
    };
    string out;
    for (int i = 0; i < q; i++) {
        int u, v;
        scanf("%d %d", &u, &v);
        u--;
        v--;
        if (root(u) != root(v)) {
            out += "-1 " + to_string(leaves[root(u)]) + "\n";
            continue;
        }
        long long H = (u == v) ? 0 : wt[lca(u, v)];
        int top = climb(u, H);
        out += to_string(H) + " " + to_string(leaves[top]) + "\n";
    }
    fputs(out.c_str(), stdout);
}
