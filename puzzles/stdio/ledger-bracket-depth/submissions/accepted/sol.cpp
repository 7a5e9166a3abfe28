#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    string s;
    cin >> n >> s;
    auto opener = [](char c) -> char {
        switch (c) {
            case ')': return '(';
            case ']': return '[';
            case '}': return '{';
            case '>': return '<';
        }
        return 0;
    };
    vector<char> st;
    size_t depth = 0;
    for (int i = 0; i < n; i++) {
        char c = s[i];
        char o = opener(c);
        if (o == 0) {
            st.push_back(c);
            depth = max(depth, st.size());
        } else {
            if (st.empty() || st.back() != o) {
                printf("%d\n", -(i + 1));
                return 0;
            }
            st.pop_back();
        }
    }
    if (!st.empty()) {
        printf("%d\n", -(n + 1));
        return 0;
    }
    printf("%zu\n", depth);
}
