#include <bits/stdc++.h>
int main() {
    std::vector<unsigned> v(4000000);
    std::mt19937 rng(1);
    for (auto& x : v) x = rng();
    std::sort(v.begin(), v.end());
    std::map<unsigned, int> m;
    for (int i = 0; i < 300000; i++) m[v[i * 13 % v.size()] % 100000]++;
    std::printf("%u %zu\n", v[12345], m.size());
}
