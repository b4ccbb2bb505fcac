"""A memory server whose stores finish only after a search has been served (or 20 s have passed).

A client that holds searches back while a store is in flight gets its stores answered late, after
the wait; one that sends them on their own line gets everything at once.
"""

import json
import threading
from typing import Any

from mcp.server.mcpserver import MCPServer

server = MCPServer(name="gated-memory")
searched = threading.Event()
stored: list[int] = []


@server.tool(structured_output=False)
def store_memories(items: list[dict[str, Any]]) -> str:
    """Ids in order, once a search has been answered; "late" if none came."""
    if not searched.wait(timeout=20):
        return json.dumps("late")
    start = len(stored)
    stored.extend(range(start + 1, start + len(items) + 1))
    return json.dumps(stored[start:])


@server.tool(structured_output=False)
def search_memories(queries: list[dict[str, Any]]) -> str:
    """No memories for anyone."""
    searched.set()
    return json.dumps([[] for _ in queries])


if __name__ == "__main__":
    server.run()
