import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    f = 0
    res = []
    for i in range(n):
        a = int(data[1 + 3 * i])
        d = int(data[2 + 3 * i])
        p = int(data[3 + 3 * i])
        s = a if a > f else f
        if s - a > p:
            res.append(-1)
        else:
            f = s + d
            res.append(f)
    sys.stdout.write(' '.join(map(str, res)) + '\n')


main()
