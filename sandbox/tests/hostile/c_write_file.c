// expect: AC
// output: denied
#include <stdio.h>
int main(void) {
    FILE* f = fopen("/tmp/crucible_hostile_pwned", "w");
    if (!f) { puts("denied"); return 0; }
    fputs("pwned", f); fclose(f); puts("wrote"); return 0;
}
