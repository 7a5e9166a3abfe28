#!/usr/bin/env python3
"""A SandboxFusion client, written the way RL reward code calls SandboxFusion (verl's
sandbox_fusion path: one `requests.post` of JSON to `<url>/run_code`, then `status` and
`run_result` read back), run against `crucible serve`. It uses `requests` when installed (the
test runs it in a venv with `requests`), else the standard library's urllib.

Usage: sandbox_fusion_client.py URL [TOKEN]. Exits 0 when every check passes.
"""

import base64
import json
import sys
import urllib.error
import urllib.request

try:
    import requests
except ImportError:
    requests = None


def call_sandbox_api(url, payload, token=None, timeout=60):
    """POST `payload` to `url + "/run_code"` as SandboxFusion clients do; (http status, JSON)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    if requests is not None:
        response = requests.post(url.rstrip("/") + "/run_code", json=payload, headers=headers,
                                 timeout=timeout)
        return response.status_code, response.json()
    request = urllib.request.Request(
        url.rstrip("/") + "/run_code",
        data=json.dumps(payload).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def payload(code, language, stdin=None, **extra):
    """verl's request shape: code, stdin, language, compile_timeout, run_timeout, memory_limit_MB."""
    body = {
        "compile_timeout": 10,
        "run_timeout": 10,
        "code": code,
        "stdin": stdin,
        "memory_limit_MB": 1024,
        "language": language,
        "files": {},
        "fetch_files": [],
    }
    body.update(extra)
    return body


def check(name, condition, detail):
    if not condition:
        print(f"FAIL {name}: {json.dumps(detail)[:800]}")
        sys.exit(1)
    print(f"ok   {name}")


def main():
    url = sys.argv[1]
    token = sys.argv[2] if len(sys.argv) > 2 else None
    print("transport:", f"requests {requests.__version__}" if requests else "urllib")

    status, r = call_sandbox_api(url, payload("print(sum(map(int, input().split())))", "python", "2 40\n"), token)
    check("python stdin/stdout", status == 200 and r["status"] == "Success"
          and r["run_result"]["status"] == "Finished" and r["run_result"]["stdout"] == "42\n"
          and r["run_result"]["return_code"] == 0 and r["compile_result"] is None, r)
    # The keys every SandboxFusion response has.
    check("response keys", set(r) >= {"status", "message", "compile_result", "run_result",
                                      "executor_pod_name", "files"}, r)

    cpp = "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a*b<<std::endl;}\n"
    status, r = call_sandbox_api(url, payload(cpp, "cpp", "6 7"), token)
    check("cpp compile and run", r["status"] == "Success" and r["compile_result"]["status"] == "Finished"
          and r["run_result"]["stdout"].strip() == "42", r)

    status, r = call_sandbox_api(url, payload("int main( {", "cpp"), token)
    check("cpp compile error", r["status"] == "Failed" and r["compile_result"]["return_code"] != 0
          and r["run_result"] is None, r)

    status, r = call_sandbox_api(url, payload("raise ValueError('boom')", "python"), token)
    check("python exception", r["status"] == "Failed" and r["run_result"]["return_code"] == 1
          and "ValueError: boom" in r["run_result"]["stderr"], r)

    status, r = call_sandbox_api(url, payload("while True:\n    pass\n", "python", run_timeout=0.5), token)
    check("python time limit", r["status"] == "Failed"
          and r["run_result"]["status"] == "TimeLimitExceeded", r)

    files = {"input.txt": base64.b64encode(b"from a file").decode()}
    status, r = call_sandbox_api(url, payload("print(open('input.txt').read())", "python",
                                              files=files, fetch_files=["input.txt"]), token)
    check("files and fetch_files", r["status"] == "Success" and r["run_result"]["stdout"] == "from a file\n"
          and r["files"] == files, r)

    status, r = call_sandbox_api(url, payload("x", "java"), token)
    check("unsupported language is a 4xx with a message", 400 <= status < 500 and "unsupported" in r["message"], r)

    print("all SandboxFusion client checks passed")


if __name__ == "__main__":
    main()
