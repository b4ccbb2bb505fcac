"""A memory server whose batch tools answer badly: text that is not JSON, and too few ids.

With ``infinite-ids`` its searches answer JSON whose memory ids are ``Infinity`` instead.
"""

import sys
from typing import Any

from mcp.server.mcpserver import MCPServer

server = MCPServer(name="odd-memory")


@server.tool(structured_output=False)
def store_memories(items: list[dict[str, Any]]) -> str:
    """One id short of the items asked for."""
    return "[" + ",".join(str(n) for n in range(len(items) - 1)) + "]"


@server.tool(structured_output=False)
def search_memories(queries: list[dict[str, Any]]) -> str:
    """Not JSON at all (or ids no integer can hold)."""
    if sys.argv[1:] == ["infinite-ids"]:
        return "[" + ",".join('[{"memory_id": Infinity, "content": "x", "score": 1}]' for _ in queries) + "]"
    return "these are not the memories you are looking for"


if __name__ == "__main__":
    server.run()
