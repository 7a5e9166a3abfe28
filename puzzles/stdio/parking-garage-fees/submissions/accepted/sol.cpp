#include <bits/stdc++.h>
using namespace std;

int minutes(const string& t) {
    return ((t[0] - '0') * 10 + (t[1] - '0')) * 60 + (t[3] - '0') * 10 + (t[4] - '0');
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<pair<string, int>> visits(n);
    for (auto& [p, fee] : visits) {
        string a, b;
        cin >> p >> a >> b;
        int d = minutes(b) - minutes(a);
        fee = d <= 15 ? 0 : min(20, 2 * ((d + 29) / 30));
    }
    sort(visits.begin(), visits.end());
    string out;
    for (int i = 0; i < n;) {
        int j = i;
        long long sum = 0;
        while (j < n && visits[j].first == visits[i].first) sum += visits[j++].second;
        out += visits[i].first + " " + to_string(sum) + "\n";
        i = j;
    }
    cout << out;
}
