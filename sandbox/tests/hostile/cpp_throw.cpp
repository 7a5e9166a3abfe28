// expect: RE
// message: std::runtime_error
#include <stdexcept>
#include <cstdio>
int main() { std::puts("about to throw"); throw std::runtime_error("boom"); }
