"""The bundled memory MCP server: ``store_memory``, ``search_memory`` and ``forget`` per agent.

Run it alone with ``chimera mcp serve memory --db PATH --tenant ID`` or
``python -m chimera.mcp.servers.memory --db PATH --tenant ID``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from mcp.server.mcpserver import MCPServer

from chimera.mcp.servers.memory_store import MemoryStore


def build_server(store: MemoryStore) -> MCPServer:
    """An MCP server over one tenant's memory store."""
    server = MCPServer(name="chimera-memory", instructions="Episodic and semantic memories of Chimera agents.")

    @server.tool()
    def store_memory(agent_id: str, content: str, memory_type: str = "episodic", tags: list[str] | None = None) -> int:
        """Remember something for an agent; returns the memory id."""
        return store.store(agent_id, content, memory_type, tags)

    @server.tool()
    def search_memory(agent_id: str, query: str, limit: int = 5) -> list[dict[str, object]]:
        """The agent's memories best matching the query (BM25), best first."""
        return [asdict(m) for m in store.search(agent_id, query, limit)]

    @server.tool()
    def forget(agent_id: str, memory_id: int) -> bool:
        """Delete one of the agent's memories; false if it has none with that id."""
        return store.forget(agent_id, memory_id)

    return server


def main(argv: list[str] | None = None) -> None:
    """Entry point: serve over stdio until stdin closes."""
    parser = argparse.ArgumentParser(prog="chimera-memory", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="SQLite file holding the memories")
    parser.add_argument("--tenant", required=True, help="tenant whose memories this server holds")
    args = parser.parse_args(argv)
    try:
        store = MemoryStore(args.db, args.tenant)
    except Exception as exc:  # a bad path or a file that is not SQLite: say so and stop
        print(f"chimera-memory: cannot open {args.db}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        build_server(store).run("stdio")
    finally:
        store.close()


if __name__ == "__main__":
    main()
