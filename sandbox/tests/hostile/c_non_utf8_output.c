// expect: AC
// output-hex: fffe00c30a
#include <stdio.h>
int main(void) { fwrite("\xff\xfe\x00\xc3\n", 1, 5, stdout); return 0; }
