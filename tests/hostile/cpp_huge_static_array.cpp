// expect: MLE
// A 1 GiB zero-initialised global: the module's initial memory is over the limit.
static char big[1 << 30];
int main() { big[12345] = 1; return big[12345] - 1; }
