# expect: AC
# output-hex: fffe0a
import sys
sys.stdout.buffer.write(b"\xff\xfe\n")
