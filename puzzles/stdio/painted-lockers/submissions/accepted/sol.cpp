#include <bits/stdc++.h>
using namespace std;
typedef unsigned long long ull;

// number of multiples of m in [L, R]
ull count(ull L, ull R, ull m) { return R / m - (L - 1) / m; }

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int T;
    cin >> T;
    string out;
    while (T--) {
        ull L, R, a, b;
        cin >> L >> R >> a >> b;
        ull g = std::gcd(a, b);
        unsigned __int128 l = (unsigned __int128)(a / g) * b;
        ull both = l > R ? 0 : count(L, R, (ull)l);
        ull res = count(L, R, a) + count(L, R, b) - 2 * both;
        out += to_string(res) + "\n";
    }
    cout << out;
}
