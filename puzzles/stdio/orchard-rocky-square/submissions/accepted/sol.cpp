#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, m, k;
    cin >> n >> m >> k;
    // S: prefix sums of apples, R: prefix counts of boulders
    vector<vector<long long>> S(n + 1, vector<long long>(m + 1, 0));
    vector<vector<int>> R(n + 1, vector<int>(m + 1, 0));
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int v;
            cin >> v;
            S[i][j] = S[i - 1][j] + S[i][j - 1] - S[i - 1][j - 1] + (v > 0 ? v : 0);
            R[i][j] = R[i - 1][j] + R[i][j - 1] - R[i - 1][j - 1] + (v < 0 ? 1 : 0);
        }
    long long best = -1;
    int br = 0, bc = 0;
    for (int i = k; i <= n; i++)
        for (int j = k; j <= m; j++) {
            int rocks = R[i][j] - R[i - k][j] - R[i][j - k] + R[i - k][j - k];
            if (rocks) continue;
            long long s = S[i][j] - S[i - k][j] - S[i][j - k] + S[i - k][j - k];
            if (s > best) {
                best = s;
                br = i - k + 1;
                bc = j - k + 1;
            }
        }
    if (best < 0) cout << -1 << "\n";
    else cout << best << " " << br << " " << bc << "\n";
}
