// expect: TLE
// Waits for five seconds of wall-clock time that never pass (the guest clock is frozen).
#include <time.h>
int main(void) { time_t start = time(0); while (time(0) < start + 5) {} return 0; }
