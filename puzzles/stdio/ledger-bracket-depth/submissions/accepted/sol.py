import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    s = data[1]
    match = {')': '(', ']': '[', '}': '{', '>': '<'}
    st = []
    depth = 0
    for i, c in enumerate(s):
        o = match.get(c)
        if o is None:
            st.append(c)
            if len(st) > depth:
                depth = len(st)
        else:
            if not st or st[-1] != o:
                print(-(i + 1))
                return
            st.pop()
    if st:
        print(-(n + 1))
        return
    print(depth)


main()
