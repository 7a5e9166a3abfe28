#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    string s;
    int q;
    cin >> s >> q;
    int n = s.size();
    vector<int> pi(n, 0);  // prefix function
    for (int i = 1; i < n; i++) {
        int k = pi[i - 1];
        while (k > 0 && s[i] != s[k]) k = pi[k - 1];
        if (s[i] == s[k]) k++;
        pi[i] = k;
    }
    string out;
    while (q--) {
        int m;
        cin >> m;
        int p = m - pi[m - 1];
        int exact = (m % p == 0) ? p : m;
        out += to_string(p) + " " + to_string(exact) + "\n";
    }
    cout << out;
}
