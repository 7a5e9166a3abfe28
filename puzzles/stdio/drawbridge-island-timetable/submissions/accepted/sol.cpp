#include <bits/stdc++.h>
using namespace std;
struct Bridge {
    int to;
    long long w, p, o;
};
int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<vector<Bridge>> adj(n + 1);
    for (int i = 0; i < m; i++) {
        int u, v;
        long long w, p, o;
        scanf("%d %d %lld %lld %lld", &u, &v, &w, &p, &o);
        adj[u].push_back({v, w, p, o});
        adj[v].push_back({u, w, p, o});
    }
    // Waiting is allowed and the earliest departure is non-decreasing in the arrival time,
    // so Dijkstra on arrival times is correct.
    const long long INF = LLONG_MAX / 4;
    vector<long long> dist(n + 1, INF);
    priority_queue<pair<long long, int>, vector<pair<long long, int>>, greater<>> pq;
    dist[1] = 0;
    pq.push({0, 1});
    while (!pq.empty()) {
        auto [t, v] = pq.top();
        pq.pop();
        if (t != dist[v]) continue;
        for (const auto &b : adj[v]) {
            long long r = t % b.p;
            long long dep = r < b.o ? t : t + (b.p - r);
            long long arr = dep + b.w;
            if (arr < dist[b.to]) {
                dist[b.to] = arr;
                pq.push({arr, b.to});
            }
        }
    }
    string out;
    for (int i = 1; i <= n; i++) {
        if (i > 1) out += ' ';
        out += to_string(dist[i] >= INF ? -1LL : dist[i]);
    }
    out += '\n';
    fputs(out.c_str(), stdout);
}
