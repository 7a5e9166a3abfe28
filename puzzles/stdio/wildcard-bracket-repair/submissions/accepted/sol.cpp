#include <bits/stdc++.h>
using namespace std;
bool opener(char c) { return c == '(' || c == '[' || c == '{' || c == '?'; }
bool closer(char c) { return c == ')' || c == ']' || c == '}' || c == '?'; }
bool pairs(char a, char b) {
    if (!opener(a) || !closer(b)) return false;
    if (a == '?' || b == '?') return true;
    return (a == '(' && b == ')') || (a == '[' && b == ']') || (a == '{' && b == '}');
}
int main() {
    int n;
    string s;
    cin >> n >> s;
    vector<long long> c(n);
    for (auto &x : c) cin >> x;
    // dp[i][j] = min cost for the substring s[i..j-1] (half-open), dp[i][i] = 0
    vector<vector<long long>> dp(n + 1, vector<long long>(n + 1, 0));
    for (int len = 1; len <= n; len++)
        for (int i = 0; i + len <= n; i++) {
            int j = i + len;
            long long best = c[i] + dp[i + 1][j];  // erase s[i]
            for (int k = i + 1; k < j; k++)         // s[i] is matched with s[k]
                if (pairs(s[i], s[k])) best = min(best, dp[i + 1][k] + dp[k + 1][j]);
            dp[i][j] = best;
        }
    printf("%lld\n", dp[0][n]);
}
