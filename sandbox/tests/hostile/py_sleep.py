# expect: RE
# Sleeping is refused rather than holding a worker for 100 s.
import time
time.sleep(100)
print("slept")
