#include <bits/stdc++.h>
using namespace std;
typedef unsigned long long ull;
const ull MOD = (1ULL << 61) - 1;
const ull BASE = 1000003;

ull mulmod(ull a, ull b) { return (ull)((unsigned __int128)a * b % MOD); }

int n, k;
string s;
vector<ull> H, P;  // prefix hashes and powers of BASE

ull window(int i, int L) {  // hash of s[i .. i+L-1]
    return (H[i + L] + MOD - mulmod(H[i], P[L])) % MOD;
}

// does some string of length L have k pairwise non-overlapping occurrences?
bool feasible(int L) {
    int m = n - L + 1;
    vector<pair<ull, int>> w(m);
    for (int i = 0; i < m; i++) w[i] = {window(i, L), i};
    sort(w.begin(), w.end());
    for (int a = 0; a < m;) {
        int b = a, count = 0, nextFree = INT_MIN;
        while (b < m && w[b].first == w[a].first) {
            // greedily take the earliest occurrence that does not overlap the previous one
            if (w[b].second >= nextFree) {
                count++;
                nextFree = w[b].second + L;
            }
            b++;
        }
        if (count >= k) return true;
        a = b;
    }
    return false;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    cin >> n >> k >> s;
    H.assign(n + 1, 0);
    P.assign(n + 1, 1);
    for (int i = 0; i < n; i++) {
        H[i + 1] = (mulmod(H[i], BASE) + (ull)(s[i] - 'a' + 1)) % MOD;
        P[i + 1] = mulmod(P[i], BASE);
    }
    int lo = 0, hi = n / k;  // answer in [lo, hi]; length 0 is always "feasible"
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (feasible(mid)) lo = mid;
        else hi = mid - 1;
    }
    cout << lo << "\n";
}
