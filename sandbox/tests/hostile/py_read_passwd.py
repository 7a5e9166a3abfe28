# expect: AC
# output: denied
try:
    print(open("/etc/passwd").read()[:100])
except OSError:
    print("denied")
