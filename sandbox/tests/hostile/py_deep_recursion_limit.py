# expect: AC
# output: 50000
# Raising the recursion limit for a legitimately deep recursion works.
import sys
sys.setrecursionlimit(200000)
def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)
print(depth(50000))
