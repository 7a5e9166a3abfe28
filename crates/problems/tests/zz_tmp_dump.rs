use crucible_problems::Task;
use crucible_problems::formats::load_set;
use std::path::PathBuf;

#[test]
fn dump() {
    let out = PathBuf::from("/tmp/crucible_dump");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let m = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let paths = [
        PathBuf::from("/work/shared/benchmarks/humaneval/HumanEval.jsonl.gz"),
        PathBuf::from("/work/shared/benchmarks/mbpp/mbpp.jsonl"),
        PathBuf::from("/work/shared/benchmarks/p3-train/puzzles.json"),
        m.join("../../puzzles/p3/puzzles.json"),
        m.join("tests/fixtures/livecodebench/sample.jsonl"),
        m.join("tests/fixtures/apps/set"),
        m.join("tests/fixtures/apps/test.jsonl"),
        m.join("tests/fixtures/humaneval/good.jsonl"),
        m.join("tests/fixtures/mbpp/mbpp.jsonl"),
        m.join("tests/fixtures/p3/puzzles.json"),
        m.join("tests/fixtures/codecontests/sample.jsonl.gz"),
    ];
    let mut n = 0;
    for p in paths {
        let r = load_set(&p).unwrap();
        for prob in r.problems {
            n += 1;
            let dir = out.join(format!("{n:05}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("id"), &prob.id).unwrap();
            match &prob.task {
                Task::Function(f) => {
                    let mut refs = f.reference.clone();
                    if prob.id == "9001" {
                        refs.push("from typing import List\nclass Solution:\n    def pairSum(self, nums: List[int], target: int) -> List[int]:\n        seen = {}\n        for i, x in enumerate(nums):\n            if target - x in seen:\n                return (seen[target - x], i)\n            seen[x] = i\n".into());
                    }
                    for (i, r) in refs.iter().enumerate() {
                        std::fs::write(dir.join(format!("judge{i}.py")), f.judge_program(r))
                            .unwrap();
                    }
                    // a wrong solution must fail
                    std::fs::write(dir.join("wrong.py"), f.judge_program(&format!("def {}(*a, **k):\n    return 123456789\nclass Solution:\n    def __getattr__(self, n):\n        return lambda *a: 123456789\n", f.entry_point))).unwrap();
                }
                Task::Stdio(s) => {
                    for (i, t) in s.tests.iter().enumerate() {
                        std::fs::write(dir.join(format!("t{i}.in")), &t.input).unwrap();
                        std::fs::write(dir.join(format!("t{i}.ans")), &t.answer).unwrap();
                    }
                    for (i, a) in s.accepted.iter().enumerate() {
                        if a.lang == crucible_sandbox::Language::Python {
                            std::fs::write(dir.join(format!("sol{i}.py")), &a.source).unwrap();
                        }
                    }
                }
            }
        }
    }
}
