import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    s = map(int, data[1:2 * n + 1:2])
    p = map(int, data[2:2 * n + 1:2])
    # a better participant gets a smaller key
    base = 10**9 + 1
    keys = [(10**9 - a) * base + b for a, b in zip(s, p)]
    srt = sorted(keys)
    # rank = 1 + number of strictly smaller keys = 1 + first position of the key in srt;
    # walking backwards lets the first position overwrite later ones
    first = {}
    for i in range(n - 1, -1, -1):
        first[srt[i]] = i + 1
    sys.stdout.write(" ".join(map(str, map(first.__getitem__, keys))) + "\n")


main()
