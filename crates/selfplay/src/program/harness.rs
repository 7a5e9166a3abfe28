//! The Python harnesses the sandbox runs around a proposed `f`: the runner that applies it to
//! the arguments on standard input, and the finder that looks for inputs when too few ran.

use super::draft::ENTRY;

/// The Python program that runs `code`'s `f` on the arguments given on standard input and
/// prints, as its last line, the `repr` of what `f` returned — which must read back as a
/// literal (so asserts and answers can compare it).
pub fn runner(code: &str) -> String {
    format!(
        "{code}\n\nimport ast as _crucible_ast\nimport sys as _crucible_sys\n\
         _crucible_text = _crucible_sys.stdin.read().strip()\n\
         _crucible_args = _crucible_ast.literal_eval('(' + _crucible_text + ',)') if _crucible_text else ()\n\
         _crucible_out = repr({ENTRY}(*_crucible_args))\n\
         _crucible_ast.literal_eval(_crucible_out)\n\
         print()\nprint(_crucible_out)\n"
    )
}

/// The Python program that looks for inputs of `code`'s `f` when the proposer's own calls ran
/// fewer than five times or gave fewer than five distinct results. First from `examples` (the
/// argument lists the proposer wrote): each is varied one argument at a time, then all at once,
/// by rules that keep a value's type (an int moves by a few, a string is reversed, cut or
/// doubled, a list reversed, sorted, cut or varied element-wise, …), so inputs stay in the
/// domain the proposer meant — a binary string stays binary — even when `f` has no
/// annotations. Calls whose result is new come first. When that finds fewer than five, each
/// required parameter's kind is guessed from its annotation or name (numbers, strings, lists,
/// tuples, lists of strings, matrices, dictionaries, booleans; an int named `n`, `size`, … after a list
/// is first tried as that list's length, the MBPP habit `f(arr, n)`, then every int after a list
/// as an index into it, `f(items, k)` multiplying the first `k` items), and twelve argument
/// lists are drawn from fixed pools of such values; when fewer than five of those succeed, every
/// parameter is tried as each kind in turn, then (for two or three parameters) each mix of
/// kinds, leaving a mix after four calls that all failed. The guessed kinds are tried when the
/// proposer's varied arguments gave fewer than five calls or fewer than five distinct results;
/// other kinds only while fewer than five calls ran (so a function that gives few results on
/// the kinds it is meant for stays rejected). Still too few: parameters with a default value
/// are varied too, each as its default's kind. Calls that return a literal are printed as JSON
/// lines `[arguments, repr(result)]`.
pub fn finder(code: &str, examples: &[String]) -> String {
    let examples = serde_json::to_string(examples).unwrap_or_else(|_| "[]".into());
    format!("{code}\n\n_CEX = {examples}\n{FINDER}")
}

const FINDER: &str = r#"import ast as _ca, copy as _cc, inspect as _ci, json as _cj
_CP = {
 'int': [0, 1, 2, 3, 5, 7, 10, 12, 25, 100, -4, 42],
 'float': [0.5, 1.0, 2.5, -3.25, 10.0, 0.1, 7.75, 100.0, 3.0, 1.5, -0.5, 12.0],
 'str': ['', 'a', 'abc', 'hello', 'banana', 'Mississippi', 'racecar', 'a b c', 'Hello World', 'xyz123', 'aabbcc', 'Python'],
 'list': [[], [1], [1, 2, 3], [3, 1, 2], [5, 5, 5], [-1, 4, 0, 9], [10, 20, 30, 40], [2, 7, 1, 8, 2, 8], [9, 8, 7], [1, 2, 2, 3, 3, 3], [4], [6, -2, 6]],
 'tuple': [(), (1,), (1, 2, 3), (3, 1, 2), (5, 5, 5), (-1, 4, 0, 9), (10, 20, 30, 40), (2, 7, 1, 8, 2, 8), (9, 8, 7), (1, 2, 2, 3, 3, 3), (4,), (6, -2, 6)],
 'strs': [[], ['a'], ['apple', 'banana'], ['x', 'y', 'z'], ['hello', 'world', 'hello'], ['Cat', 'dog'], ['one', 'two', 'three', 'four'], ['aa', 'b'], ['sun'], ['race', 'car', 'racecar'], ['Q', 'q'], ['abc', 'cab', 'bca']],
 'matrix': [[[1, 2], [3, 4]], [[5]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[2, 9, 4], [7, 5, 3], [6, 1, 8]], [[0, 1], [1, 0]], [[1, 2, 3], [4, 5, 6]], [[-1, 2], [2, -1]], [[7, 7], [7, 7]], [[3]], [[1, 2], [3, 4], [5, 6]], [[0]], [[9, 8], [7, 6]]],
 'dict': [{}, {'a': 1}, {'a': 1, 'b': 2}, {'x': 10, 'y': -1}, {'k': 0}, {'a': 3, 'b': 3, 'c': 1}, {'one': 1, 'two': 2, 'three': 3}, {'z': 26}, {'p': 5, 'q': 7}, {'m': 2, 'n': 2}, {'b': 0, 'a': 0}, {'w': 4}],
 'bool': [True, False] * 6,
}
_CN = [('matrix', ('matrix', 'grid', 'board', 'mat', 'm')), ('tuple', ('tup', 'tuple', 'tup1', 'tup2', 'test_tup', 'test_tup1', 'test_tup2', 'tuplex')), ('strs', ('words', 'strings', 'names', 'strs', 'sentences')), ('list', ('arr', 'nums', 'numbers', 'lst', 'list', 'items', 'values', 'xs', 'a', 'l', 'seq', 'data', 'array', 'ints', 'prices', 'scores', 'elements', 'li', 'intervals')), ('str', ('s', 'text', 'word', 'string', 'sentence', 'name', 'st', 'str', 'char', 'c', 'ch', 'pattern', 'prefix', 'suffix', 'sub', 't')), ('dict', ('d', 'dict', 'mapping', 'counts', 'dic', 'dictionary')), ('float', ('rate', 'ratio', 'price', 'amount')), ('bool', ('flag', 'reverse'))]
def _cguess(p):
    a = p.annotation
    t = '' if a is p.empty else (a if isinstance(a, str) else getattr(a, '__name__', str(a))).lower()
    t = t + str(a).lower() if t else t
    if t:
        if 'list[list' in t: return 'matrix'
        if 'list[str' in t: return 'strs'
        if 'tuple' in t: return 'tuple'
        if 'list' in t or 'sequence' in t: return 'list'
        for k in ('int', 'float', 'str', 'bool', 'dict'):
            if k in t: return k
    n = p.name.lower()
    for k, names in _CN:
        if n in names: return k
    for k, parts in (('matrix', ('matrix', 'grid')), ('tuple', ('tup',)), ('strs', ('words', 'strings', 'names')), ('list', ('list', 'nums', 'numbers', 'arr', 'values', 'items', 'scores')), ('str', ('str', 'text', 'word', 'char', 'name')), ('dict', ('dict', 'map')), ('float', ('float', 'rate', 'price'))):
        if any(x in n for x in parts): return k
    return 'int'
_cparams = [p for p in _ci.signature(f).parameters.values() if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
_ckinds = [_cguess(p) for p in _cparams]
_corder = ['int', 'str', 'list', 'tuple', 'strs', 'float', 'matrix', 'dict', 'bool']
def _cvar(v, i):
    if isinstance(v, bool): return v if i % 2 else not v
    if isinstance(v, int):
        if i % 12 == 5: return v * 2
        if i % 12 == 11: return v // 2
        return v + (1, -1, 2, -2, 3, 0, 5, 4, -4, 7, 6, 0)[i % 12]
    if isinstance(v, float): return (v + 0.5, v * 2, -v, v / 2, v + 3.25, v * 1.5, v - 1, v + 0.1, v * 10, 2.5, v - 2.75, 1.0)[i % 12]
    h = len(v) // 2 if isinstance(v, (str, list, tuple)) else 0
    if isinstance(v, str):
        return (lambda: v[::-1], lambda: v[:-1], lambda: v + v[:1], lambda: v[1:], lambda: v * 2, lambda: ''.join(sorted(v)), lambda: v.swapcase(), lambda: v[:h], lambda: v[h:] + v[:h], lambda: v + v[-1:] * 2, lambda: v[::2], lambda: v[1:] + v[:1])[i % 12]()
    if isinstance(v, (list, tuple)):
        w = list(v)
        def _csorted():
            try: return sorted(w)
            except Exception: return w[::-1]
        w = (lambda: w[::-1], lambda: w[:-1], lambda: w[1:], lambda: w + w[:1], lambda: [_cvar(x, i) for x in w], _csorted, lambda: w * 2, lambda: w[:h], lambda: [_cvar(x, i + 3) for x in w][::-1], lambda: w + [_cvar(w[-1], i)] if w else w, lambda: w[h:] + w[:h], lambda: [_cvar(x, i + 1) for x in w[1:]])[i % 12]()
        return tuple(w) if isinstance(v, tuple) else w
    if isinstance(v, dict):
        if i % 3 == 0 and v: return {k: v[k] for k in list(v)[:-1]}
        if i % 3 == 1 and v:
            k = list(v)[-1]
            return {**v, _cvar(k, i): v[k]}
        return {k: _cvar(x, i) for k, x in v.items()}
    return v
def _ccall(args, found, seen):
    _ctext = ', '.join(repr(x) for x in args)
    if _ctext in seen: return
    seen.add(_ctext)
    try:
        _cout = repr(f(*_cc.deepcopy(args)))
        _ca.literal_eval(_cout)
    except Exception:
        return
    found.append((_ctext, _cout))
_cnall = len([p for p in _ci.signature(f).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
_cex = []
for _ct in _CEX:
    try:
        _cargs = _ca.literal_eval('(' + _ct + ',)') if _ct.strip() else ()
    except Exception:
        continue
    if len(_cparams) <= len(_cargs) <= max(_cnall, len(_cparams)) and len(_cargs) > 0 and _cargs not in _cex:
        _cex.append(_cargs)
_cfound, _cseen = [], set()
for _cargs in _cex:
    _ccall(_cargs, _cfound, _cseen)
for _cn in range(96 if _cex else 0):
    _ce = _cn % len(_cex)
    _cargs = _cex[_ce]
    _crest = _cn // len(_cex)
    _cpos = _crest % (len(_cargs) + 1)
    _cv = _crest // (len(_cargs) + 1) + _ce
    _cnew = tuple(_cvar(x, _cv + 5 * j) if _cpos in (j, len(_cargs)) else x for j, x in enumerate(_cargs))
    _ccall(_cnew, _cfound, _cseen)
def _cnewfirst(found):
    first, outs = [], set()
    for p in found:
        if p[1] not in outs:
            outs.add(p[1])
            first.append(p)
    return (first + [p for p in found if p not in first])[:24]
def _cscore(found):
    return (min(len(set(o for _, o in found)), 5), len(found))
_cfound = _cnewfirst(_cfound)
_CLEN = ('n', 'size', 'length', 'len', 'arr_len', 'array_size', 'len_arr', 'count')
def _cassign():
    yield _ckinds, 'len'
    yield _ckinds, 'idx'
    yield _ckinds, ''
    for k in _corder:
        yield [k] * len(_cparams), ''
    if 1 < len(_cparams) <= 3:
        import itertools as _cit
        for ks in _cit.product(_corder[:6], repeat=len(_cparams)):
            yield list(ks), ''
def _cwith_len(args, kinds, mode, n):
    for j, p in enumerate(_cparams):
        seqs = [x for x in args[:j] if isinstance(x, (list, tuple, str))]
        if kinds[j] != 'int' or not seqs: continue
        if mode == 'len' and p.name.lower() in _CLEN: args[j] = len(seqs[-1])
        if mode == 'idx': args[j] = n % (len(seqs[-1]) + 1)
    return args
def _ctry(base, kinds, mode):
    found, seen = list(base), set(t for t, _ in base)
    for n in range(12):
        args = [_CP[k][(n + 5 * j) % 12] for j, k in enumerate(kinds)]
        _ccall(tuple(_cwith_len(args, kinds, mode, n)), found, seen)
        if n == 3 and len(found) == len(base): break
    return found
_cbase, _cbest, _ctried = _cfound, _cfound, []
for _cks, _clen in (_cassign() if _cscore(_cbase) < (5, 5) else ()):
    if (_cks, _clen) in _ctried: continue
    # Past the guessed kinds, other kinds only while no assignment has run five calls (a
    # function that gives few results on the kinds it is meant for stays rejected).
    if len(_ctried) >= 3 and len(_cbest) >= 5: break
    _ctried.append((_cks, _clen))
    _cfound = _ctry(_cbase, _cks, _clen)
    if _cscore(_cfound) > _cscore(_cbest): _cbest = _cfound
    if _cscore(_cbest) >= (5, 5): break
# Still too few: parameters with a default are inputs too (`f(xs, k=0)` returning a multiple
# of `k` gives 0 for every `xs`), each of its default's kind.
def _cdefault_kind(p):
    d = p.default
    for k, t in (('bool', bool), ('int', int), ('float', float), ('str', str), ('dict', dict), ('tuple', tuple)):
        if isinstance(d, t): return k
    if isinstance(d, list): return 'strs' if d and all(isinstance(x, str) for x in d) else 'list'
    return _cguess(p)
_copt = [p for p in _ci.signature(f).parameters.values() if p.default is not p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
if _cscore(_cbest) < (5, 5) and _copt:
    _cparams = _cparams + _copt
    _cks = _ckinds + [_cdefault_kind(p) for p in _copt]
    _cbase = _cbest
    for _clen in ('len', 'idx', ''):
        _cfound = _ctry(_cbase, _cks, _clen)
        if _cscore(_cfound) > _cscore(_cbest): _cbest = _cfound
        if _cscore(_cbest) >= (5, 5): break
_cfound = _cnewfirst(_cbest)
print()
for _ct, _co in _cfound:
    print(_cj.dumps([_ct, _co]))
"#;

/// The (arguments, result) pairs a [`finder`] run printed.
pub fn found_pairs(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<(String, String)>(line).ok())
        .collect()
}
