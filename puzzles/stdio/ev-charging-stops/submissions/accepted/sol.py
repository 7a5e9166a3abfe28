import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, d, r = int(data[0]), int(data[1]), int(data[2])
    xs = sorted(map(int, data[3:3 + n]))
    reach = r
    stops = 0
    i = 0
    while reach < d:
        best = -1
        while i < n and xs[i] <= reach:
            best = xs[i]
            i += 1
        if best < 0 or best + r <= reach:
            print(-1)
            return
        reach = best + r
        stops += 1
    print(stops)


main()
