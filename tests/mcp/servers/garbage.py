"""A 'server' that answers every line with text that is not JSON-RPC."""

import sys

for _line in sys.stdin:
    sys.stdout.write("hello, I am not an MCP server\n")
    sys.stdout.flush()
