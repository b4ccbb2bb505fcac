"""The command line: Chimera's front door."""
