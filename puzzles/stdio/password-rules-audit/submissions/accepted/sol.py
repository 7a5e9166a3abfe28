import sys


def lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def check(user, pw):
    if not 8 <= len(pw) <= 20:
        return 1
    if not (any("a" <= c <= "z" for c in pw) and any("A" <= c <= "Z" for c in pw)
            and any("0" <= c <= "9" for c in pw)):
        return 2
    for i in range(2, len(pw)):
        if pw[i] == pw[i - 1] == pw[i - 2]:
            return 3
    if lower(user) in lower(pw):
        return 4
    return 0


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    out = []
    for i in range(n):
        k = check(data[1 + 2 * i], data[2 + 2 * i])
        out.append("OK" if k == 0 else "FAIL %d" % k)
    sys.stdout.write("\n".join(out) + "\n")


main()
