import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, budget = int(data[0]), int(data[1])
    c = list(map(int, data[2:2 + n]))
    total = 0
    best = 0
    start = 0
    left = 0
    for right in range(n):
        total += c[right]
        while total > budget:
            total -= c[left]
            left += 1
        if right - left + 1 > best:
            best = right - left + 1
            start = left + 1
    print(best, start)


main()
