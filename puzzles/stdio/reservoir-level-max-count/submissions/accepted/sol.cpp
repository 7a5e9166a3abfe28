#include <bits/stdc++.h>
using namespace std;
// Recursive lazy segment tree: range add, range (max, count of max).
int n;
vector<long long> mx, lz;
vector<int> cnt;
void pull(int v) {
    int a = 2 * v, b = 2 * v + 1;
    if (mx[a] > mx[b]) {
        mx[v] = mx[a];
        cnt[v] = cnt[a];
    } else if (mx[a] < mx[b]) {
        mx[v] = mx[b];
        cnt[v] = cnt[b];
    } else {
        mx[v] = mx[a];
        cnt[v] = cnt[a] + cnt[b];
    }
}
void build(int v, int l, int r, const vector<long long> &a) {
    if (l == r) {
        mx[v] = a[l];
        cnt[v] = 1;
        return;
    }
    int m = (l + r) / 2;
    build(2 * v, l, m, a);
    build(2 * v + 1, m + 1, r, a);
    pull(v);
}
void push(int v) {
    if (lz[v]) {
        for (int c : {2 * v, 2 * v + 1}) {
            mx[c] += lz[v];
            lz[c] += lz[v];
        }
        lz[v] = 0;
    }
}
void update(int v, int l, int r, int ql, int qr, long long x) {
    if (qr < l || r < ql) return;
    if (ql <= l && r <= qr) {
        mx[v] += x;
        lz[v] += x;
        return;
    }
    push(v);
    int m = (l + r) / 2;
    update(2 * v, l, m, ql, qr, x);
    update(2 * v + 1, m + 1, r, ql, qr, x);
    pull(v);
}
pair<long long, int> query(int v, int l, int r, int ql, int qr) {
    if (qr < l || r < ql) return {LLONG_MIN, 0};
    if (ql <= l && r <= qr) return {mx[v], cnt[v]};
    push(v);
    int m = (l + r) / 2;
    auto a = query(2 * v, l, m, ql, qr);
    auto b = query(2 * v + 1, m + 1, r, ql, qr);
    if (a.first > b.first) return a;
    if (a.first < b.first) return b;
    return {a.first, a.second + b.second};
}
int main() {
    int q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    vector<long long> a(n);
    for (auto &x : a) scanf("%lld", &x);
    mx.assign(4 * n, 0);
    lz.assign(4 * n, 0);
    cnt.assign(4 * n, 0);
    build(1, 0, n - 1, a);
    string out;
    while (q--) {
        int t, l, r;
        scanf("%d %d %d", &t, &l, &r);
        if (t == 1) {
            long long x;
            scanf("%lld", &x);
            update(1, 0, n - 1, l - 1, r - 1, x);
        } else {
            auto [m, c] = query(1, 0, n - 1, l - 1, r - 1);
            out += to_string(m) + " " + to_string(c) + "\n";
        }
    }
    fputs(out.c_str(), stdout);
}
