#include <bits/stdc++.h>
using namespace std;

string lower(string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return s;
}

int check(const string& user, const string& pw) {
    if (pw.size() < 8 || pw.size() > 20) return 1;
    bool lo = false, up = false, dg = false;
    for (char c : pw) {
        if (c >= 'a' && c <= 'z') lo = true;
        if (c >= 'A' && c <= 'Z') up = true;
        if (c >= '0' && c <= '9') dg = true;
    }
    if (!(lo && up && dg)) return 2;
    for (size_t i = 2; i < pw.size(); i++)
        if (pw[i] == pw[i - 1] && pw[i] == pw[i - 2]) return 3;
    if (lower(pw).find(lower(user)) != string::npos) return 4;
    return 0;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    string out;
    for (int i = 0; i < n; i++) {
        string u, p;
        cin >> u >> p;
        int k = check(u, p);
        out += k == 0 ? string("OK\n") : "FAIL " + to_string(k) + "\n";
    }
    cout << out;
}
