#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<long long> s(n), p(n);
    for (int i = 0; i < n; i++) cin >> s[i] >> p[i];
    vector<int> order(n);
    iota(order.begin(), order.end(), 0);
    auto key = [&](int i) { return make_pair(-s[i], p[i]); };
    sort(order.begin(), order.end(), [&](int a, int b) { return key(a) < key(b); });
    vector<int> rank(n);
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (k > 0 && key(order[k - 1]) == key(i)) rank[i] = rank[order[k - 1]];
        else rank[i] = k + 1;
    }
    string out;
    for (int i = 0; i < n; i++) {
        if (i) out += ' ';
        out += to_string(rank[i]);
    }
    cout << out << "\n";
}
