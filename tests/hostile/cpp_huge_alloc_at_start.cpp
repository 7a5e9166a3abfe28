// expect: MLE
#include <cstring>
int main() { char* p = new char[1500u << 20]; std::memset(p, 1, 1500u << 20); return p[7] - 1; }
