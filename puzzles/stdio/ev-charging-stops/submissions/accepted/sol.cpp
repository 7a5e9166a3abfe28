#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    long long n, D, R;
    cin >> n >> D >> R;
    vector<long long> x(n);
    for (auto& v : x) cin >> v;
    sort(x.begin(), x.end());
    long long reach = R;  // furthest kilometre reachable with the stops made so far
    long long stops = 0;
    size_t i = 0;
    while (reach < D) {
        long long best = -1;
        while (i < x.size() && x[i] <= reach) best = max(best, x[i++]);
        if (best < 0 || best + R <= reach) {
            cout << -1 << "\n";
            return 0;
        }
        reach = best + R;
        stops++;
    }
    cout << stops << "\n";
}
