#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    long long f = 0;
    string out;
    out.reserve(n * 12);
    for (int i = 0; i < n; i++) {
        long long a, d, p;
        scanf("%lld %lld %lld", &a, &d, &p);
        long long s = max(a, f);
        long long res;
        if (s - a > p) {
            res = -1;
        } else {
            f = s + d;
            res = f;
        }
        if (i) out += ' ';
        out += to_string(res);
    }
    out += '\n';
    fputs(out.c_str(), stdout);
}
