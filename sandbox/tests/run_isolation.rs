//! A run never sees what an earlier run left in memory: the pooling allocator reuses one
//! memory slot run after run (resetting only the pages a run wrote, where the kernel can find
//! them), so each run here checks that its data, bss, heap and stack start as a fresh program's
//! would, then dirties all of them.

use crucible_sandbox::{Language, Limits, Sandbox, SandboxConfig};

/// Prints `7 0` in a fresh memory: the initialised global, then the sum of every byte of a
/// 256 KiB bss array, of as many KiB as stdin says grown past the initial memory, and of 48 KiB
/// of stack (below what start-up wrote), before this run writes them. Then it writes all of
/// them (and the global), so a run that shares memory with an earlier one prints something else.
const DIRTY_C: &str = r#"
#include <stdio.h>
#include <string.h>
static int counter = 7;
static unsigned char bss[256 << 10];
static long sum(volatile unsigned char *p, long n) { long s = 0; for (long i = 0; i < n; i++) s += p[i]; return s; }
__attribute__((noinline)) static long stack_sum(int dirty) {
    volatile unsigned char frame[64 << 10];
    long s = sum(frame, 48 << 10); /* the far end: start-up's frames wrote the near one */
    if (dirty) for (long i = 0; i < (long)sizeof frame; i++) frame[i] = 3;
    return s;
}
int main(void) {
    /* KiB from stdin grown past the initial memory (as malloc would), zero by wasm's rules. */
    long kib = 64;
    if (scanf("%ld", &kib) != 1) return 1;
    long heap_len = kib << 10;
    long first_page = __builtin_wasm_memory_grow(0, heap_len >> 16);
    volatile unsigned char *heap = (volatile unsigned char *)(first_page << 16);
    long dirt = sum(bss, sizeof bss) + sum(heap, heap_len) + stack_sum(0);
    printf("%d %ld\n", counter, dirt);
    counter += 1;
    memset(bss, 1, sizeof bss);
    for (long i = 0; i < heap_len; i++) heap[i] = 2;
    stack_sum(1);
    return 0;
}
"#;

/// The stdout of each run of `source` on one worker (so every run reuses one memory slot), one
/// run per stdin.
fn outputs(lang: Language, source: &str, stdins: &[&str]) -> Vec<String> {
    let sandbox = Sandbox::new(SandboxConfig {
        workers: 1,
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    let program = sandbox.compile(lang, source.as_bytes()).expect("compiles");
    stdins
        .iter()
        .map(|stdin| {
            let outcome = sandbox
                .run(&program, stdin.as_bytes(), &Limits::default())
                .expect("runs");
            String::from_utf8_lossy(&outcome.stdout).into_owned()
        })
        .collect()
}

#[test]
fn a_run_never_sees_an_earlier_runs_memory() {
    // Small runs (every written page reset in place) and large ones (beyond what is kept
    // resident: the rest given back to the kernel), in turn.
    let kib = ["64", "4096", "64", "64", "4096", "4096", "128", "64"];
    for (run, stdout) in outputs(Language::C, DIRTY_C, &kib).iter().enumerate() {
        assert_eq!(stdout, "7 0\n", "run {run} saw memory an earlier run wrote");
    }
}

#[test]
fn a_python_run_never_sees_an_earlier_runs_globals() {
    let source = "import sys\nprint(getattr(sys, 'left_behind', 'fresh'))\nsys.left_behind = 'dirty'\nbig = bytearray(b'x' * (8 << 20))\n";
    for (run, stdout) in outputs(Language::Python, source, &[""; 4])
        .iter()
        .enumerate()
    {
        assert_eq!(stdout, "fresh\n", "run {run} saw an earlier run's globals");
    }
}
