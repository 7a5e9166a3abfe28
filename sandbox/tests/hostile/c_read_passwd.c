// expect: AC
// output: denied
#include <stdio.h>
int main(void) {
    FILE* f = fopen("/etc/passwd", "r");
    if (!f) { puts("denied"); return 0; }
    char buf[256]; size_t n = fread(buf, 1, sizeof buf, f); fwrite(buf, 1, n, stdout); return 0;
}
