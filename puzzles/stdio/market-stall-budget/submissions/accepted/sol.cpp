#include <bits/stdc++.h>
using namespace std;
int main() {
    int B, g;
    if (scanf("%d %d", &B, &g) != 2) return 0;
    const long long NEG = LLONG_MIN / 4;
    // dp[b] = best joy spending exactly b coins
    vector<long long> dp(B + 1, NEG), nd(B + 1);
    dp[0] = 0;
    for (int j = 0; j < g; j++) {
        int t, c;
        scanf("%d %d", &t, &c);
        if (t == 1)
            fill(nd.begin(), nd.end(), NEG);
        else
            nd = dp;
        for (int k = 0; k < c; k++) {
            int p;
            long long v;
            scanf("%d %lld", &p, &v);
            for (int b = p; b <= B; b++)
                if (dp[b - p] != NEG) nd[b] = max(nd[b], dp[b - p] + v);
        }
        swap(dp, nd);
    }
    long long best = *max_element(dp.begin(), dp.end());
    printf("%lld\n", best == NEG ? -1LL : best);
}
