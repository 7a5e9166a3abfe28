#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, q;
    cin >> n >> q;
    vector<long long> sum(n + 1, 0);
    vector<int> dry(n + 1, 0);
    for (int i = 1; i <= n; i++) {
        long long r;
        cin >> r;
        sum[i] = sum[i - 1] + r;
        dry[i] = dry[i - 1] + (r == 0);
    }
    string out;
    while (q--) {
        int l, r;
        cin >> l >> r;
        out += to_string(sum[r] - sum[l - 1]);
        out += ' ';
        out += to_string(dry[r] - dry[l - 1]);
        out += '\n';
    }
    cout << out;
}
