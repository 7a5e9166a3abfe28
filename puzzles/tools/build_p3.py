import json, random, textwrap
from collections import deque
R = random.Random(20240917)
P = []

def add(name, diff, split, var, typ, params, body, doc, sols, notes):
    sig = ", ".join([f"{var}: {typ}"] + [f"{k}={v!r}" for k, v in params])
    sat = f"def sat({sig}) -> bool:\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"
    header = "def sol(" + ", ".join(f"{k}={v!r}" for k, v in params) + "):"
    lines = textwrap.wrap(" ".join(doc.split()), 92)
    if len(lines) == 1:
        ds = f'    """{lines[0]}"""'
    else:
        ds = '    """\n' + "\n".join("    " + l for l in lines) + '\n    """'
    bodies = [textwrap.indent(textwrap.dedent(b).strip("\n"), "    ") + "\n" for b in sols]
    P.append(dict(name=name, sat=sat, ans_type=typ, sol_header=header, sol_docstring=ds,
                  sol_bodies=bodies, module="crucible_seed", notes=notes, weight=1.0,
                  difficulty=diff, split=split))

# ---------------------------------------------------------------- EASY
add("DigitSumMultiple:0", "easy", "train", "n", "int",
    [("target", 31), ("m", 17), ("lower", 10000)],
    """
    return n > lower and n % m == 0 and sum(int(c) for c in str(n)) == target
    """,
    "Find an integer greater than lower that is a multiple of m and whose decimal digits add up to target.",
    ["""
    n = lower + 1
    while not (n % m == 0 and sum(int(c) for c in str(n)) == target):
        n += 1
    return n
    """],
    "Digit sums combined with divisibility; a short scan finds it.")

add("PalindromeWithPrefix:0", "easy", "heldout", "s", "str",
    [("prefix", "deter"), ("n", 12)],
    """
    return len(s) == n and s.startswith(prefix) and s == s[::-1]
    """,
    "Find a palindrome of length n that starts with prefix.",
    ["""
    half = (prefix + "a" * n)[:(n + 1) // 2]
    return half + half[:n // 2][::-1]
    """],
    "Mirror the prefix; the answer is not unique.")

add("VowelCountNoRepeat:0", "easy", "train", "s", "str",
    [("n", 20), ("k", 7)],
    """
    return (len(s) == n and all("a" <= c <= "z" for c in s) and sum(c in "aeiou" for c in s) == k
            and all(s[i] != s[i + 1] for i in range(n - 1)))
    """,
    "Find a string of n lowercase letters containing exactly k vowels (a, e, i, o, u) in which no "
    "two neighbouring characters are equal.",
    ["""
    return ("ae" * k)[:k] + ("bc" * n)[:n - k]
    """],
    "String construction with two simple constraints.")

add("SumProductTriple:0", "easy", "train", "li", "List[int]",
    [("s", 37), ("p", 1100)],
    """
    return len(li) == 3 and all(x > 0 for x in li) and sum(li) == s and li[0] * li[1] * li[2] == p
    """,
    "Find three positive integers whose sum is s and whose product is p.",
    ["""
    for a in range(1, s):
        for b in range(1, s - a):
            c = s - a - b
            if a * b * c == p:
                return [a, b, c]
    """],
    "Small brute force over factorisations of p.")

add("ArgSort:0", "easy", "train", "perm", "List[int]",
    [("a", [41, 7, 23, 7, 99, -3, 15, 64, 23, 0])],
    """
    return sorted(perm) == list(range(len(a))) and all(a[perm[i]] <= a[perm[i + 1]] for i in range(len(a) - 1))
    """,
    "Find a permutation of the indices of a that lists the elements of a in non-decreasing order.",
    ["""
    return sorted(range(len(a)), key=lambda i: a[i])
    """],
    "Argsort; ties may be broken either way.")

add("RotationAmount:0", "easy", "heldout", "k", "int",
    [("a", [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]), ("b", [6, 5, 3, 5, 3, 1, 4, 1, 5, 9, 2])],
    """
    return 0 <= k < len(a) and a[k:] + a[:k] == b
    """,
    "Find k with 0 <= k < len(a) such that rotating a left by k positions gives b.",
    ["""
    return next(k for k in range(len(a)) if a[k:] + a[:k] == b)
    """],
    "List rotation.")

add("CommonPoint:0", "easy", "train", "x", "int",
    [("intervals", [[3, 40], [10, 25], [-5, 18], [12, 90], [15, 31]])],
    """
    return all(lo <= x <= hi for lo, hi in intervals)
    """,
    "Find an integer that lies in every closed interval [lo, hi] of the list intervals.",
    ["""
    return max(lo for lo, hi in intervals)
    """],
    "Intersection of intervals is [max lo, min hi].")

add("CaesarKey:0", "easy", "train", "k", "int",
    [("plain", "meetmeatthebridge"), ("cipher", "xppexpleespmctorp")],
    """
    return 0 <= k < 26 and "".join(chr((ord(c) - 97 + k) % 26 + 97) for c in plain) == cipher
    """,
    "Find the shift k (0 <= k < 26) such that shifting every letter of plain forward by k places "
    "in the alphabet, wrapping from z to a, gives cipher.",
    ["""
    return (ord(cipher[0]) - ord(plain[0])) % 26
    """],
    "Caesar cipher key recovery.")

add("BinaryWeightMultiple:0", "easy", "heldout", "n", "int",
    [("ones", 7), ("m", 3), ("lo", 5000), ("hi", 5200)],
    """
    return lo <= n <= hi and bin(n).count("1") == ones and n % m == 0
    """,
    "Find an integer n with lo <= n <= hi that is a multiple of m and has exactly `ones` one-bits "
    "in binary.",
    ["""
    return next(n for n in range(lo, hi + 1) if bin(n).count("1") == ones and n % m == 0)
    """],
    "Popcount and divisibility in a range.")

nums = list(range(16)); nums.remove(11); R.shuffle(nums)
add("MissingNumber:0", "easy", "train", "x", "int",
    [("nums", nums)],
    """
    return 0 <= x <= len(nums) and x not in nums
    """,
    "nums holds all but one of the integers 0, 1, ..., len(nums). Find the one that is missing.",
    ["""
    return len(nums) * (len(nums) + 1) // 2 - sum(nums)
    """,
     """
    return next(x for x in range(len(nums) + 1) if x not in nums)
    """],
    "Sum trick or direct search.")

add("Interleave:0", "easy", "train", "s", "str",
    [("a", "cuil"), ("b", "rcbe")],
    """
    return s[::2] == a and s[1::2] == b
    """,
    "Find a string whose characters at even positions spell a and whose characters at odd "
    "positions spell b.",
    ["""
    return "".join(x + y for x, y in zip(a, b)) + a[len(b):]
    """],
    "Interleave two strings.")

add("TwoSquares:0", "easy", "heldout", "xy", "List[int]",
    [("n", 9061)],
    """
    return len(xy) == 2 and 0 < xy[0] < xy[1] and xy[0] ** 2 + xy[1] ** 2 == n
    """,
    "Find positive integers x < y with x*x + y*y == n, given as the list [x, y].",
    ["""
    for x in range(1, int(n ** 0.5) + 1):
        y = int((n - x * x) ** 0.5)
        while y * y < n - x * x:
            y += 1
        if x < y and x * x + y * y == n:
            return [x, y]
    """],
    "Sum of two squares by scanning x.")

add("ParenDepth:0", "easy", "train", "s", "str",
    [("n", 10), ("d", 4)],
    """
    if len(s) != 2 * n or any(c not in "()" for c in s):
        return False
    depth = best = 0
    for c in s:
        depth += 1 if c == "(" else -1
        if depth < 0:
            return False
        best = max(best, depth)
    return depth == 0 and best == d
    """,
    "Find a balanced string of n pairs of parentheses whose maximum nesting depth is exactly d.",
    ["""
    return "(" * d + ")" * d + "()" * (n - d)
    """],
    "Balanced parentheses with a depth constraint.")

votes = [3] * 12 + [8, 5, 9, 1, 8, 2, 7, 5, 8, 1]
R.shuffle(votes)
add("MajorityVote:0", "easy", "train", "x", "int",
    [("votes", votes)],
    """
    return votes.count(x) * 2 > len(votes)
    """,
    "Find the value that occurs in more than half of the entries of votes.",
    ["""
    return max(set(votes), key=votes.count)
    """,
     """
    cand, cnt = None, 0
    for v in votes:
        if cnt == 0:
            cand = v
        cnt += 1 if v == cand else -1
    return cand
    """],
    "Majority element (Boyer-Moore works).")

add("RunLengthDecode:0", "easy", "heldout", "s", "str",
    [("runs", [["a", 3], ["b", 1], ["z", 4], ["a", 2], ["q", 5]])],
    """
    enc = []
    for c in s:
        if enc and enc[-1][0] == c:
            enc[-1][1] += 1
        else:
            enc.append([c, 1])
    return enc == runs
    """,
    "Find the string whose run-length encoding, as a list of [character, count] pairs of maximal "
    "runs, equals runs.",
    ["""
    return "".join(c * k for c, k in runs)
    """],
    "Run-length decoding.")

# ---------------------------------------------------------------- MEDIUM
def bfs(adj, s):
    d = {s: 0}; q = deque([s])
    while q:
        u = q.popleft()
        for v in adj[u]:
            if v not in d:
                d[v] = d[u] + 1; q.append(v)
    return d

nums = [R.randrange(100, 1000) for _ in range(20)]
target = sum(R.sample(nums, 8))
add("SubsetSumIndices:0", "medium", "train", "idx", "List[int]",
    [("nums", nums), ("target", target)],
    """
    return (len(set(idx)) == len(idx) and all(0 <= i < len(nums) for i in idx)
            and sum(nums[i] for i in idx) == target)
    """,
    "Find a list of distinct indices into nums such that the selected numbers add up to target.",
    ["""
    reach = {0: []}
    for i, x in enumerate(nums):
        for s, idx in list(reach.items()):
            if s + x <= target and s + x not in reach:
                reach[s + x] = idx + [i]
    return reach[target]
    """],
    "Subset sum; checking is easy, finding needs DP over sums.")

while True:
    n = 24; adj = [set() for _ in range(n)]
    for _ in range(36):
        u, v = R.sample(range(n), 2); adj[u].add(v); adj[v].add(u)
    adj = [sorted(a) for a in adj]
    d = bfs(adj, 0)
    if len(d) == n and d[n - 1] >= 6:
        break
add("ShortestPath:0", "medium", "train", "path", "List[int]",
    [("adj", adj), ("start", 0), ("end", n - 1), ("max_edges", d[n - 1])],
    """
    return (len(path) >= 1 and path[0] == start and path[-1] == end and len(path) - 1 <= max_edges
            and all(path[i + 1] in adj[path[i]] for i in range(len(path) - 1)))
    """,
    "The undirected graph is given by adjacency lists adj. Find a path (a list of vertices) from "
    "start to end that uses at most max_edges edges.",
    ["""
    parent = {start: None}
    queue = [start]
    for u in queue:
        for v in adj[u]:
            if v not in parent:
                parent[v] = u
                queue.append(v)
    path = [end]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return path[::-1]
    """],
    "BFS shortest path; max_edges equals the true distance.")

a = [R.randrange(100) for _ in range(30)]
L = [1] * 30
for i in range(30):
    for j in range(i):
        if a[j] < a[i]:
            L[i] = max(L[i], L[j] + 1)
add("LongestIncreasing:0", "medium", "heldout", "idx", "List[int]",
    [("a", a), ("k", max(L))],
    """
    return (len(idx) == k and all(0 <= i < len(a) for i in idx)
            and all(idx[j] < idx[j + 1] and a[idx[j]] < a[idx[j + 1]] for j in range(k - 1)))
    """,
    "Find k increasing indices i_1 < i_2 < ... < i_k such that a[i_1] < a[i_2] < ... < a[i_k] "
    "(k is the length of the longest strictly increasing subsequence).",
    ["""
    n = len(a)
    best = [1] * n
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if a[j] < a[i] and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    i = max(range(n), key=lambda t: best[t])
    out = []
    while i != -1:
        out.append(i)
        i = prev[i]
    return out[::-1]
    """],
    "Longest increasing subsequence via O(n^2) DP.")

denoms, amount = [1, 7, 10, 22], 93
dp = [0] + [10 ** 9] * amount
for x in range(1, amount + 1):
    dp[x] = min(dp[x - c] + 1 for c in denoms if c <= x)
add("FewestCoins:0", "medium", "train", "coins", "List[int]",
    [("denoms", denoms), ("amount", amount), ("max_count", dp[amount])],
    """
    return all(c in denoms for c in coins) and sum(coins) == amount and len(coins) <= max_count
    """,
    "Find a list of at most max_count coins, each a value from denoms (repeats allowed), that add "
    "up to amount.",
    ["""
    best = {0: []}
    for x in range(1, amount + 1):
        opts = [best[x - c] + [c] for c in denoms if c <= x and x - c in best]
        if opts:
            best[x] = min(opts, key=len)
    return best[amount]
    """],
    "Coin change; the greedy choice uses too many coins.")

w = [R.randrange(5, 40) for _ in range(15)]; v = [R.randrange(10, 90) for _ in range(15)]; cap = 120
kd = [0] * (cap + 1)
for wi, vi in zip(w, v):
    for c in range(cap, wi - 1, -1):
        kd[c] = max(kd[c], kd[c - wi] + vi)
add("Knapsack:0", "medium", "train", "take", "List[int]",
    [("weights", w), ("values", v), ("cap", cap), ("goal", kd[cap])],
    """
    return (len(set(take)) == len(take) and all(0 <= i < len(weights) for i in take)
            and sum(weights[i] for i in take) <= cap and sum(values[i] for i in take) >= goal)
    """,
    "Choose distinct item indices whose total weight is at most cap and whose total value is at "
    "least goal (goal is the best achievable value).",
    ["""
    best = {0: (0, [])}
    for i, (w, v) in enumerate(zip(weights, values)):
        for cw, (cv, items) in list(best.items()):
            nw = cw + w
            if nw <= cap and (nw not in best or best[nw][0] < cv + v):
                best[nw] = (cv + v, items + [i])
    return max(best.values())[1]
    """],
    "0/1 knapsack at its optimum.")

n = 18
perm = list(range(n)); R.shuffle(perm)
side = {perm[i]: i % 2 for i in range(n)}
order = perm[:]
E = set()
for i in range(n - 1):  # a spanning tree between sides first
    u = order[i + 1]
    cands = [order[j] for j in range(i + 1) if side[order[j]] != side[u]]
    if cands:
        E.add(tuple(sorted((u, R.choice(cands)))))
while len(E) < 30:
    u, x = R.sample(range(n), 2)
    if side[u] != side[x]:
        E.add(tuple(sorted((u, x))))
adj = [sorted([y for e in E for y in e if u in e and y != u]) for u in range(n)]
add("TwoColoring:0", "medium", "train", "colors", "List[int]",
    [("adj", adj)],
    """
    return (len(colors) == len(adj) and all(c in (0, 1) for c in colors)
            and all(colors[u] != colors[v] for u in range(len(adj)) for v in adj[u]))
    """,
    "Colour the vertices of the undirected graph (adjacency lists adj) with colours 0 and 1 so "
    "that every edge joins vertices of different colours.",
    ["""
    colors = [-1] * len(adj)
    for s in range(len(adj)):
        if colors[s] == -1:
            colors[s] = 0
            stack = [s]
            while stack:
                u = stack.pop()
                for v in adj[u]:
                    if colors[v] == -1:
                        colors[v] = 1 - colors[u]
                        stack.append(v)
    return colors
    """],
    "Bipartite 2-colouring by graph search.")

perm = list(range(12)); R.shuffle(perm)
E = set()
while len(E) < 20:
    i, j = sorted(R.sample(range(12), 2)); E.add((perm[i], perm[j]))
edges = [list(e) for e in E]; R.shuffle(edges)
add("TopologicalOrder:0", "medium", "heldout", "order", "List[int]",
    [("n", 12), ("edges", edges)],
    """
    if sorted(order) != list(range(n)):
        return False
    pos = {v: i for i, v in enumerate(order)}
    return all(pos[a] < pos[b] for a, b in edges)
    """,
    "Order the vertices 0..n-1 so that for every directed edge [a, b] in edges, a comes before b.",
    ["""
    indeg = [0] * n
    out = [[] for _ in range(n)]
    for a, b in edges:
        out[a].append(b)
        indeg[b] += 1
    order = [v for v in range(n) if indeg[v] == 0]
    for u in order:
        for v in out[u]:
            indeg[v] -= 1
            if indeg[v] == 0:
                order.append(v)
    return order
    """],
    "Topological sort (Kahn).")

add("FactorSemiprime:0", "medium", "train", "d", "int",
    [("n", 665007250009)],
    """
    return 1 < d < n and n % d == 0
    """,
    "Find a divisor d of n with 1 < d < n.",
    ["""
    if n % 2 == 0:
        return 2
    d = 3
    while n % d:
        d += 2
    return d
    """],
    "n is a product of two 6-digit primes; trial division up to the smaller one suffices.")

mods = [1009, 2003, 3001, 4001, 5003]; rems = [R.randrange(m) for m in mods]
add("ChineseRemainder:0", "medium", "train", "x", "int",
    [("mods", mods), ("rems", rems)],
    """
    return x >= 0 and all(x % m == r for m, r in zip(mods, rems))
    """,
    "Find a non-negative integer x such that x % mods[i] == rems[i] for every i.",
    ["""
    x, step = 0, 1
    for m, r in zip(mods, rems):
        while x % m != r:
            x += step
        step *= m
    return x
    """,
     """
    M = 1
    for m in mods:
        M *= m
    return sum(r * (M // m) * pow(M // m, -1, m) for m, r in zip(mods, rems)) % M
    """],
    "CRT; the product of the moduli (~1.2e17) rules out a plain scan.")

s1 = "".join(R.choice("acgt") for _ in range(28)); s2 = "".join(R.choice("acgt") for _ in range(30))
D = [[0] * (len(s2) + 1) for _ in range(len(s1) + 1)]
for i in range(len(s1)):
    for j in range(len(s2)):
        D[i + 1][j + 1] = D[i][j] + 1 if s1[i] == s2[j] else max(D[i][j + 1], D[i + 1][j])
add("CommonSubsequence:0", "medium", "train", "s", "str",
    [("a", s1), ("b", s2), ("k", D[-1][-1])],
    """
    def sub(t, u):
        it = iter(u)
        return all(c in it for c in t)
    return len(s) >= k and sub(s, a) and sub(s, b)
    """,
    "Find a string of length at least k that is a subsequence of both a and b (k is the length of "
    "their longest common subsequence).",
    ["""
    n, m = len(a), len(b)
    D = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            D[i][j] = D[i + 1][j + 1] + 1 if a[i] == b[j] else max(D[i + 1][j], D[i][j + 1])
    i = j = 0
    out = []
    while i < n and j < m:
        if a[i] == b[j]:
            out.append(a[i]); i += 1; j += 1
        elif D[i + 1][j] >= D[i][j + 1]:
            i += 1
        else:
            j += 1
    return "".join(out)
    """],
    "Longest common subsequence DP with reconstruction.")

add("QueensWithFixed:0", "medium", "heldout", "cols", "List[int]",
    [("n", 8), ("row", 2), ("col", 0)],
    """
    return (len(cols) == n and sorted(cols) == list(range(n)) and cols[row] == col
            and len({r + c for r, c in enumerate(cols)}) == n and len({r - c for r, c in enumerate(cols)}) == n)
    """,
    "Place n non-attacking queens on an n x n board, one per row: cols[r] is the column of the "
    "queen in row r. The queen of row `row` must stand in column `col`.",
    ["""
    cols = [-1] * n
    def place(r):
        if r == n:
            return True
        options = [col] if r == row else range(n)
        for c in options:
            if all(cols[q] != c and abs(cols[q] - c) != r - q for q in range(r)):
                cols[r] = c
                if place(r + 1):
                    return True
        cols[r] = -1
        return False
    place(0)
    return cols
    """],
    "N-queens by backtracking with one forced square.")

while True:
    H, W = 9, 11
    g = [["#" if R.random() < 0.33 else "." for _ in range(W)] for _ in range(H)]
    g[0][0] = g[H - 1][W - 1] = "."
    g = ["".join(r) for r in g]
    dist = {(0, 0): 0}; q = deque([(0, 0)])
    while q:
        r, c = q.popleft()
        for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
            y, x = r + dr, c + dc
            if 0 <= y < H and 0 <= x < W and g[y][x] == "." and (y, x) not in dist:
                dist[(y, x)] = dist[(r, c)] + 1; q.append((y, x))
    if (H - 1, W - 1) in dist and dist[(H - 1, W - 1)] >= H + W - 2 + 6:
        break
add("MazeShortest:0", "medium", "train", "moves", "str",
    [("grid", g), ("max_moves", dist[(H - 1, W - 1)])],
    """
    r = c = 0
    if len(moves) > max_moves:
        return False
    for m in moves:
        if m not in "UDLR":
            return False
        r += (m == "D") - (m == "U")
        c += (m == "R") - (m == "L")
        if not (0 <= r < len(grid) and 0 <= c < len(grid[0])) or grid[r][c] == "#":
            return False
    return (r, c) == (len(grid) - 1, len(grid[0]) - 1)
    """,
    "Walk from the top-left cell to the bottom-right cell of grid ('#' is a wall) using moves "
    "'U', 'D', 'L', 'R', never leaving the grid or entering a wall, in at most max_moves moves.",
    ["""
    H, W = len(grid), len(grid[0])
    prev = {(0, 0): None}
    queue = [(0, 0)]
    for r, c in queue:
        for m, dr, dc in (("D", 1, 0), ("U", -1, 0), ("R", 0, 1), ("L", 0, -1)):
            y, x = r + dr, c + dc
            if 0 <= y < H and 0 <= x < W and grid[y][x] != "#" and (y, x) not in prev:
                prev[(y, x)] = ((r, c), m)
                queue.append((y, x))
    out = []
    cell = (H - 1, W - 1)
    while prev[cell] is not None:
        cell, m = prev[cell]
        out.append(m)
    return "".join(out[::-1])
    """],
    "Grid BFS; max_moves is the exact shortest length, so monotone paths do not work.")

add("PrimeMagicSquare:0", "medium", "train", "sq", "List[List[int]]",
    [("bound", 120)],
    """
    if len(sq) != 3 or any(len(row) != 3 for row in sq):
        return False
    vals = [x for row in sq for x in row]
    if len(set(vals)) != 9 or any(v < 2 or v >= bound or any(v % d == 0 for d in range(2, int(v ** 0.5) + 1)) for v in vals):
        return False
    lines = sq + [list(c) for c in zip(*sq)] + [[sq[i][i] for i in range(3)], [sq[i][2 - i] for i in range(3)]]
    return all(sum(line) == sum(sq[0]) for line in lines)
    """,
    "Find a 3x3 magic square (all rows, columns and both diagonals have the same sum) whose nine "
    "entries are distinct primes, each less than bound.",
    ["""
    ps = {p for p in range(2, bound) if all(p % d for d in range(2, int(p ** 0.5) + 1))}
    for c in sorted(ps):
        for a in range(1, c):
            for b in range(1, c):
                sq = [[c - b, c + a + b, c - a], [c - a + b, c, c + a - b], [c + a, c - a - b, c + b]]
                vals = [v for row in sq for v in row]
                if len(set(vals)) == 9 and all(v in ps for v in vals):
                    return sq
    """],
    "Uses the 3-parameter form of 3x3 magic squares; the bound admits only a few prime squares.")

while True:
    m = list(range(10)); R.shuffle(m)
    adj = []
    for i in range(10):
        adj.append(sorted({m[i]} | set(R.sample(range(10), R.randint(1, 2)))))
    used = set(); ok = True
    for i in range(10):
        c = [x for x in adj[i] if x not in used]
        if not c:
            ok = False; break
        used.add(c[0])
    if not ok:
        break
add("PerfectMatching:0", "medium", "train", "match", "List[int]",
    [("adj", adj)],
    """
    return (len(match) == len(adj) and len(set(match)) == len(adj)
            and all(match[i] in adj[i] for i in range(len(adj))))
    """,
    "Worker i can do any job in adj[i]. Assign each worker a different job: match[i] is worker "
    "i's job.",
    ["""
    owner = {}
    def augment(i, seen):
        for j in adj[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False
    for i in range(len(adj)):
        augment(i, set())
    match = [0] * len(adj)
    for j, i in owner.items():
        match[i] = j
    return match
    """],
    "Bipartite perfect matching; taking the first free job greedily fails on this instance.")

n = 10; ws = R.sample(range(1, 60), 26); es = []
for i in range(1, n):
    es.append([R.randrange(i), i])
while len(es) < 26:
    u, x = sorted(R.sample(range(n), 2))
    if [u, x] not in es:
        es.append([u, x])
R.shuffle(es); es = [[u, x, wt] for (u, x), wt in zip(es, ws)]
par = list(range(n))
def find(x):
    while par[x] != x:
        x = par[x]
    return x
tot = 0
for u, x, wt in sorted(es, key=lambda e: e[2]):
    ra, rb = find(u), find(x)
    if ra != rb:
        par[ra] = rb; tot += wt
add("SpanningTreeBudget:0", "medium", "heldout", "tree", "List[int]",
    [("n", n), ("edges", es), ("budget", tot)],
    """
    if len(tree) != n - 1 or len(set(tree)) != n - 1 or not all(0 <= i < len(edges) for i in tree):
        return False
    root = list(range(n))
    def find(x):
        while root[x] != x:
            x = root[x]
        return x
    for i in tree:
        a, b = find(edges[i][0]), find(edges[i][1])
        if a == b:
            return False
        root[a] = b
    return sum(edges[i][2] for i in tree) <= budget
    """,
    "edges lists weighted undirected edges [u, v, w] on vertices 0..n-1. Give the indices of "
    "edges forming a spanning tree of total weight at most budget.",
    ["""
    root = list(range(n))
    def find(x):
        while root[x] != x:
            x = root[x]
        return x
    tree = []
    for i in sorted(range(len(edges)), key=lambda i: edges[i][2]):
        a, b = find(edges[i][0]), find(edges[i][1])
        if a != b:
            root[a] = b
            tree.append(i)
    return tree
    """],
    "Minimum spanning tree (Kruskal); budget is the MST weight.")

add("LongCollatz:0", "medium", "train", "n", "int",
    [("limit", 10000), ("length", 250)],
    """
    if not 0 < n < limit:
        return False
    x, steps = n, 0
    while x != 1:
        x = x // 2 if x % 2 == 0 else 3 * x + 1
        steps += 1
    return steps >= length
    """,
    "Find a positive integer n below limit whose Collatz trajectory (halve if even, else 3n+1) "
    "needs at least `length` steps to reach 1.",
    ["""
    def steps(x):
        s = 0
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            s += 1
        return s
    return max(range(1, limit), key=steps)
    """],
    "Only a handful of starting values below 10000 reach 250 steps.")

while True:
    nums = [R.randrange(10, 200) for _ in range(16)]
    if sum(nums) % 2:
        continue
    reach = {0}
    for x in nums:
        reach |= {r + x for r in reach}
    if sum(nums) // 2 in reach:
        break
add("EqualPartition:0", "medium", "train", "side", "List[int]",
    [("nums", nums)],
    """
    return (len(side) == len(nums) and all(x in (0, 1) for x in side)
            and sum(v for v, x in zip(nums, side) if x) * 2 == sum(nums))
    """,
    "Split nums into two groups of equal sum: side[i] (0 or 1) names the group of nums[i].",
    ["""
    half = sum(nums) // 2
    reach = {0: []}
    for i, x in enumerate(nums):
        for s, idx in list(reach.items()):
            if s + x <= half and s + x not in reach:
                reach[s + x] = idx + [i]
    chosen = set(reach[half])
    return [1 if i in chosen else 0 for i in range(len(nums))]
    """],
    "Partition problem via subset-sum DP.")

words = ["cold", "cord", "card", "ward", "warm", "word", "worm", "corm", "coed", "bold", "bolt",
         "boat", "coat", "cost", "wart", "cart", "core", "wore", "ware", "worn", "warn", "wold",
         "gold", "golf", "wolf", "wand", "wind", "mold", "mild", "wild"]
R.shuffle(words)
add("WordLadder:0", "medium", "heldout", "ladder", "List[str]",
    [("words", words), ("start", "cold"), ("end", "warm"), ("max_words", 5)],
    """
    return (1 <= len(ladder) <= max_words and ladder[0] == start and ladder[-1] == end
            and all(w in words for w in ladder)
            and all(len(x) == len(y) and sum(p != q for p, q in zip(x, y)) == 1 for x, y in zip(ladder, ladder[1:])))
    """,
    "Find a list of at most max_words words from words, beginning with start and ending with end, "
    "in which consecutive words have equal length and differ in exactly one letter.",
    ["""
    prev = {start: None}
    queue = [start]
    for w in queue:
        for x in words:
            if x not in prev and len(x) == len(w) and sum(p != q for p, q in zip(w, x)) == 1:
                prev[x] = w
                queue.append(x)
    out = [end]
    while prev[out[-1]] is not None:
        out.append(prev[out[-1]])
    return out[::-1]
    """],
    "Word ladder BFS over a small dictionary.")

add("PrimeQuadruplet:0", "medium", "train", "p", "int",
    [("lower", 1000000)],
    """
    def prime(q):
        return q > 1 and all(q % d for d in range(2, int(q ** 0.5) + 1))
    return p > lower and all(prime(p + k) for k in (0, 2, 6, 8))
    """,
    "Find p greater than lower such that p, p + 2, p + 6 and p + 8 are all prime.",
    ["""
    def prime(q):
        return q > 1 and all(q % d for d in range(2, int(q ** 0.5) + 1))
    p = lower + 1
    while not all(prime(p + k) for k in (0, 2, 6, 8)):
        p += 1
    return p
    """],
    "Prime quadruplets; every one above 5 is 11 mod 30, which speeds up the search.")

add("TaxicabNumber:0", "medium", "train", "abcd", "List[int]",
    [("lower", 10000)],
    """
    if len(abcd) != 4 or min(abcd) <= 0:
        return False
    a, b, c, d = abcd
    return a ** 3 + b ** 3 == c ** 3 + d ** 3 > lower and sorted([a, b]) != sorted([c, d])
    """,
    "Find positive integers [a, b, c, d] with a^3 + b^3 == c^3 + d^3 > lower where {a, b} and "
    "{c, d} are different pairs.",
    ["""
    seen = {}
    for a in range(1, 100):
        for b in range(a, 100):
            s = a ** 3 + b ** 3
            if s > lower:
                if s in seen:
                    return list(seen[s]) + [a, b]
                seen[s] = (a, b)
    """],
    "Numbers expressible as a sum of two cubes in two ways; search with a dictionary.")

add("DeBruijnBinary:0", "medium", "heldout", "s", "str",
    [("n", 5)],
    """
    return (len(s) == 2 ** n + n - 1 and all(c in "01" for c in s)
            and len({s[i:i + n] for i in range(2 ** n)}) == 2 ** n)
    """,
    "Find a binary string of length 2**n + n - 1 that contains every binary string of length n "
    "as a substring.",
    ["""
    s = "0" * n
    seen = {s}
    while True:
        for b in "10":
            t = s[len(s) - n + 1:] + b
            if t not in seen:
                seen.add(t)
                s += b
                break
        else:
            return s
    """],
    "De Bruijn sequence; the prefer-one greedy builds it.")

# ---------------------------------------------------------------- HARD
add("PellEquation:0", "hard", "train", "xy", "List[int]",
    [("d", 109)],
    """
    return len(xy) == 2 and xy[1] > 0 and xy[0] ** 2 - d * xy[1] ** 2 == 1
    """,
    "Find integers [x, y] with y > 0 such that x*x - d*y*y == 1.",
    ["""
    a0 = int(d ** 0.5)
    while a0 * a0 > d:
        a0 -= 1
    while (a0 + 1) ** 2 <= d:
        a0 += 1
    m, q, a = 0, 1, a0
    p0, p1 = 1, a0
    q0, q1 = 0, 1
    while p1 * p1 - d * q1 * q1 != 1:
        m = q * a - m
        q = (d - m * m) // q
        a = (a0 + m) // q
        p0, p1 = p1, a * p1 + p0
        q0, q1 = q1, a * q1 + q0
    return [p1, q1]
    """],
    "The smallest solution for d=109 has 15 digits; continued fractions of sqrt(d) find it.")

add("KnightTour:0", "hard", "train", "tour", "List[int]",
    [("n", 7), ("start", 24)],
    """
    if sorted(tour) != list(range(n * n)) or tour[0] != start:
        return False
    return all({abs(a // n - b // n), abs(a % n - b % n)} == {1, 2} for a, b in zip(tour, tour[1:]))
    """,
    "Find an open knight's tour of the n x n board: a list of all n*n cells (cell r*n + c) "
    "starting at start in which each step is a knight move.",
    ["""
    def moves(v):
        r, c = divmod(v, n)
        out = []
        for dr, dc in ((1, 2), (2, 1), (-1, 2), (-2, 1), (1, -2), (2, -1), (-1, -2), (-2, -1)):
            y, x = r + dr, c + dc
            if 0 <= y < n and 0 <= x < n:
                out.append(y * n + x)
        return out
    nbrs = [moves(v) for v in range(n * n)]
    tour = [start]
    used = {start}
    def go():
        if len(tour) == n * n:
            return True
        cands = [w for w in nbrs[tour[-1]] if w not in used]
        cands.sort(key=lambda w: sum(x not in used for x in nbrs[w]))
        for w in cands:
            tour.append(w); used.add(w)
            if go():
                return True
            tour.pop(); used.discard(w)
        return False
    go()
    return tour
    """],
    "Knight's tour from the centre of a 7x7 board; Warnsdorff ordering plus backtracking.")

goal = (1, 2, 3, 4, 5, 6, 7, 8, 0)
depth = {goal: 0}; q = deque([goal])
while q:
    st = q.popleft(); z = st.index(0); r, c = divmod(z, 3)
    for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        y, x = r + dr, c + dc
        if 0 <= y < 3 and 0 <= x < 3:
            l = list(st); t = y * 3 + x; l[z], l[t] = l[t], l[z]; t2 = tuple(l)
            if t2 not in depth:
                depth[t2] = depth[st] + 1; q.append(t2)
far = sorted(s for s, dd in depth.items() if dd == 24)
start = list(R.choice(far))
add("SlidingPuzzle:0", "hard", "heldout", "moves", "str",
    [("start", start), ("max_moves", 24)],
    """
    board = list(start)
    z = board.index(0)
    if len(moves) > max_moves:
        return False
    for m in moves:
        r, c = divmod(z, 3)
        if m == "U" and r > 0:
            t = z - 3
        elif m == "D" and r < 2:
            t = z + 3
        elif m == "L" and c > 0:
            t = z - 1
        elif m == "R" and c < 2:
            t = z + 1
        else:
            return False
        board[z], board[t] = board[t], board[z]
        z = t
    return board == [1, 2, 3, 4, 5, 6, 7, 8, 0]
    """,
    "Solve the 8-puzzle: start lists a 3x3 board row by row with 0 as the blank. Each move "
    "'U', 'D', 'L', 'R' slides the blank one cell in that direction. Reach [1, 2, 3, 4, 5, 6, 7, 8, 0] "
    "in at most max_moves moves.",
    ["""
    goal = (1, 2, 3, 4, 5, 6, 7, 8, 0)
    s = tuple(start)
    prev = {s: None}
    queue = [s]
    for st in queue:
        if st == goal:
            break
        z = st.index(0)
        r, c = divmod(z, 3)
        for m, dr, dc in (("U", -1, 0), ("D", 1, 0), ("L", 0, -1), ("R", 0, 1)):
            y, x = r + dr, c + dc
            if 0 <= y < 3 and 0 <= x < 3:
                b = list(st)
                t = y * 3 + x
                b[z], b[t] = b[t], b[z]
                b = tuple(b)
                if b not in prev:
                    prev[b] = (st, m)
                    queue.append(b)
    out = []
    st = goal
    while prev[st] is not None:
        st, m = prev[st]
        out.append(m)
    return "".join(out[::-1])
    """],
    "8-puzzle at optimal length 24; BFS over the 181440 reachable states.")

add("SqrtModPrime:0", "hard", "train", "x", "int",
    [("a", 126053265099187766), ("p", 1257858683282391041)],
    """
    return 0 <= x < p and x * x % p == a
    """,
    "p is a prime. Find x with 0 <= x < p and x*x % p == a.",
    ["""
    q, s = p - 1, 0
    while q % 2 == 0:
        q //= 2
        s += 1
    z = 2
    while pow(z, (p - 1) // 2, p) != p - 1:
        z += 1
    m, c, t, r = s, pow(z, q, p), pow(a, q, p), pow(a, (q + 1) // 2, p)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2 = t2 * t2 % p
            i += 1
        b = pow(c, 1 << (m - i - 1), p)
        m, c, t, r = i, b * b % p, t * b * b % p, r * b % p
    return r
    """],
    "Modular square root with p - 1 divisible by 2^20, so the easy p = 3 mod 4 formula fails; "
    "Tonelli-Shanks works.")

add("FactorLarge:0", "hard", "train", "d", "int",
    [("n", 543551296359411707)],
    """
    return 1 < d < n and n % d == 0
    """,
    "Find a divisor d of n with 1 < d < n.",
    ["""
    def gcd(a, b):
        while b:
            a, b = b, a % b
        return a
    for c in range(1, 100):
        f = lambda v: (v * v + c) % n
        x = y = 2
        g = 1
        while g == 1:
            x = f(x)
            y = f(f(y))
            g = gcd(abs(x - y), n)
        if g != n:
            return g
    """],
    "n is a product of two 9-digit primes; Pollard's rho takes ~1e4 steps, trial division ~6e8.")

add("GolombRuler:0", "hard", "heldout", "marks", "List[int]",
    [("m", 7), ("length", 25)],
    """
    return (len(marks) == m and marks[0] == 0 and marks[-1] == length
            and all(marks[i] < marks[i + 1] for i in range(m - 1))
            and len({b - a for i, a in enumerate(marks) for b in marks[i + 1:]}) == m * (m - 1) // 2)
    """,
    "Find an increasing list of m integers from 0 to length in which all pairwise differences are "
    "distinct (a Golomb ruler; 25 is the shortest possible length for 7 marks).",
    ["""
    marks = [0]
    diffs = set()
    def go():
        if len(marks) == m - 1:
            new = [length - x for x in marks]
            if length not in diffs and not (set(new) & diffs) and len(set(new)) == len(new):
                marks.append(length)
                return True
            return False
        for x in range(marks[-1] + 1, length):
            new = [x - y for y in marks]
            if not (set(new) & diffs):
                marks.append(x); diffs.update(new)
                if go():
                    return True
                marks.pop(); diffs.difference_update(new)
        return False
    go()
    return marks
    """],
    "Optimal Golomb ruler with 7 marks, found by backtracking on distinct differences.")

n = 30; colr = [R.randrange(3) for _ in range(n)]
E = set()
while len(E) < 70:
    u, x = sorted(R.sample(range(n), 2))
    if colr[u] != colr[x]:
        E.add((u, x))
edges3 = [list(e) for e in sorted(E)]
add("ThreeColoring:0", "hard", "train", "colors", "List[int]",
    [("n", n), ("edges", edges3)],
    """
    return (len(colors) == n and all(c in (0, 1, 2) for c in colors)
            and all(colors[u] != colors[v] for u, v in edges))
    """,
    "Colour the vertices 0..n-1 with colours 0, 1, 2 so that the two ends of every edge in edges "
    "get different colours.",
    ["""
    adj = [set() for _ in range(n)]
    for u, v in edges:
        adj[u].add(v)
        adj[v].add(u)
    colors = [-1] * n
    def go(left):
        if left == 0:
            return True
        v = max((u for u in range(n) if colors[u] == -1),
                key=lambda u: (len({colors[w] for w in adj[u]} - {-1}), len(adj[u])))
        for c in range(3):
            if all(colors[w] != c for w in adj[v]):
                colors[v] = c
                if go(left - 1):
                    return True
        colors[v] = -1
        return False
    go(n)
    return colors
    """],
    "Graph 3-colouring (NP-hard in general); planted instance solved by DSatur backtracking.")

n = 30; perm = list(range(n)); R.shuffle(perm)
E = set()
for i in range(n):
    E.add(tuple(sorted((perm[i], perm[(i + 1) % n]))))
while len(E) < n + 18:
    E.add(tuple(sorted(R.sample(range(n), 2))))
adjh = [sorted([y for e in E for y in e if u in e and y != u]) for u in range(n)]
add("HamiltonianCycle:0", "hard", "train", "cycle", "List[int]",
    [("adj", adjh)],
    """
    n = len(adj)
    return sorted(cycle) == list(range(n)) and all(cycle[(i + 1) % n] in adj[cycle[i]] for i in range(n))
    """,
    "Find a Hamiltonian cycle of the undirected graph with adjacency lists adj: an ordering of all "
    "vertices in which consecutive vertices, and the last and the first, are adjacent.",
    ["""
    n = len(adj)
    path = [0]
    used = [False] * n
    used[0] = True
    def go():
        if len(path) == n:
            return 0 in adj[path[-1]]
        u = path[-1]
        for v in sorted(adj[u], key=lambda v: sum(not used[w] for w in adj[v])):
            if not used[v]:
                used[v] = True
                path.append(v)
                if all(used[w] or sum(not used[x] or x == path[-1] or x == 0 for x in adj[w]) >= 2 for w in range(n)):
                    if go():
                        return True
                path.pop()
                used[v] = False
        return False
    go()
    return path
    """],
    "Hamiltonian cycle (NP-hard in general); planted cycle hidden among chords, found by pruned backtracking.")

add("HashPreimage:0", "hard", "train", "s", "str",
    [("n", 8), ("target", 123456789), ("base", 31), ("mod", 1000000007)],
    """
    if len(s) != n or not all("a" <= c <= "z" for c in s):
        return False
    h = 0
    for c in s:
        h = (h * base + ord(c)) % mod
    return h == target
    """,
    "Find a string of n lowercase letters whose polynomial hash, computed as h = (h * base + ord(c)) "
    "% mod over its characters starting from h = 0, equals target.",
    ["""
    from itertools import product
    letters = "abcdefghijklmnopqrstuvwxyz"
    k = n // 2
    def h(t):
        v = 0
        for c in t:
            v = (v * base + ord(c)) % mod
        return v
    right = {}
    for t in product(letters, repeat=n - k):
        right.setdefault(h(t), "".join(t))
    shift = pow(base, n - k, mod)
    for t in product(letters, repeat=k):
        need = (target - h(t) * shift) % mod
        if need in right:
            return "".join(t) + right[need]
    """],
    "Meet in the middle over 26^4 halves; brute force over 26^8 strings is far too slow.")

nv = 40; pl = [R.random() < 0.5 for _ in range(nv)]; cl = []
while len(cl) < 170:
    vs = R.sample(range(1, nv + 1), 3); c = [x if R.random() < 0.5 else -x for x in vs]
    if any(pl[abs(l) - 1] == (l > 0) for l in c):
        cl.append(c)
add("PlantedSAT:0", "hard", "heldout", "assign", "List[bool]",
    [("nvars", nv), ("clauses", cl)],
    """
    return len(assign) == nvars and all(any(assign[abs(l) - 1] == (l > 0) for l in c) for c in clauses)
    """,
    "Each clause is a list of non-zero integers: l > 0 means variable l is true, l < 0 means "
    "variable -l is false. Find a list of nvars booleans (assign[i] is variable i + 1) that "
    "satisfies at least one literal of every clause.",
    ["""
    def solve(assign, clauses):
        while True:
            simplified = []
            unit = None
            for c in clauses:
                if any(assign.get(abs(l)) == (l > 0) for l in c):
                    continue
                rest = [l for l in c if abs(l) not in assign]
                if not rest:
                    return None
                if len(rest) == 1:
                    unit = rest[0]
                simplified.append(rest)
            if unit is None:
                break
            assign[abs(unit)] = unit > 0
            clauses = simplified
        if not simplified:
            return assign
        counts = {}
        for c in simplified:
            for l in c:
                counts[l] = counts.get(l, 0) + 1
        lit = max(counts, key=counts.get)
        for val in (lit > 0, lit < 0):
            res = solve({**assign, abs(lit): val}, simplified)
            if res is not None:
                return res
        return None
    res = solve({}, clauses)
    return [res.get(v, False) for v in range(1, nvars + 1)]
    """],
    "Random 3-SAT near the threshold (170 clauses, 40 variables) with a planted solution; DPLL solves it.")

add("DiscreteLog:0", "hard", "train", "x", "int",
    [("g", 31), ("h", 86952328664), ("p", 119458102319)],
    """
    return 0 <= x < p - 1 and pow(g, x, p) == h
    """,
    "p is a prime and g generates the multiplicative group mod p. Find x with 0 <= x < p - 1 and "
    "pow(g, x, p) == h.",
    ["""
    m = int((p - 1) ** 0.5) + 1
    table = {}
    e = 1
    for j in range(m):
        table.setdefault(e, j)
        e = e * g % p
    step = pow(g, -m, p)
    y = h
    for i in range(m + 1):
        if y in table:
            return (i * m + table[y]) % (p - 1)
        y = y * step % p
    """],
    "Baby-step giant-step with ~3.5e5 steps; p - 1 = 2q with q prime, so Pohlig-Hellman does not help.")

json.dump(P, open("/work/main/puzzles/p3/puzzles.json", "w"), indent=2)
from collections import Counter
print(len(P), Counter((p["difficulty"], p["split"]) for p in P))
