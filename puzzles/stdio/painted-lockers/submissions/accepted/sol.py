import sys
from math import gcd


def count(lo, hi, m):
    return hi // m - (lo - 1) // m


def main():
    data = sys.stdin.buffer.read().split()
    t = int(data[0])
    out = []
    for i in range(t):
        lo, hi, a, b = map(int, data[1 + 4 * i:5 + 4 * i])
        lcm = a // gcd(a, b) * b
        out.append(count(lo, hi, a) + count(lo, hi, b) - 2 * count(lo, hi, lcm))
    sys.stdout.write("\n".join(map(str, out)) + "\n")


main()
