import sys


def main():
    data = sys.stdin.read().split()
    R, C, L = int(data[0]), int(data[1]), int(data[2])
    W = C + 2
    # padded grid: True = dry
    dry = [False] * ((R + 2) * W)
    for r in range(R):
        row = data[3 + r]
        base = (r + 1) * W + 1
        for c, ch in enumerate(row):
            if ord(ch) - 48 > L:
                dry[base + c] = True
    islands = 0
    best = 0
    steps = (1, -1, W, -W)
    for start in range(len(dry)):
        if not dry[start]:
            continue
        islands += 1
        dry[start] = False
        stack = [start]
        size = 0
        while stack:
            cur = stack.pop()
            size += 1
            for d in steps:
                nxt = cur + d
                if dry[nxt]:
                    dry[nxt] = False
                    stack.append(nxt)
        if size > best:
            best = size
    print(islands, best)


main()
