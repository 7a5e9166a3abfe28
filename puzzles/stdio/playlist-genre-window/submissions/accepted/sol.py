import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    g = list(map(int, data[2:2 + n]))
    cnt = {}
    distinct = 0
    left = 0
    best = 0
    ways = 0
    for right in range(n):
        x = g[right]
        c = cnt.get(x, 0)
        if c == 0:
            distinct += 1
        cnt[x] = c + 1
        while distinct > k:
            y = g[left]
            left += 1
            cnt[y] -= 1
            if cnt[y] == 0:
                distinct -= 1
        length = right - left + 1
        if length > best:
            best = length
            ways = 1
        elif length == best:
            ways += 1
    print(best, ways)


main()
