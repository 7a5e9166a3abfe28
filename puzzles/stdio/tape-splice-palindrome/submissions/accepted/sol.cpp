#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, D;
    string s;
    cin >> n >> D >> s;
    // prev = dp[i+1][*], cur = dp[i][*]; dp[i][j] for substring s[i..j], empty -> 0
    vector<long long> prev(n + 1, 0), cur(n + 1, 0);
    for (int i = n - 1; i >= 0; i--) {
        cur[i] = 0;
        for (int j = i + 1; j < n; j++) {
            long long inner = (j - 1 >= i + 1) ? prev[j - 1] : 0;
            long long best = inner + abs(s[i] - s[j]);
            best = min(best, prev[j] + D);
            best = min(best, cur[j - 1] + D);
            cur[j] = best;
        }
        swap(prev, cur);
    }
    printf("%lld\n", prev[n - 1]);
}
