import sys


def main():
    data = sys.stdin.buffer.read().split()
    s = data[0]
    q = int(data[1])
    n = len(s)
    pi = [0] * n
    for i in range(1, n):
        k = pi[i - 1]
        c = s[i]
        while k > 0 and c != s[k]:
            k = pi[k - 1]
        if c == s[k]:
            k += 1
        pi[i] = k
    out = []
    for m in map(int, data[2:2 + q]):
        p = m - pi[m - 1]
        out.append("%d %d" % (p, p if m % p == 0 else m))
    sys.stdout.write("\n".join(out) + "\n")


main()
