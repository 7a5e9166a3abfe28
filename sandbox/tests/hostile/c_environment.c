// expect: AC
// output: 0 none
#include <stdio.h>
#include <stdlib.h>
extern char** environ;
int main(void) {
    int n = 0; for (char** e = environ; e && *e; e++) n++;
    printf("%d %s\n", n, getenv("PATH") ? getenv("PATH") : "none");
    return 0;
}
