# expect: OLE
import sys
while True:
    sys.stdout.write("flood " * 100 + "\n")
