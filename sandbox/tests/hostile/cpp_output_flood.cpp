// expect: OLE
#include <cstdio>
int main() { for (;;) std::puts("flood flood flood flood flood flood flood flood flood"); }
