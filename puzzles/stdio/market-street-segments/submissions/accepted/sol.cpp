#include <bits/stdc++.h>
using namespace std;

struct SplitMix {
    size_t operator()(unsigned long long x) const {
        x += 0x9e3779b97f4a7c15ULL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
    }
};

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    long long T;
    cin >> n >> T;
    unordered_map<unsigned long long, int, SplitMix> seen;  // prefix sum -> how many times
    seen.reserve(2 * n + 2);
    long long prefix = 0, count = 0;
    seen[0] = 1;
    for (int i = 0; i < n; i++) {
        long long w;
        cin >> w;
        prefix += w;
        auto it = seen.find((unsigned long long)(prefix - T));
        if (it != seen.end()) count += it->second;
        seen[(unsigned long long)prefix]++;
    }
    cout << count << "\n";
}
