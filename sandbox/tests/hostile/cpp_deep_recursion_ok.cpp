// expect: AC
// output: 1000000
// A legitimate 10^6-deep recursion must fit in the 64 MiB stack.
#include <cstdio>
int depth(int n) { return n == 0 ? 0 : 1 + depth(n - 1); }
int main() { std::printf("%d\n", depth(1000000)); }
