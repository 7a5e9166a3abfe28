// expect: CE
// forbid: cargo
#include "/root/.bashrc"
int main() {}
