"""The bundled news MCP server.

Serves headlines from an offline snapshot written for this project (or a
JSON file named with ``--snapshot``): resource ``news://latest`` and tools
``fetch_trends(topic, limit)`` and ``search_news(query, limit)``.

Run it alone with ``chimera mcp serve news`` or
``python -m chimera.mcp.servers.news``.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from pydantic import TypeAdapter, ValidationError

from chimera.models.news import NewsItem
from chimera.text import keywords

_ITEMS = TypeAdapter(list[NewsItem])
MAX_LIMIT = 100


def load_snapshot(path: Path | None = None) -> list[NewsItem]:
    """Read and validate a snapshot file; the bundled one when ``path`` is None."""
    if path is None:
        raw = resources.files("chimera.mcp.servers").joinpath("news_snapshot.json").read_text("utf-8")
    else:
        raw = path.read_text("utf-8")
    items = _ITEMS.validate_json(raw)
    return sorted(items, key=lambda item: item.published_at, reverse=True)


def build_server(items: list[NewsItem]) -> MCPServer:
    """An MCP server over a fixed list of items (newest first)."""
    server = MCPServer(
        name="chimera-news",
        instructions="Offline news headlines for Chimera agents (bundled snapshot).",
    )
    index = [(item, keywords(item.title, item.summary, item.tags, item.topic)) for item in items]

    @server.resource("news://latest", mime_type="application/json")
    def latest() -> str:
        """The newest headlines, newest first, as a JSON array."""
        return json.dumps([item.model_dump() for item in items])

    @server.tool()
    def fetch_trends(topic: str, limit: int = 10) -> list[dict[str, object]]:
        """Headlines on one topic (by topic or tag), newest first."""
        wanted = topic.strip().lower()
        hits = [i for i in items if i.topic == wanted or wanted in (t.lower() for t in i.tags)]
        return [i.model_dump() for i in hits[: max(0, min(limit, MAX_LIMIT))]]

    @server.tool()
    def search_news(query: str, limit: int = 10) -> list[dict[str, object]]:
        """Headlines ranked by how many of the query's words they contain."""
        terms = keywords(query)
        scored = [(len(terms & words), item) for item, words in index]
        ranked = [item for score, item in sorted(scored, key=lambda p: -p[0]) if score > 0]
        return [i.model_dump() for i in ranked[: max(0, min(limit, MAX_LIMIT))]]

    return server


def main(argv: list[str] | None = None) -> None:
    """Entry point: serve over stdio until stdin closes."""
    parser = argparse.ArgumentParser(prog="chimera-news", description=__doc__)
    parser.add_argument("--snapshot", type=Path, help="JSON file of news items to serve")
    args = parser.parse_args(argv)
    try:
        items = load_snapshot(args.snapshot)
    except (OSError, ValidationError, ValueError) as exc:
        print(f"chimera-news: cannot load snapshot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    build_server(items).run("stdio")


if __name__ == "__main__":
    main()
