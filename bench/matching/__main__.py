"""python -m bench.matching [--master N --probes N --population N --samples N --seed N ...]"""

import sys

from bench.matching import main

sys.exit(main(sys.argv[1:]))
