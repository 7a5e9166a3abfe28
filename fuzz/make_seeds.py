#!/usr/bin/env python3
"""Writes the committed seed inputs under corpus/<target>/seed-* (synthetic records only: no
evaluation-set item is copied here). Run from fuzz/: python3 make_seeds.py"""
import json
import os

def put(target, name, data):
    os.makedirs(f"corpus/{target}", exist_ok=True)
    with open(f"corpus/{target}/seed-{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# http_request: byte 0 = path index, byte 1 = flags (bit 3: JSON content type), then the body.
PATHS = ["/run_code", "/judge", "/submit", "/judge_problem", "/health", "/v1/ping", "/metrics"]
def http(name, path, body, flags=8):
    put("http_request", name, bytes([PATHS.index(path), flags]) + json.dumps(body).encode())

http("run-code", "/run_code", {"code": "print(input())", "language": "python", "stdin": "7\n",
     "run_timeout": 1, "memory_limit_MB": 64})
http("run-code-files", "/run_code", {"code": "print(open('a.txt').read())", "language": "python",
     "files": {"a.txt": "aGk="}, "fetch_files": ["a.txt"]})
http("run-code-go", "/run_code", {"code": "package main", "language": "go"})
http("judge", "/judge", {"language": "python", "source": "print(int(input())*2)",
     "tests": [{"name": "1", "input": "2\n", "output": "4\n"}],
     "checker": {"kind": "float", "abs": 1e-6, "rel": 1e-6}, "time_limit": 1})
http("judge-custom", "/judge", {"language": "python", "source": "print(1)",
     "tests": [{"input_base64": "MQo=", "output": "1"}], "checker": {"kind": "custom"},
     "checker_program": {"language": "python", "source": "import sys"}})
http("submit", "/submit", {"dataset": "d", "id": 1, "completion": "```python\nprint(input())\n```",
     "config": {"language": "python", "provided_data": {"test": [
         {"input": {"stdin": "1\n"}, "output": {"stdout": "1\n"}}]}}})
record = {"task_id": 1, "text": "Add two numbers.", "code": "def add(a, b):\n    return a + b",
          "test_list": ["assert add(1, 2) == 3"], "test_setup_code": "", "challenge_test_list": []}
http("judge-problem", "/judge_problem", {"files": {"set.jsonl": json.dumps(record)},
     "samples": [{"language": "python", "code": "def add(a, b):\n    return a + b"}]})
put("http_request", "health", bytes([4, 1]))
put("http_request", "metrics-token", bytes([6, 1 | 4 | 16]))

# problem_files: name NUL content NUL ...; an empty first name means set.jsonl.
def files(name, pairs):
    put("problem_files", name, b"\0".join(
        (n.encode(), c.encode()) [i] for n, c in pairs for i in (0, 1)))
files("mbpp", [("", json.dumps(record))])
files("humaneval", [("", json.dumps({"task_id": "T/0", "prompt": "def inc(x):\n    \"\"\"x + 1\"\"\"\n",
    "entry_point": "inc", "canonical_solution": "    return x + 1\n",
    "test": "def check(candidate):\n    assert candidate(1) == 2\n"}))])
files("p3", [("set.json", json.dumps([{"name": "Twice", "sat": "def sat(x: int):\n    return x * 2 == 10",
    "sols": ["def sol():\n    return 5"], "ans_type": "int"}]))])
files("codecontests", [("", json.dumps({"name": "1_A", "description": "Print the sum.",
    "public_tests": {"input": ["1 2\n"], "output": ["3\n"]},
    "private_tests": {"input": [], "output": []}, "generated_tests": {"input": [], "output": []},
    "time_limit": {"seconds": 1}, "memory_limit_bytes": 268435456}))])
files("livecodebench", [("", json.dumps({"question_title": "Sum", "question_content": "Print a+b.",
    "question_id": "1", "public_test_cases": json.dumps([{"input": "1 2\n", "output": "3\n",
    "testtype": "stdin"}]), "difficulty": "easy", "starter_code": ""}))])
files("apps-jsonl", [("", json.dumps({"id": 0, "question": "Print a+b.",
    "input_output": json.dumps({"inputs": ["1 2\n"], "outputs": ["3\n"]}), "difficulty": "introductory"}))])
files("apps-dir", [("0000/question.txt", "Print a+b."),
    ("0000/input_output.json", json.dumps({"inputs": ["1 2\n"], "outputs": ["3\n"]})),
    ("0000/metadata.json", json.dumps({"difficulty": "interview"}))])
kattis = [("problem.yaml", "name: Sum\nlimits:\n  time_limit: 1.0\nvalidation: default\n"),
          ("problem_statement/problem.md", "Print a+b."),
          ("data/sample/1.in", "1 2\n"), ("data/sample/1.ans", "3\n"),
          ("data/secret/2.in", "2 2\n"), ("data/secret/2.ans", "4\n"),
          ("submissions/accepted/sum.py", "print(sum(map(int, input().split())))\n")]
files("kattis", kattis)
files("kattis-set", [("sum/" + n, c) for n, c in kattis])
files("kattis-validator", kattis[:1] + [("problem.yaml", "name: Any\nvalidation: custom\n"),
    ("output_validators/v/v.py", "import sys\nsys.exit(42)\n"), ("data/secret/1.in", "1\n"),
    ("data/secret/1.ans", "1\n")])
files("seed-set", [("p3/puzzles.json", json.dumps([{"name": "P", "sat": "def sat(s: str):\n    return len(s) == 3",
    "sols": ["def sol():\n    return 'abc'"]}]))] + [("stdio/sum/" + n, c) for n, c in kattis])

# model_reply: replies as models write them.
put("model_reply", "python-block", "Here is the solution:\n```python\ndef f(x):\n    return x + 1\n```\nIt adds one.")
put("model_reply", "two-blocks", "```\nprint(1)\n```\nand\n```cpp\n#include <cstdio>\nint main(){}\n```\n")
put("model_reply", "unterminated", "~~~py\nimport sys\nprint(sys.stdin.read())")
put("model_reply", "p3", "```python\ndef sat(x: int):\n    return x > 3\n\ndef sol():\n    return 4\n```")
put("model_reply", "program", "Description: counts ones.\n```python\ndef f(n):\n    return bin(n).count('1')\n```\n```python\nassert f(3) == 2\nprint(f(7))\n>>> f(0)\n```")
put("model_reply", "stdio", "Statement: read n, print n*2.\n```python\nprint(int(input())*2)\n```\nInputs:\n```\n3\n```\n")
put("model_reply", "bare", "def f(a, b):\n    return a * b\n")
put("model_reply", "answer", "The answer is `f(3, [1, 2])`")
