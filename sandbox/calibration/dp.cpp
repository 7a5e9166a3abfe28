#include <bits/stdc++.h>
int main() {
    std::vector<long long> dp(20001);
    for (int i = 1; i <= 15000; i++)
        for (int w = 20000; w >= i; w--) dp[w] = std::max(dp[w], dp[w - i] + i * 7 % 13);
    std::string a(3000, 'a'), b(3000, 'b');
    for (int i = 0; i < 3000; i++) { a[i] = 'a' + i * 7 % 5; b[i] = 'a' + i * 11 % 5; }
    std::vector<std::vector<int>> l(3001, std::vector<int>(3001));
    for (int i = 1; i <= 3000; i++)
        for (int j = 1; j <= 3000; j++)
            l[i][j] = a[i - 1] == b[j - 1] ? l[i - 1][j - 1] + 1 : std::max(l[i - 1][j], l[i][j - 1]);
    std::printf("%lld %d\n", dp[20000], l[3000][3000]);
}
