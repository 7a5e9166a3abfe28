// expect: CE
// WASI has no processes: fork/exec do not exist, so this cannot even link.
#include <unistd.h>
int fork(void);
int main(void) { if (fork() == 0) { execl("/bin/sh", "sh", "-c", "touch /tmp/crucible_hostile_pwned", (char*)0); } return 0; }
