import sys


def exchanges(target):
    n = len(target)
    seen = bytearray(n)
    cycles = 0
    for i in range(n):
        if seen[i]:
            continue
        cycles += 1
        j = i
        while not seen[j]:
            seen[j] = 1
            j = target[j]
    return n - cycles


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    h = list(map(int, data[1:1 + n]))
    order = sorted(range(n), key=h.__getitem__)
    up = [0] * n
    for k, i in enumerate(order):
        up[i] = k
    down = [n - 1 - k for k in up]
    print(min(exchanges(up), exchanges(down)))


main()
