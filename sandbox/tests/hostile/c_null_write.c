// expect: RE
// Writes far past the end of linear memory.
int main(void) { volatile int* p = (int*)0xFFFFFFF0u; *p = 1; return 0; }
