import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    minute = {"%02d:%02d" % (m // 60, m % 60): m for m in range(1440)}
    fee_of = [0 if d <= 15 else min(20, 2 * ((d + 29) // 30)) for d in range(1440)]
    total = {}
    get = total.get
    for p, a, b in zip(data[1:3 * n + 1:3], data[2:3 * n + 1:3], data[3:3 * n + 1:3]):
        total[p] = get(p, 0) + fee_of[minute[b] - minute[a]]
    out = ["%s %d" % (p, total[p]) for p in sorted(total)]
    sys.stdout.write("\n".join(out) + "\n")


main()
