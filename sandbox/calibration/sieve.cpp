#include <bits/stdc++.h>
int main() {
    const int n = 80000000;
    std::vector<char> s(n + 1, 1);
    s[0] = s[1] = 0;
    for (long long i = 2; i * i <= n; i++)
        if (s[i])
            for (long long j = i * i; j <= n; j += i) s[j] = 0;
    long long c = 0;
    for (int i = 0; i <= n; i++) c += s[i];
    std::printf("%lld\n", c);
}
