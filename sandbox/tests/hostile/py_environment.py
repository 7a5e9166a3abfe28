# expect: AC
# output: 0
import os
print(len(os.environ))
