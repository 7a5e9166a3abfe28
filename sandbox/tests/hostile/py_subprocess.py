# expect: RE
import subprocess
subprocess.run(["sh", "-c", "touch /tmp/crucible_hostile_pwned"])
