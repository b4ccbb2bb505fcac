"""Loading and validating the fleet's files from a home directory."""

from chimera.config.home import Home
from chimera.config.loader import Fleet, load_fleet

__all__ = ["Fleet", "Home", "load_fleet"]
