"""The bundled memory MCP server: ``store_memory``, ``search_memory`` and ``forget`` per agent.

``store_memories`` and ``search_memories`` do the same for many agents in one
round trip (the runtime batches its calls through them).

Run it alone with ``chimera mcp serve memory --db PATH --tenant ID`` or
``python -m chimera.mcp.servers.memory --db PATH --tenant ID``; add
``--embeddings-url URL`` (key from CHIMERA_EMBEDDINGS_API_KEY) for vector ranking.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel, Field

from chimera.mcp.servers.memory_store import MemoryStore, NewMemory
from chimera.providers.embeddings import HttpEmbedder
from chimera.runtime.interpreter import run_as_process
from chimera.settings import Secret, env_value


class MemoryIn(BaseModel):
    """A memory to store (``store_memories``)."""

    agent_id: str
    content: str
    memory_type: str = "episodic"
    tags: list[str] = Field(default_factory=list)
    key: str | None = None


class MemoryQuery(BaseModel):
    """One search (``search_memories``)."""

    agent_id: str
    query: str
    limit: int = 5


def build_server(store: MemoryStore) -> MCPServer:
    """An MCP server over one tenant's memory store."""
    server = MCPServer(name="chimera-memory", instructions="Episodic and semantic memories of Chimera agents.")

    @server.tool()
    def store_memory(
        agent_id: str,
        content: str,
        memory_type: str = "episodic",
        tags: list[str] | None = None,
        key: str | None = None,
    ) -> int:
        """Remember something for an agent; returns the memory id (a repeated key returns the first id)."""
        return store.store_many([NewMemory(agent_id, content, memory_type, tuple(tags or ()), key)])[0]

    @server.tool()
    def search_memory(agent_id: str, query: str, limit: int = 5) -> list[dict[str, object]]:
        """The agent's memories best matching the query (BM25, fused with vectors if configured), best first."""
        return [asdict(m) for m in store.search(agent_id, query, limit)]

    @server.tool()
    def forget(agent_id: str, memory_id: int) -> bool:
        """Delete one of the agent's memories; false if it has none with that id."""
        return store.forget(agent_id, memory_id)

    # The batch tools answer one JSON text document rather than structured content: a client
    # validates structured content against the output schema item by item, which for a batch
    # of hundreds costs more than the search itself. The shape is checked by the caller.
    @server.tool(structured_output=False)
    def store_memories(items: list[MemoryIn]) -> str:
        """Store many memories in one transaction; answers a JSON list of ids, in order."""
        ids = store.store_many([NewMemory(i.agent_id, i.content, i.memory_type, tuple(i.tags), i.key) for i in items])
        return json.dumps(ids)

    @server.tool(structured_output=False)
    def search_memories(queries: list[MemoryQuery]) -> str:
        """Run many searches; answers a JSON list with one list of memories per query, in order."""
        found = [[asdict(m) for m in store.search(q.agent_id, q.query, q.limit)] for q in queries]
        return json.dumps(found, ensure_ascii=False)

    return server


def main(argv: list[str] | None = None) -> None:
    """Entry point: serve over stdio until stdin closes."""
    parser = argparse.ArgumentParser(prog="chimera-memory", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="SQLite file holding the memories")
    parser.add_argument("--tenant", required=True, help="tenant whose memories this server holds")
    parser.add_argument("--embeddings-url", help="OpenAI-compatible embeddings endpoint (adds vector ranking)")
    parser.add_argument("--embeddings-model", default="text-embedding-3-small", help="embedding model name")
    args = parser.parse_args(argv)
    embedder = None
    if args.embeddings_url:
        key = env_value("CHIMERA_EMBEDDINGS_API_KEY")
        embedder = HttpEmbedder(args.embeddings_url, args.embeddings_model, Secret(key) if key else None)
    try:
        store = MemoryStore(args.db, args.tenant, embedder)
    except Exception as exc:  # a bad path or a file that is not SQLite: say so and stop
        print(f"chimera-memory: cannot open {args.db}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        build_server(store).run("stdio")
    finally:
        store.close()
        if embedder is not None:
            embedder.close()


if __name__ == "__main__":
    run_as_process(main)
