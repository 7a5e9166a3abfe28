import sys
from itertools import accumulate


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    rain = list(map(int, data[2:2 + n]))
    total = [0] + list(accumulate(rain))
    dry = [0] + list(accumulate(1 if x == 0 else 0 for x in rain))
    ls = map(int, data[2 + n::2])
    rs = map(int, data[3 + n::2])
    out = ["%d %d" % (total[r] - total[l - 1], dry[r] - dry[l - 1]) for l, r in zip(ls, rs)]
    sys.stdout.write("\n".join(out) + "\n")


main()
