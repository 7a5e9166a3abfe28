import random
random.seed(1)
v = [random.randrange(1 << 32) for _ in range(400000)]
v.sort()
m = {}
for i in range(300000):
    k = v[i * 13 % len(v)] % 100000
    m[k] = m.get(k, 0) + 1
print(v[12345], len(m))
