// expect: MLE
// A 1 GiB zero-initialised global: the module's initial memory is over the limit.
#include <cstdio>
static char big[1 << 30];
int main() {
    int i = 0;
    if (std::scanf("%d", &i) != 1) i = 12345;
    big[i] = 1;
    std::printf("%d\n", big[(i * 7) % (1 << 30)]);
}
