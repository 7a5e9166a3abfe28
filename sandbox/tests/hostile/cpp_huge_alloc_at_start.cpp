// expect: MLE
#include <cstdio>
#include <cstring>
static char* volatile sink;
int main() {
    size_t n = 1500u << 20;
    sink = new char[n];
    std::memset(sink, 1, n);
    std::printf("%d\n", sink[n / 2] + sink[n - 1]);
}
