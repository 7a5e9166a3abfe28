/* Crucible's C runtime shim for wasm32-wasi, linked into every C and C++ program.
 * Debian builds compiler-rt's wasm32 builtins (e.g. 128-bit division, used by __int128 code)
 * with the stack protector, so they reference these two symbols that WASI libc lacks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

uintptr_t __stack_chk_guard = 0x2f8a1d3cu;

_Noreturn void __stack_chk_fail(void) {
    fputs("stack smashing detected\n", stderr);
    _Exit(134);
}
