#include <bits/stdc++.h>
using namespace std;

// cost[k] = minimum work to make the first k values of v non-decreasing (slope trick)
vector<long long> prefixCosts(const vector<long long>& v) {
    vector<long long> cost(v.size() + 1, 0);
    priority_queue<long long> heap;
    long long total = 0;
    for (size_t i = 0; i < v.size(); i++) {
        heap.push(v[i]);
        if (heap.top() > v[i]) {
            total += heap.top() - v[i];
            heap.pop();
            heap.push(v[i]);
        }
        cost[i + 1] = total;
    }
    return cost;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<long long> neg(n);
    for (auto& x : neg) {
        cin >> x;
        x = -x;
    }
    // first k terraces non-increasing  <=>  their negations non-decreasing
    vector<long long> left = prefixCosts(neg);
    // last n-k terraces non-decreasing <=> read from the east, their negations non-decreasing
    reverse(neg.begin(), neg.end());
    vector<long long> right = prefixCosts(neg);
    long long best = LLONG_MAX;
    for (int k = 0; k <= n; k++) best = min(best, left[k] + right[n - k]);
    cout << best << "\n";
}
