n = 3000000
s = bytearray([1]) * (n + 1)
s[0] = s[1] = 0
i = 2
while i * i <= n:
    if s[i]:
        for j in range(i * i, n + 1, i):
            s[j] = 0
    i += 1
print(sum(s))
