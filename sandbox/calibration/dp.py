dp = [0] * 3001
for i in range(1, 600):
    for w in range(3000, i - 1, -1):
        t = dp[w - i] + i * 7 % 13
        if t > dp[w]:
            dp[w] = t
a = [i * 7 % 5 for i in range(600)]
b = [i * 11 % 5 for i in range(600)]
prev = [0] * 601
for i in range(1, 601):
    cur = [0] * 601
    ai = a[i - 1]
    for j in range(1, 601):
        cur[j] = prev[j - 1] + 1 if ai == b[j - 1] else max(prev[j], cur[j - 1])
    prev = cur
print(dp[3000], prev[600])
