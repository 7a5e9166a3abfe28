# expect: MLE
x = bytearray(1500 << 20)
print(len(x))
