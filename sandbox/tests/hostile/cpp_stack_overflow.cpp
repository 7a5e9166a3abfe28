// expect: RE
// message: stack overflow
int depth(int n) { volatile char pad[256]; pad[0] = (char)n; return depth(n + 1) + pad[0]; }
int main() { return depth(0); }
