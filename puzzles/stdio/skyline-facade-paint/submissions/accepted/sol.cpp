#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    long long prev = 0, total = 0;
    for (int i = 0; i < n; i++) {
        long long h;
        cin >> h;
        if (h > 0) total += 1;
        total += llabs(h - prev);
        prev = h;
    }
    total += prev;
    cout << total << "\n";
}
