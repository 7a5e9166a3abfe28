#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<pair<long long, long long>> orders(n);  // (deadline, duration)
    for (auto& [d, p] : orders) cin >> p >> d;
    sort(orders.begin(), orders.end());
    priority_queue<long long> taken;  // durations of accepted orders
    long long time = 0;
    for (auto& [d, p] : orders) {
        taken.push(p);
        time += p;
        if (time > d) {  // drop the longest accepted order
            time -= taken.top();
            taken.pop();
        }
    }
    cout << taken.size() << "\n";
}
