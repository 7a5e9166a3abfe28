#include <bits/stdc++.h>
using namespace std;
// Rerooting: down[v] = farthest marked vertex inside v's subtree (or NEG),
// up[v] = farthest marked vertex outside v's subtree (or NEG).
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    char buf[10005];
    scanf("%s", buf);
    vector<int> mark(n + 1);
    for (int i = 1; i <= n; i++) mark[i] = buf[i - 1] == '1';
    vector<vector<pair<int, long long>>> adj(n + 1);
    for (int i = 0; i < n - 1; i++) {
        int u, v;
        long long w;
        scanf("%d %d %lld", &u, &v, &w);
        adj[u].push_back({v, w});
        adj[v].push_back({u, w});
    }
    const long long NEG = LLONG_MIN / 4;
    vector<int> order, parent(n + 1, 0);
    vector<long long> pw(n + 1, 0);
    order.reserve(n);
    vector<int> st = {1};
    parent[1] = -1;
    while (!st.empty()) {
        int v = st.back();
        st.pop_back();
        order.push_back(v);
        for (auto [to, w] : adj[v])
            if (to != parent[v]) {
                parent[to] = v;
                pw[to] = w;
                st.push_back(to);
            }
    }
    vector<long long> down(n + 1, NEG), up(n + 1, NEG);
    for (int i = n - 1; i >= 0; i--) {
        int v = order[i];
        if (mark[v]) down[v] = max(down[v], 0LL);
        if (parent[v] > 0 && down[v] != NEG) {
            int p = parent[v];
            down[p] = max(down[p], down[v] + pw[v]);
        }
    }
    for (int v : order) {
        // best two child contributions
        long long b1 = NEG, b2 = NEG;
        int b1c = -1;
        for (auto [to, w] : adj[v]) {
            if (to == parent[v] || down[to] == NEG) continue;
            long long c = down[to] + w;
            if (c > b1) {
                b2 = b1;
                b1 = c;
                b1c = to;
            } else if (c > b2) {
                b2 = c;
            }
        }
        long long base = up[v];
        if (mark[v]) base = max(base, 0LL);
        for (auto [to, w] : adj[v]) {
            if (to == parent[v]) continue;
            long long best = max(base, to == b1c ? b2 : b1);
            up[to] = best == NEG ? NEG : best + w;
        }
    }
    string out;
    for (int v = 1; v <= n; v++) {
        if (v > 1) out += ' ';
        out += to_string(max(down[v], up[v]));
    }
    out += '\n';
    fputs(out.c_str(), stdout);
}
