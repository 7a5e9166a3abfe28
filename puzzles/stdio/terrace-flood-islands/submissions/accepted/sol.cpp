#include <bits/stdc++.h>
using namespace std;
int main() {
    int R, C, L;
    cin >> R >> C >> L;
    vector<string> g(R);
    for (auto &row : g) cin >> row;
    vector<char> seen(R * C, 0);
    vector<int> q(R * C);
    int islands = 0, best = 0;
    const int dr[4] = {1, -1, 0, 0}, dc[4] = {0, 0, 1, -1};
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) {
            if (g[r][c] - '0' <= L || seen[r * C + c]) continue;
            islands++;
            int head = 0, tail = 0;
            q[tail++] = r * C + c;
            seen[r * C + c] = 1;
            while (head < tail) {
                int cur = q[head++];
                int cr = cur / C, cc = cur % C;
                for (int k = 0; k < 4; k++) {
                    int nr = cr + dr[k], nc = cc + dc[k];
                    if (nr < 0 || nr >= R || nc < 0 || nc >= C) continue;
                    if (g[nr][nc] - '0' <= L || seen[nr * C + nc]) continue;
                    seen[nr * C + nc] = 1;
                    q[tail++] = nr * C + nc;
                }
            }
            best = max(best, tail);
        }
    printf("%d %d\n", islands, best);
}
