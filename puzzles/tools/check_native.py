#!/usr/bin/env python3
"""Check the reference solutions of stdin/stdout problems natively.

Usage: python3 puzzles/tools/check_native.py PROBLEM_DIR [PROBLEM_DIR ...]

For every problem directory: compiles submissions/accepted/sol.cpp with
`g++ -O2 -std=c++20` into a temporary directory, runs the binary and
`python3 submissions/accepted/sol.py` on every data/{sample,secret}/*.in,
and compares both outputs with the matching .ans token-wise (with an
absolute/relative tolerance on numeric tokens when problem.yaml sets
`validator_flags: float_tolerance EPS`). Nothing is regenerated.
Prints one OK/FAIL line per problem with the slowest Python and C++ times.
Exit status is 1 if any problem fails.
"""
import os
import re
import subprocess
import sys
import tempfile
import time


def float_tolerance(problem_dir):
    path = os.path.join(problem_dir, "problem.yaml")
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        return None
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        m = re.match(r"\s*validator_flags\s*:\s*(.*)$", line)
        if m:
            parts = m.group(1).strip().strip("'\"").split()
            for i, p in enumerate(parts):
                if p == "float_tolerance" and i + 1 < len(parts):
                    return float(parts[i + 1])
    return None


def tokens_equal(got, want, tol):
    a, b = got.split(), want.split()
    if len(a) != len(b):
        return False, "token count %d != %d" % (len(a), len(b))
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y:
            continue
        if tol is not None:
            try:
                fx, fy = float(x), float(y)
                if abs(fx - fy) <= tol * max(1.0, abs(fy)):
                    continue
            except ValueError:
                pass
        return False, "token %d: got %r, expected %r" % (i, x[:40], y[:40])
    return True, ""


def run(cmd, inp_path, cwd=None):
    with open(inp_path, "rb") as f:
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdin=f, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=cwd, timeout=60)
        dt = time.perf_counter() - t0
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), dt


def check_problem(pdir, tmp):
    pdir = os.path.abspath(pdir)
    name = os.path.basename(pdir.rstrip("/"))
    sub = os.path.join(pdir, "submissions", "accepted")
    cpp, py = os.path.join(sub, "sol.cpp"), os.path.join(sub, "sol.py")
    errors = []
    binary = os.path.join(tmp, name + ".bin")
    if not os.path.exists(cpp) or not os.path.exists(py):
        return False, "missing sol.cpp or sol.py", 0, 0, 0
    c = subprocess.run(["g++", "-O2", "-std=c++20", "-o", binary, cpp],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if c.returncode != 0:
        return False, "compile error:\n" + c.stderr.decode()[:2000], 0, 0, 0
    tol = float_tolerance(pdir)
    tests = []
    for part in ("sample", "secret"):
        d = os.path.join(pdir, "data", part)
        if os.path.isdir(d):
            for f in sorted(os.listdir(d)):
                if f.endswith(".in"):
                    tests.append(os.path.join(d, f))
    if not tests:
        return False, "no tests", 0, 0, 0
    slow_py, slow_cpp = (0.0, ""), (0.0, "")
    for t in tests:
        rel = os.path.relpath(t, pdir)
        ans = t[:-3] + ".ans"
        if not os.path.exists(ans):
            errors.append("%s: missing .ans" % rel)
            continue
        want = open(ans, encoding="utf-8").read()
        for label, cmd in (("cpp", [binary]), ("py", [sys.executable, py])):
            try:
                rc, out, err, dt = run(cmd, t)
            except subprocess.TimeoutExpired:
                errors.append("%s [%s]: timeout" % (rel, label))
                continue
            if label == "py" and dt > slow_py[0]:
                slow_py = (dt, rel)
            if label == "cpp" and dt > slow_cpp[0]:
                slow_cpp = (dt, rel)
            if rc != 0:
                errors.append("%s [%s]: exit %d %s" % (rel, label, rc, err.strip()[-300:]))
                continue
            ok, why = tokens_equal(out, want, tol)
            if not ok:
                errors.append("%s [%s]: %s" % (rel, label, why))
    return not errors, "\n".join(errors), len(tests), slow_py, slow_cpp


def main():
    dirs = sys.argv[1:]
    if not dirs:
        print(__doc__)
        return 2
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for d in dirs:
            ok, msg, n, sp, sc = check_problem(d, tmp)
            name = os.path.basename(os.path.abspath(d))
            if ok:
                print("OK   %-28s %2d tests  slowest py %.3fs (%s)  slowest cpp %.3fs (%s)"
                      % (name, n, sp[0], sp[1], sc[0], sc[1]))
            else:
                bad += 1
                print("FAIL %-28s %s" % (name, msg.replace("\n", "\n     ")))
    print("%d/%d problems OK" % (len(dirs) - bad, len(dirs)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
