import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    s = list(map(int, data[2:2 + 2 * n:2]))
    t = list(map(int, data[3:3 + 2 * n:2]))
    presses = list(zip(s, t))
    lo = 0
    hi = min(a + m * b for a, b in presses)  # one press alone suffices
    while lo < hi:
        mid = (lo + hi) // 2
        total = sum([(mid - a) // b for a, b in presses if a <= mid])
        if total >= m:
            hi = mid
        else:
            lo = mid + 1
    print(lo)


main()
