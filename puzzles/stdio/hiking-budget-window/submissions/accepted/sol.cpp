#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    long long B;
    cin >> n >> B;
    vector<long long> c(n);
    for (auto& v : c) cin >> v;
    long long sum = 0;
    int best = 0, start = 0, l = 0;
    for (int r = 0; r < n; r++) {
        sum += c[r];
        while (sum > B) sum -= c[l++];
        if (r - l + 1 > best) {
            best = r - l + 1;
            start = l + 1;
        }
    }
    cout << best << " " << start << "\n";
}
