#include <bits/stdc++.h>
using namespace std;
// dp[v][j] (j = 1..size of v's subtree): best value of a connected set of j vertices
// in v's subtree that contains v. Merging children costs O(n^2) in total.
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<long long> val(n + 1);
    for (int i = 1; i <= n; i++) scanf("%lld", &val[i]);
    vector<vector<int>> adj(n + 1);
    for (int i = 0; i < n - 1; i++) {
        int a, b;
        scanf("%d %d", &a, &b);
        adj[a].push_back(b);
        adj[b].push_back(a);
    }
    vector<int> order, parent(n + 1, 0);
    vector<int> st = {1};
    parent[1] = -1;
    while (!st.empty()) {
        int v = st.back();
        st.pop_back();
        order.push_back(v);
        for (int to : adj[v])
            if (to != parent[v]) {
                parent[to] = v;
                st.push_back(to);
            }
    }
    const long long NEG = LLONG_MIN / 4;
    vector<vector<long long>> dp(n + 1);
    vector<long long> best(n + 1, NEG);
    for (int idx = n - 1; idx >= 0; idx--) {
        int v = order[idx];
        vector<long long> cur = {NEG, val[v]};  // index = size
        for (int c : adj[v]) {
            if (c == parent[v]) continue;
            vector<long long> &ch = dp[c];
            vector<long long> nw(cur.size() + ch.size() - 1, NEG);
            for (size_t a = 1; a < cur.size(); a++) {
                nw[a] = max(nw[a], cur[a]);
                for (size_t b = 1; b < ch.size(); b++) nw[a + b] = max(nw[a + b], cur[a] + ch[b]);
            }
            cur.swap(nw);
            vector<long long>().swap(ch);
        }
        for (size_t j = 1; j < cur.size(); j++) best[j] = max(best[j], cur[j]);
        dp[v] = move(cur);
    }
    string out;
    for (int k = 1; k <= n; k++) {
        if (k > 1) out += ' ';
        out += to_string(best[k]);
    }
    out += '\n';
    fputs(out.c_str(), stdout);
}
