//! The gate before a program runs: the modules it may not import and the calls it may not make.

/// Modules a puzzle's program may not import: clocks, randomness, the file system, processes,
/// threads and the network make outputs irreproducible or reach outside the function.
const BANNED_MODULES: [&str; 18] = [
    "os",
    "sys",
    "subprocess",
    "random",
    "secrets",
    "time",
    "datetime",
    "threading",
    "multiprocessing",
    "asyncio",
    "socket",
    "shutil",
    "pathlib",
    "io",
    "tempfile",
    "signal",
    "ctypes",
    "uuid",
];

/// Calls a puzzle's program may not make (input, files, dynamic code).
const BANNED_CALLS: [&str; 9] = [
    "open(",
    "input(",
    "exec(",
    "eval(",
    "compile(",
    "__import__",
    "globals(",
    "breakpoint(",
    "getattr(__builtins__",
];

/// Why a program may not be a puzzle, before it runs: a banned import or call.
pub fn banned_use(code: &str) -> Option<String> {
    for line in code.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let modules: Vec<&str> = if let Some(rest) = line.strip_prefix("import ") {
            rest.split(',')
                .map(|m| m.split_whitespace().next().unwrap_or(""))
                .collect()
        } else if let Some(rest) = line.strip_prefix("from ") {
            vec![rest.split_whitespace().next().unwrap_or("")]
        } else {
            Vec::new()
        };
        for module in modules {
            let root = module.split('.').next().unwrap_or("");
            if BANNED_MODULES.contains(&root) {
                return Some(format!("imports `{root}`"));
            }
        }
        for call in BANNED_CALLS {
            let called = line.match_indices(call).any(|(i, _)| {
                // `my_open(` or `x.eval(` is not `open(`.
                !line[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            });
            if called {
                return Some(format!("calls `{}`", call.trim_end_matches('(')));
            }
        }
    }
    None
}
