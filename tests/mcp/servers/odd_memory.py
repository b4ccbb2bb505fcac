"""A memory server whose batch tools answer badly: text that is not JSON, and too few ids."""

from typing import Any

from mcp.server.mcpserver import MCPServer

server = MCPServer(name="odd-memory")


@server.tool(structured_output=False)
def store_memories(items: list[dict[str, Any]]) -> str:
    """One id short of the items asked for."""
    return "[" + ",".join(str(n) for n in range(len(items) - 1)) + "]"


@server.tool(structured_output=False)
def search_memories(queries: list[dict[str, Any]]) -> str:
    """Not JSON at all."""
    return "these are not the memories you are looking for"


if __name__ == "__main__":
    server.run()
