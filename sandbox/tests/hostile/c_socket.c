// expect: AC
// output: no network
#include <stdio.h>
#include <wasi/api.h>
int main(void) {
    __wasi_fd_t fd;
    __wasi_errno_t err = __wasi_sock_accept(3, 0, &fd);
    puts(err == 0 ? "accepted a connection" : "no network");
    return 0;
}
