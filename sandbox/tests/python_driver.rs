//! Python programs run without the `site` module (faster start-up) through a small driver:
//! they must not notice — `exit`/`quit` exist, `__name__` is `__main__`, the namespace is
//! their own, line numbers and `from __future__` work, `sys.argv` is `['-c']`.

use crucible_sandbox::{Language, Limits, RunReport, Sandbox, SandboxConfig, Termination};

fn run(source: &str) -> RunReport {
    let sandbox = Sandbox::new(SandboxConfig {
        workers: 1,
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    let program = sandbox
        .compile(Language::Python, source.as_bytes())
        .expect("compiles");
    sandbox
        .run(&program, b"5\n", &Limits::default())
        .expect("runs")
}

fn stdout(report: &RunReport) -> String {
    String::from_utf8_lossy(&report.stdout).into_owned()
}

#[test]
fn exit_and_quit_end_the_program_with_their_code() {
    let report = run("print('a')\nexit()\nprint('b')");
    assert_eq!(report.termination, Termination::Exited(0));
    assert_eq!(stdout(&report), "a\n");
    let report = run("quit(3)");
    assert_eq!(report.termination, Termination::Exited(3));
    let report = run("import sys\nsys.exit(4)");
    assert_eq!(report.termination, Termination::Exited(4));
}

#[test]
fn the_program_runs_as_main_in_its_own_namespace() {
    let source = "from __future__ import annotations\nimport sys\n\
        def f(x: Undefined) -> int:\n    return 1\n\
        names = sorted(k for k in globals() if not k.startswith('__'))\n\
        if __name__ == '__main__':\n    print(names, sys.argv, int(input()) * 2)";
    let report = run(source);
    assert_eq!(report.termination, Termination::Exited(0), "{report:?}");
    assert_eq!(stdout(&report), "['annotations', 'f', 'sys'] ['-c'] 10\n");
}

#[test]
fn tracebacks_name_the_programs_own_lines() {
    let report = run("x = 1\ny = 2\nraise ValueError('boom')");
    assert_eq!(report.termination, Termination::Exited(1));
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("ValueError: boom"), "{stderr}");
}
