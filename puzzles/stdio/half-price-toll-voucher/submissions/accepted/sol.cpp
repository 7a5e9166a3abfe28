#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<vector<pair<int, long long>>> adj(n + 1);
    for (int i = 0; i < m; i++) {
        int u, v;
        long long w;
        scanf("%d %d %lld", &u, &v, &w);
        adj[u].push_back({v, w});
    }
    const long long INF = LLONG_MAX / 4;
    // state id = v * 2 + used
    vector<long long> dist(2 * (n + 1), INF);
    priority_queue<pair<long long, int>, vector<pair<long long, int>>, greater<>> pq;
    dist[2 * 1 + 0] = 0;
    pq.push({0, 2 * 1 + 0});
    while (!pq.empty()) {
        auto [d, s] = pq.top();
        pq.pop();
        if (d != dist[s]) continue;
        int v = s / 2, used = s % 2;
        for (auto [to, w] : adj[v]) {
            int t = 2 * to + used;
            if (d + w < dist[t]) {
                dist[t] = d + w;
                pq.push({dist[t], t});
            }
            if (!used) {
                int t2 = 2 * to + 1;
                if (d + w / 2 < dist[t2]) {
                    dist[t2] = d + w / 2;
                    pq.push({dist[t2], t2});
                }
            }
        }
    }
    long long ans = min(dist[2 * n], dist[2 * n + 1]);
    printf("%lld\n", ans >= INF ? -1LL : ans);
}
