#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<int> h(n);
    for (auto &x : h) scanf("%d", &x);
    vector<int> L(n), R(n), st;
    // L[i] = index of nearest strictly taller on the left, or -1
    for (int i = 0; i < n; i++) {
        while (!st.empty() && h[st.back()] <= h[i]) st.pop_back();
        L[i] = st.empty() ? -1 : st.back();
        st.push_back(i);
    }
    st.clear();
    for (int i = n - 1; i >= 0; i--) {
        while (!st.empty() && h[st.back()] <= h[i]) st.pop_back();
        R[i] = st.empty() ? n : st.back();
        st.push_back(i);
    }
    string out;
    for (int i = 0; i < n; i++) {
        if (i) out += ' ';
        out += to_string(R[i] - L[i] - 1);
    }
    out += '\n';
    fputs(out.c_str(), stdout);
}
