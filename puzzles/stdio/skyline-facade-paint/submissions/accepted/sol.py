import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    h = [0] + list(map(int, data[1:n + 1])) + [0]
    roofs = sum(1 for x in h if x > 0)
    walls = sum(abs(a - b) for a, b in zip(h, h[1:]))
    print(roofs + walls)


main()
