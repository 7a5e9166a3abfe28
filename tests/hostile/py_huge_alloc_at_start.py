# expect: MLE
x = bytearray(3 << 30)
print(len(x))
