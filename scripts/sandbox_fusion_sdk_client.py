#!/usr/bin/env python3
"""SandboxFusion's own Python SDK (`pip install sandbox-fusion`, the package its documentation
tells users to install) pointed at `crucible serve`: the only change from a SandboxFusion set-up
is the endpoint URL. Runs the SDK's synchronous and asynchronous `run_code`, its
`summary_run_code_result` and its `submit` (a problem given in `provided_data`); the SDK parses
every answer with its own pydantic models, so a field of the wrong shape fails here.

Usage: sandbox_fusion_sdk_client.py URL. Exits 0 when every check passes. The test
(`crates/cli/tests/serve.rs`) runs it in a venv made from
`scripts/sandbox-fusion-client-requirements.txt`.
"""

import asyncio
import base64
import sys
from importlib.metadata import version

from sandbox_fusion import (
    RunCodeRequest,
    RunStatus,
    SubmitRequest,
    SummaryMapping,
    TestConfig,
    run_code,
    run_code_async,
    set_endpoint,
    submit,
    summary_run_code_result,
)

MAPPING = SummaryMapping(CompileFailed="CompileFailed", CompileTimeout="CompileTimeout",
                         RunFailed="RunFailed", RunTimeout="RunTimeout")


def check(name, condition, detail):
    """Prints `ok NAME`, or the detail and exit 1."""
    if not condition:
        print(f"FAIL {name}: {str(detail)[:800]}")
        sys.exit(1)
    print(f"ok   {name}")


def summary(request):
    """Runs `request` with the SDK and sums its answer up the way reward code does."""
    response = run_code(request, max_attempts=1)
    return summary_run_code_result(response, MAPPING), response


def check_run_code():
    """The SDK's `run_code` on each outcome a reward function tells apart."""
    s, r = summary(RunCodeRequest(code="print(sum(map(int, input().split())))",
                                  language="python", stdin="2 40\n"))
    check("python stdin/stdout", s == "Success" and r.run_result.stdout == "42\n", r)

    cpp = "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a*b<<std::endl;}\n"
    s, r = summary(RunCodeRequest(code=cpp, language="cpp", stdin="6 7"))
    check("cpp compile and run", s == "Success" and r.run_result.stdout.strip() == "42"
          and r.compile_result is not None, r)

    s, r = summary(RunCodeRequest(code="int main( {", language="cpp"))
    check("cpp compile error", s == "CompileFailed" and r.status == RunStatus.Failed, r)

    s, r = summary(RunCodeRequest(code="raise ValueError('boom')", language="python"))
    check("python exception", s == "RunFailed" and "ValueError: boom" in r.run_result.stderr, r)

    s, r = summary(RunCodeRequest(code="while True:\n    pass\n", language="python",
                                  run_timeout=0.5))
    check("python time limit", s == "RunTimeout", r)

    files = {"data.txt": base64.b64encode(b"from a file").decode()}
    s, r = summary(RunCodeRequest(code="print(open('data.txt').read())", language="python",
                                  files=files, fetch_files=["data.txt"]))
    check("files and fetch_files", s == "Success" and r.run_result.stdout == "from a file\n"
          and r.files == files, r)

    try:
        run_code(RunCodeRequest(code="x", language="java"), max_attempts=1)
        check("unsupported language is refused", False, "no error")
    except Exception as error:  # the SDK raises on any non-200 answer
        check("unsupported language is refused", "400" in str(error)
              and "unsupported" in str(error), error)


def check_async():
    """Eight concurrent `run_code_async` calls, as an RL trainer's reward workers make them."""
    async def many():
        requests = [RunCodeRequest(code=f"print({i} * {i})", language="python") for i in range(8)]
        return await asyncio.gather(*(run_code_async(r, max_attempts=1) for r in requests))

    responses = asyncio.run(many())
    check("8 concurrent async runs", [r.run_result.stdout for r in responses]
          == [f"{i * i}\n" for i in range(8)], responses)


def check_submit():
    """`submit` with the problem inline, right and wrong completions."""
    tests = [{"input": {"stdin": f"{a} {b}\n"}, "output": {"stdout": f"{a + b}\n"}}
             for a, b in [(1, 2), (2, 2), (-5, 5)]]
    config = TestConfig(language="python", provided_data={"test": tests},
                        extra={"run_all_cases": True})

    def judged(completion):
        return submit(SubmitRequest(dataset="my_oj", id=7, completion=completion, config=config),
                      max_attempts=1)

    right = judged("Here you go:\n```python\na, b = map(int, input().split())\nprint(a + b)\n```")
    check("submit accepts a right completion", right.accepted and right.id == 7
          and len(right.tests) == 3 and right.extracted_type == "fenced", right)
    wrong = judged("```python\na, b = map(int, input().split())\nprint(a * b)\n```")
    check("submit rejects a wrong completion", not wrong.accepted
          and [t.passed for t in wrong.tests] == [False, True, False], wrong)


def main():
    set_endpoint(sys.argv[1])
    print("sdk: sandbox-fusion", version("sandbox-fusion"))
    check_run_code()
    check_async()
    check_submit()
    print("all SandboxFusion SDK checks passed")


if __name__ == "__main__":
    main()
