import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m, k = int(data[0]), int(data[1]), int(data[2])
    vals = list(map(int, data[3:3 + n * m]))
    # S: prefix sums of apples, R: prefix counts of boulders (row i+1 covers grid rows 0..i)
    S = [[0] * (m + 1)]
    R = [[0] * (m + 1)]
    for i in range(n):
        row = vals[i * m:(i + 1) * m]
        ps, pr = S[-1], R[-1]
        s_row, r_row = [0], [0]
        acc_s = acc_r = 0
        for j, v in enumerate(row, 1):
            if v < 0:
                acc_r += 1
            else:
                acc_s += v
            s_row.append(ps[j] + acc_s)
            r_row.append(pr[j] + acc_r)
        S.append(s_row)
        R.append(r_row)
    best = -1
    br = bc = 0
    for i in range(k, n + 1):
        s_hi, s_lo, r_hi, r_lo = S[i], S[i - k], R[i], R[i - k]
        for j in range(k, m + 1):
            if r_hi[j] - r_lo[j] - r_hi[j - k] + r_lo[j - k]:
                continue
            s = s_hi[j] - s_lo[j] - s_hi[j - k] + s_lo[j - k]
            if s > best:
                best = s
                br, bc = i - k + 1, j - k + 1
    print(-1 if best < 0 else "%d %d %d" % (best, br, bc))


main()
