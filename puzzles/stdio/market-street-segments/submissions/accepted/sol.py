import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, t = int(data[0]), int(data[1])
    seen = {0: 1}
    get = seen.get
    prefix = 0
    count = 0
    for w in map(int, data[2:2 + n]):
        prefix += w
        count += get(prefix - t, 0)
        seen[prefix] = get(prefix, 0) + 1
    print(count)


main()
