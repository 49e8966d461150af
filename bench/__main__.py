"""``python -m bench``: see ``bench.runner.main``."""
import sys

from bench.runner import main

sys.exit(main())
