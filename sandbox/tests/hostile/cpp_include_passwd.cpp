// expect: CE
// forbid: root:
#include "/etc/passwd"
int main() {}
