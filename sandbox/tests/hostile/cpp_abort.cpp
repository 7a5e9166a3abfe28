// expect: RE
#include <cstdlib>
int main() { std::abort(); }
