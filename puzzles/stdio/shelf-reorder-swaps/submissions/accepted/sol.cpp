#include <bits/stdc++.h>
using namespace std;

// minimum number of exchanges to move item i to slot target[i] = n - (number of cycles)
int exchanges(const vector<int>& target) {
    int n = target.size(), cycles = 0;
    vector<char> seen(n, 0);
    for (int i = 0; i < n; i++) {
        if (seen[i]) continue;
        cycles++;
        for (int j = i; !seen[j]; j = target[j]) seen[j] = 1;
    }
    return n - cycles;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<long long> h(n);
    for (auto& v : h) cin >> v;
    vector<int> order(n);
    iota(order.begin(), order.end(), 0);
    sort(order.begin(), order.end(), [&](int a, int b) { return h[a] < h[b]; });
    vector<int> up(n), down(n);
    for (int k = 0; k < n; k++) {
        up[order[k]] = k;
        down[order[k]] = n - 1 - k;
    }
    cout << min(exchanges(up), exchanges(down)) << "\n";
}
