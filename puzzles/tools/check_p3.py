#!/usr/bin/env python3
"""Check puzzles/p3/puzzles.json (P3-format function-level puzzles).

For every puzzle:
  * all fields are present and have the right types; names are unique;
  * `sat`'s first parameter is annotated with `ans_type`, and `sol_header` has the same
    parameters and defaults as `sat` minus the answer;
  * `from typing import List` + sat + sol_header + sol_docstring + body is executed for every
    body in `sol_bodies`; `sol()` must return a value of the declared type with `sat(ans) is True`;
  * `sat` runs in under 10 ms on the answer, gives the same result twice, and does not mutate
    its default arguments;
  * trivial answers (0, 1, -1, "", "a", [], and the element-typed one-item lists) do NOT satisfy
    `sat`, unless the puzzle lists them in an optional "trivial_ok" field.

Usage: python3 puzzles/tools/check_p3.py [path/to/puzzles.json] [-v]
Exit status 0 when every puzzle passes.
"""
import copy
import inspect
import json
import os
import re
import signal
import sys
import time
from collections import Counter

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "p3", "puzzles.json")

REQUIRED = {
    "name": str,
    "sat": str,
    "ans_type": str,
    "sol_header": str,
    "sol_docstring": str,
    "sol_bodies": list,
    "module": str,
    "notes": str,
    "weight": (int, float),
    "difficulty": str,
    "split": str,
}
DIFFICULTIES = ("easy", "medium", "hard")
SPLITS = ("train", "heldout")
SAT_TIME_LIMIT = 0.010  # seconds
SOL_TIME_LIMIT = 60  # seconds per body


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def parse_type(t):
    t = t.replace(" ", "")
    if t in ("int", "str", "float", "bool"):
        return t
    m = re.fullmatch(r"List\[(.+)\]", t)
    if m:
        inner = parse_type(m.group(1))
        return None if inner is None else ("List", inner)
    return None


def has_type(x, ty):
    if ty == "int":
        return isinstance(x, int) and not isinstance(x, bool)
    if ty == "bool":
        return isinstance(x, bool)
    if ty == "str":
        return isinstance(x, str)
    if ty == "float":
        return isinstance(x, float)
    return isinstance(x, list) and all(has_type(e, ty[1]) for e in x)


def empty_of(ty):
    return {"int": 0, "bool": False, "str": "", "float": 0.0}[ty] if isinstance(ty, str) else []


def trivial_answers(ty):
    cands = [0, 1, -1, "", "a", []]
    if isinstance(ty, str):
        cands.append(empty_of(ty))
    else:
        cands += [[empty_of(ty[1])], [[]]]
        if ty[1] == "int":
            cands += [[1], [0, 1]]
        if ty[1] == "bool":
            cands += [[True], [False]]
    out = []
    for c in cands:  # dedupe with type awareness (0 == False == 0.0)
        if not any(type(c) is type(o) and c == o for o in out):
            out.append(c)
    return out


def run_with_timeout(fn, seconds):
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        return fn()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def safe_sat(sat, x):
    try:
        return run_with_timeout(lambda: sat(x), 5) is True
    except Exception:
        return False


def check_puzzle(p, seen_names):
    errs = []
    if not isinstance(p, dict):
        return ["entry is not an object"]
    for k, ty in REQUIRED.items():
        if k not in p:
            errs.append(f"missing field {k!r}")
        elif not isinstance(p[k], ty) or (k == "weight" and isinstance(p[k], bool)):
            errs.append(f"field {k!r} has type {type(p[k]).__name__}")
    if errs:
        return errs
    name = p["name"]
    if name in seen_names:
        errs.append("duplicate name")
    seen_names.add(name)
    if p["difficulty"] not in DIFFICULTIES:
        errs.append(f"bad difficulty {p['difficulty']!r}")
    if p["split"] not in SPLITS:
        errs.append(f"bad split {p['split']!r}")
    if not p["sol_bodies"] or not all(isinstance(b, str) and b.strip() for b in p["sol_bodies"]):
        errs.append("sol_bodies must be a non-empty list of non-empty strings")
    if not p["sat"].startswith("def sat("):
        errs.append("sat must start with 'def sat('")
    if not p["sol_header"].startswith("def sol("):
        errs.append("sol_header must start with 'def sol('")
    ds = p["sol_docstring"].strip()
    if not (ds.startswith('"""') and ds.endswith('"""') and len(ds) > 6):
        errs.append("sol_docstring must be a triple-quoted string")
    ty = parse_type(p["ans_type"])
    if ty is None:
        errs.append(f"unsupported ans_type {p['ans_type']!r}")
    if not (0 < p["weight"]):
        errs.append("weight must be positive")
    if errs:
        return errs

    # --- sat alone
    ns = {}
    try:
        exec("from typing import List\n" + p["sat"], ns)
        sat = ns["sat"]
    except Exception as e:
        return [f"sat does not compile: {e!r}"]
    sig = inspect.signature(sat)
    params = list(sig.parameters.values())
    if not params:
        return ["sat takes no parameters"]
    first = params[0]
    ann = first.annotation
    ann_str = ann if isinstance(ann, str) else re.sub(r"\btyping\.", "", repr(ann)) if not isinstance(ann, type) else ann.__name__
    if ann_str.replace(" ", "") != p["ans_type"].replace(" ", ""):
        errs.append(f"sat annotates the answer as {ann_str!r}, ans_type is {p['ans_type']!r}")
    if first.default is not inspect.Parameter.empty:
        errs.append("the answer parameter of sat must not have a default")
    rest = params[1:]
    if any(q.default is inspect.Parameter.empty for q in rest):
        errs.append("every sat parameter after the answer needs a default")
    sat_defaults = {q.name: q.default for q in rest}
    defaults_before = copy.deepcopy(sat_defaults)

    # --- each body
    answers = []
    for bi, body in enumerate(p["sol_bodies"]):
        src = "from typing import List\n" + p["sat"] + "\n" + p["sol_header"] + "\n" + p["sol_docstring"] + "\n" + body
        ns = {}
        try:
            exec(src, ns)
        except Exception as e:
            errs.append(f"body {bi}: does not compile: {e!r}")
            continue
        sol, sat_b = ns["sol"], ns["sat"]
        sol_defaults = {q.name: q.default for q in inspect.signature(sol).parameters.values()}
        if sol_defaults != defaults_before:
            errs.append(f"body {bi}: sol_header defaults differ from sat's")
        t0 = time.perf_counter()
        try:
            ans = run_with_timeout(sol, SOL_TIME_LIMIT)
        except Timeout:
            errs.append(f"body {bi}: sol() took longer than {SOL_TIME_LIMIT}s")
            continue
        except Exception as e:
            errs.append(f"body {bi}: sol() raised {e!r}")
            continue
        sol_time = time.perf_counter() - t0
        if not has_type(ans, ty):
            errs.append(f"body {bi}: answer {ans!r:.60} is not of type {p['ans_type']}")
            continue
        try:
            ok = sat_b(copy.deepcopy(ans))
        except Exception as e:
            errs.append(f"body {bi}: sat(sol()) raised {e!r}")
            continue
        if ok is not True:
            errs.append(f"body {bi}: sat(sol()) returned {ok!r}")
            continue
        best = min(_timed(sat_b, ans) for _ in range(3))
        if best > SAT_TIME_LIMIT:
            errs.append(f"body {bi}: sat took {best * 1000:.1f} ms on the answer (limit {SAT_TIME_LIMIT * 1000:.0f} ms)")
        if sat_b(copy.deepcopy(ans)) is not True:
            errs.append(f"body {bi}: sat is not deterministic")
        answers.append((ans, sol_time))

    # --- trivial answers must fail
    allowed = p.get("trivial_ok", [])
    for cand in trivial_answers(ty):
        if safe_sat(sat, copy.deepcopy(cand)) and cand not in allowed:
            errs.append(f"trivial answer {cand!r} satisfies sat")

    if sat_defaults != defaults_before:
        errs.append("sat mutates its default arguments")
    p["_sol_time"] = max((t for _, t in answers), default=0.0)
    return errs


def _timed(f, x):
    x = copy.deepcopy(x)
    t0 = time.perf_counter()
    f(x)
    return time.perf_counter() - t0


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv[1:]
    path = args[0] if args else DEFAULT_PATH
    with open(path) as f:
        puzzles = json.load(f)
    if not isinstance(puzzles, list):
        print("puzzles.json must hold a JSON list")
        return 1
    seen = set()
    passed = failed = 0
    for p in puzzles:
        errs = check_puzzle(p, seen)
        name = p.get("name", "?") if isinstance(p, dict) else "?"
        if errs:
            failed += 1
            print(f"FAIL {name}")
            for e in errs:
                print(f"     {e}")
        else:
            passed += 1
            if verbose:
                print(f"ok   {name:28} {p['difficulty']:6} {p['split']:7} sol {p['_sol_time']:.2f}s")
    good = [p for p in puzzles if isinstance(p, dict)]
    diff = Counter(p.get("difficulty") for p in good)
    split = Counter(p.get("split") for p in good)
    both = Counter((p.get("difficulty"), p.get("split")) for p in good)
    print("difficulty: " + ", ".join(f"{d} {diff[d]}" for d in DIFFICULTIES))
    print("split: " + ", ".join(f"{s} {split[s]}" for s in SPLITS))
    print("by difficulty/split: " + ", ".join(f"{d}/{s} {both[(d, s)]}" for d in DIFFICULTIES for s in SPLITS))
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
