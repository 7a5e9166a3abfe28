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

/// The Python program that looks for inputs of `code`'s `f` when the proposer wrote too few
/// that run: each required parameter's kind is guessed from its annotation or name (numbers,
/// strings, lists, lists of strings, matrices, dictionaries, booleans), twelve argument lists
/// are drawn from fixed pools of such values, and the calls that return a literal are printed
/// as JSON lines `[arguments, repr(result)]`. When fewer than five calls succeed, every
/// parameter is tried as each kind in turn.
pub fn finder(code: &str) -> String {
    format!("{code}\n\n{FINDER}")
}

const FINDER: &str = r#"import ast as _ca, copy as _cc, inspect as _ci, json as _cj
_CP = {
 'int': [0, 1, 2, 3, 5, 7, 10, 12, 25, 100, -4, 42],
 'float': [0.5, 1.0, 2.5, -3.25, 10.0, 0.1, 7.75, 100.0, 3.0, 1.5, -0.5, 12.0],
 'str': ['', 'a', 'abc', 'hello', 'banana', 'Mississippi', 'racecar', 'a b c', 'Hello World', 'xyz123', 'aabbcc', 'Python'],
 'list': [[], [1], [1, 2, 3], [3, 1, 2], [5, 5, 5], [-1, 4, 0, 9], [10, 20, 30, 40], [2, 7, 1, 8, 2, 8], [9, 8, 7], [1, 2, 2, 3, 3, 3], [4], [6, -2, 6]],
 'strs': [[], ['a'], ['apple', 'banana'], ['x', 'y', 'z'], ['hello', 'world', 'hello'], ['Cat', 'dog'], ['one', 'two', 'three', 'four'], ['aa', 'b'], ['sun'], ['race', 'car', 'racecar'], ['Q', 'q'], ['abc', 'cab', 'bca']],
 'matrix': [[[1, 2], [3, 4]], [[5]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[2, 9, 4], [7, 5, 3], [6, 1, 8]], [[0, 1], [1, 0]], [[1, 2, 3], [4, 5, 6]], [[-1, 2], [2, -1]], [[7, 7], [7, 7]], [[3]], [[1, 2], [3, 4], [5, 6]], [[0]], [[9, 8], [7, 6]]],
 'dict': [{}, {'a': 1}, {'a': 1, 'b': 2}, {'x': 10, 'y': -1}, {'k': 0}, {'a': 3, 'b': 3, 'c': 1}, {'one': 1, 'two': 2, 'three': 3}, {'z': 26}, {'p': 5, 'q': 7}, {'m': 2, 'n': 2}, {'b': 0, 'a': 0}, {'w': 4}],
 'bool': [True, False] * 6,
}
_CN = [('matrix', ('matrix', 'grid', 'board', 'mat', 'm')), ('strs', ('words', 'strings', 'names', 'strs', 'sentences')), ('list', ('arr', 'nums', 'numbers', 'lst', 'list', 'items', 'values', 'xs', 'a', 'l', 'seq', 'data', 'array', 'ints', 'prices', 'scores', 'elements', 'li', 'intervals')), ('str', ('s', 'text', 'word', 'string', 'sentence', 'name', 'st', 'str', 'char', 'c', 'ch', 'pattern', 'prefix', 'suffix', 'sub', 't')), ('dict', ('d', 'dict', 'mapping', 'counts', 'dic', 'dictionary')), ('float', ('rate', 'ratio', 'price', 'amount')), ('bool', ('flag', 'reverse'))]
def _cguess(p):
    a = p.annotation
    t = '' if a is p.empty else (a if isinstance(a, str) else getattr(a, '__name__', str(a))).lower()
    t = t + str(a).lower() if t else t
    if t:
        if 'list[list' in t: return 'matrix'
        if 'list[str' in t: return 'strs'
        if 'list' in t or 'tuple' in t or 'sequence' in t: return 'list'
        for k in ('int', 'float', 'str', 'bool', 'dict'):
            if k in t: return k
    n = p.name.lower()
    for k, names in _CN:
        if n in names: return k
    for k, parts in (('matrix', ('matrix', 'grid')), ('strs', ('words', 'strings', 'names')), ('list', ('list', 'nums', 'numbers', 'arr', 'values', 'items', 'scores')), ('str', ('str', 'text', 'word', 'char', 'name')), ('dict', ('dict', 'map')), ('float', ('float', 'rate', 'price'))):
        if any(x in n for x in parts): return k
    return 'int'
_cparams = [p for p in _ci.signature(f).parameters.values() if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
_ckinds = [_cguess(p) for p in _cparams]
_corder = ['int', 'str', 'list', 'strs', 'float', 'matrix', 'dict', 'bool']
for _cround in range(len(_corder) + 1):
    _cfound = []
    for _cn in range(12):
        _cargs = tuple(_cc.deepcopy(_CP[k][(_cn + 5 * j) % 12]) for j, k in enumerate(_ckinds))
        _ctext = ', '.join(repr(x) for x in _cargs)
        try:
            _cout = repr(f(*_cargs))
            _ca.literal_eval(_cout)
        except Exception:
            continue
        _cfound.append((_ctext, _cout))
    if len(_cfound) >= 5 or _cround == len(_corder):
        break
    _ckinds = [_corder[_cround]] * len(_cparams)
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
