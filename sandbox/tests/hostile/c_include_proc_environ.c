// expect: CE
// forbid: PATH=
#include "/proc/self/environ"
int main(void) { return 0; }
