#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<vector<long long>> t(n + 1, vector<long long>(n + 1));
    for (auto &row : t)
        for (auto &x : row) scanf("%lld", &x);
    vector<int> pre(n, 0);  // pre[j] = shrines (0-based bits) that must precede shrine j
    for (int i = 0; i < m; i++) {
        int a, b;
        scanf("%d %d", &a, &b);
        pre[b - 1] |= 1 << (a - 1);
    }
    const long long INF = LLONG_MAX / 4;
    int full = (1 << n) - 1;
    vector<vector<long long>> dp(1 << n, vector<long long>(n, INF));
    for (int j = 0; j < n; j++)
        if (pre[j] == 0) dp[1 << j][j] = t[0][j + 1];
    for (int mask = 1; mask <= full; mask++)
        for (int last = 0; last < n; last++) {
            long long cur = dp[mask][last];
            if (cur >= INF) continue;
            for (int j = 0; j < n; j++) {
                if (mask >> j & 1) continue;
                if ((pre[j] & mask) != pre[j]) continue;
                long long v = cur + t[last + 1][j + 1];
                if (v < dp[mask | 1 << j][j]) dp[mask | 1 << j][j] = v;
            }
        }
    long long best = INF;
    for (int last = 0; last < n; last++)
        if (dp[full][last] < INF) best = min(best, dp[full][last] + t[last + 1][0]);
    printf("%lld\n", best >= INF ? -1LL : best);
}
