"""A 'server' that exits at once."""

import sys

sys.exit(3)
