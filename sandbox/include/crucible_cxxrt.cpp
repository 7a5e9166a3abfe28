// Crucible's C++ exception shim for wasm32-wasi. WASI libc++abi is built without exception
// support, so `throw` compiles to calls to __cxa_allocate_exception / __cxa_throw that nothing
// defines. These definitions make such programs link; a throw ends the run the way an uncaught
// exception ends a native program: a message on stderr and exit status 134 (as after SIGABRT).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <typeinfo>

namespace abi {
extern "C" char* __cxa_demangle(const char*, char*, size_t*, int*);
}

extern "C" void* __cxa_allocate_exception(size_t size) noexcept {
    void* p = std::malloc(size);
    if (!p) {
        std::fputs("terminate called: out of memory while allocating an exception\n", stderr);
        std::_Exit(134);
    }
    return p;
}

extern "C" void __cxa_free_exception(void* p) noexcept { std::free(p); }

extern "C" [[noreturn]] void __cxa_throw(void*, std::type_info* type, void* (*)(void*)) {
    const char* mangled = type ? type->name() : "unknown";
    int status = 0;
    char* pretty = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    std::fflush(stdout);
    std::fprintf(stderr,
                 "terminate called after throwing an instance of '%s' "
                 "(exceptions cannot be caught in the wasm sandbox)\n",
                 (status == 0 && pretty) ? pretty : mangled);
    std::fflush(stderr);
    std::_Exit(134);
}
