#!/usr/bin/env python3
"""Circles between the files of one crate: prints each and exits 1 if there is any.

    scripts/module_cycles.py [CRATE_SRC_DIR ...]   (default: every src/ of the workspace)

A file depends on another when its non-test code names a path into it: `crate::a::...`,
`super::b` inside a directory module, or an item the crate root re-exports from it
(`crate::Foo` where lib.rs has `pub use a::Foo`). A directory module counts as one node for
the files outside it and as its files for each other. `#[cfg(test)]` modules are left out:
tests may look anywhere.
"""

import re
import sys
from pathlib import Path

USE_BLOCK = re.compile(r"\buse\s+(crate|super)\s*::\s*(\{[^;]*\}|[^;]*);", re.S)
PUB_USE = re.compile(r"pub\s+use\s+([a-z_][a-z0-9_]*)\s*::\s*(\{[^;]*\}|[^;]*);", re.S)
PATH = re.compile(r"\b(crate|super)((?:\s*::\s*[A-Za-z_][A-Za-z0-9_]*)+)")


def strip_tests(text):
    """The text without `#[cfg(test)]` items (a `mod tests { ... }` block or one item)."""
    out, i = [], 0
    while True:
        j = text.find("#[cfg(test)]", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        k = text.find("{", j)
        semi = text.find(";", j)
        if semi >= 0 and (k < 0 or semi < k):
            i = semi + 1
            continue
        depth = 0
        for m in range(k, len(text)):
            if text[m] == "{":
                depth += 1
            elif text[m] == "}":
                depth -= 1
                if depth == 0:
                    i = m + 1
                    break
        else:
            return "".join(out)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\])*"', '""', text)


def module_of(src, path):
    """The module path of a file: src/a/b.rs -> ['a', 'b'], src/a/mod.rs -> ['a']."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def expand_use(tree):
    """Paths named by a use tree such as `a::{b, c::{d, e}}` (first segments suffice)."""
    tree = re.sub(r"\s+", "", tree)
    paths, depth, start, prefix = [], 0, 0, ""
    if "{" not in tree:
        return [tree]
    head, _, rest = tree.partition("{")
    rest = rest[: rest.rfind("}")]
    for i, ch in enumerate(rest + ","):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            part = rest[start:i]
            start = i + 1
            if part:
                paths.extend(head + p for p in expand_use(part))
    return paths


def references(text, module):
    """Absolute module paths (lists of names) that `text`, in `module`, refers to."""
    found = []
    for m in USE_BLOCK.finditer(text):
        for p in expand_use(m.group(2)):
            found.append((m.group(1), [s for s in p.split("::") if s]))
    for m in PATH.finditer(USE_BLOCK.sub("", text)):
        found.append((m.group(1), [s.strip() for s in m.group(2).split("::") if s.strip()]))
    out = []
    for root, segs in found:
        base = [] if root == "crate" else module[:-1]
        while segs and segs[0] == "super":
            base, segs = base[:-1], segs[1:]
        out.append(base + segs)
    return out


def crate_graph(src):
    files = {tuple(module_of(src, f)): f for f in src.rglob("*.rs")}
    modules = set(files)
    root = files.get(())
    reexports = {}
    if root:
        root_text = strip_comments(root.read_text())
        for m in PUB_USE.finditer(root_text):
            for p in expand_use(m.group(2)):
                reexports[p.split("::")[-1]] = m.group(1)
    edges = {}
    for mod, f in files.items():
        if not mod:
            continue
        text = strip_comments(strip_tests(f.read_text()))
        for path in references(text, list(mod)):
            if len(path) == 1 and path[0] in reexports:
                path = [reexports[path[0]]]
            # The longest existing module prefix of the path.
            target = None
            for n in range(len(path), 0, -1):
                if tuple(path[:n]) in modules:
                    target = tuple(path[:n])
                    break
            if target is None or target == mod:
                continue
            # Compare at the level where the two diverge: siblings inside one directory.
            common = 0
            while common < min(len(mod), len(target)) and mod[common] == target[common]:
                common += 1
            if common == len(target) or common == len(mod):
                continue  # a module and its own parent or child: not a circle between files
            a, b = mod[: common + 1], target[: common + 1]
            edges.setdefault(a, set()).add(b)
    return edges


def cycles(edges):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def main():
    repo = Path(__file__).resolve().parent.parent
    srcs = [Path(a) for a in sys.argv[1:]] or sorted(
        p for p in [repo / "sandbox/src", *repo.glob("crates/*/src")] if p.is_dir()
    )
    bad = 0
    for src in srcs:
        edges = crate_graph(src.resolve())
        for comp in cycles(edges):
            bad += 1
            names = ["::".join(c) for c in comp]
            detail = "; ".join(
                f"{'::'.join(a)} -> {'::'.join(b)}"
                for a in comp
                for b in sorted(edges.get(a, ()))
                if b in comp
            )
            print(f"{src.relative_to(repo) if src.is_relative_to(repo) else src}: circle {names}: {detail}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
