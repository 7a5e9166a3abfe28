#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<int> p(n + 1), indeg(n + 1, 0);
    for (int i = 1; i <= n; i++) scanf("%d", &p[i]);
    vector<vector<int>> adj(n + 1);
    for (int i = 0; i < m; i++) {
        int a, b;
        scanf("%d %d", &a, &b);
        adj[a].push_back(b);
        indeg[b]++;
    }
    // max importance first, then smallest index
    priority_queue<pair<int, int>> pq;  // (p, -index)
    for (int i = 1; i <= n; i++)
        if (indeg[i] == 0) pq.push({p[i], -i});
    vector<int> order;
    while (!pq.empty()) {
        int v = -pq.top().second;
        pq.pop();
        order.push_back(v);
        for (int to : adj[v])
            if (--indeg[to] == 0) pq.push({p[to], -to});
    }
    if ((int)order.size() != n) {
        puts("-1");
        return 0;
    }
    string out;
    for (int i = 0; i < n; i++) {
        if (i) out += ' ';
        out += to_string(order[i]);
    }
    out += '\n';
    fputs(out.c_str(), stdout);
}
